"""Feedback buttons under playbook steps (想了解更多 / 不感兴趣): how they go out on each channel,
how a click comes back, and what a click does (an event, a tag, the end of a journey, fewer messages)."""
