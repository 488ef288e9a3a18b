"""Keeping the database fast and bounded: planner statistics, and old rows archived or deleted."""
