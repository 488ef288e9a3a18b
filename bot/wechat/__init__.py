"""Talking to WeChat: API clients, the shared access-token store, callback crypto."""
