"""Guides (导购/顾问): forwarding customers' messages and relaying answers, app commands, the chat
sidebar, follow-up tasks and the morning digest, the 话术 library, transfers and referral codes."""
