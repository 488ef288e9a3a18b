"""What a call to WeChat came to: the one result type the clients' callers pass around."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.jobs.tasks import RetryLater

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SendResult:
    ok: bool
    errcode: int | None = None
    errmsg: str = ""
    message_id: int | None = None
    response: Mapping[str, Any] = field(default_factory=dict)
    # The call timed out after it was sent: WeChat may have delivered it (no answer to tell).
    unknown: bool = False

    @property
    def transient(self) -> bool:
        """Worth retrying later: frequency/concurrency limits, server errors, timeouts."""
        return not self.ok and (self.errcode is None or self.errcode in (45009, 45033, -1))

    def settled(self, api: str) -> bool:
        """For tasks: True when the call worked; a transient failure raises RetryLater (the task
        runs again with backoff); a refusal a retry would not fix is logged and gives False."""
        if self.ok:
            return True
        if self.unknown:  # no idempotency key at WeChat: sending again could deliver it twice
            logger.warning("%s: outcome unknown after a timeout; not sent again", api)
            return False
        if self.transient:
            raise RetryLater(f"{api}: errcode {self.errcode} {self.errmsg}".strip())
        logger.warning("%s refused: errcode %s %s", api, self.errcode, self.errmsg)
        return False
