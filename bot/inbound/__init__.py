"""Inbound WeChat updates: the callback log, parsing, routers and the dispatch loop."""
