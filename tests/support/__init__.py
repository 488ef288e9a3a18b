"""Test harness: the bot and the WeChat simulator talking over real HTTP."""
