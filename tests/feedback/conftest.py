"""Feedback tests use the playbook harness: the bot and the simulator on a frozen clock."""

from tests.playbooks.conftest import clock, journey  # noqa: F401
