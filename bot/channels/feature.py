"""Channel codes as a runtime feature: a customer who adds a guide through a code gets its tags."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import ChannelCode, Customer, Event

if TYPE_CHECKING:
    from bot.runtime import Runtime

logger = logging.getLogger(__name__)

SOURCE = "channel"


class ChannelTagging:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def on_event(self, session: Session, customer: Customer, event: Event) -> None:
        """`contact_added` with a code's state: the code's tags, with the code as their reason."""
        if event.type != "contact_added" or not (event.data or {}).get("state"):
            return
        state = str(event.data["state"])
        code = session.scalar(select(ChannelCode).where(ChannelCode.state == state))
        tagging = self.runtime.features.get("tagging")
        if code is None or not code.tags or tagging is None:
            return
        service = tagging.service(session)
        for name in code.tags:
            service.add(customer, name, source=SOURCE, rule=f"channel:{state}", matched=[state],
                        reason=f"通过渠道活码「{code.name}」添加")
        logger.info("customer %s added through channel code %s: tagged %s", customer.id, state, code.tags)


def install(runtime: Runtime) -> None:
    runtime.hooks.on_event.append(ChannelTagging(runtime).on_event)
