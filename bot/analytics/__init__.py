"""Numbers operators steer by: SQL aggregates (never customers loaded into Python) and the statistics on them."""
