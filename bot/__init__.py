"""Siyu: private-domain customer operations on WeChat Work and Official Accounts."""
