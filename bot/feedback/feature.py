"""Feedback as a runtime feature: handlers and the link view reach it as `runtime.features["feedback"]`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot.feedback.service import FeedbackService
from bot.playbooks.registry import VersionCache

if TYPE_CHECKING:
    from bot.runtime import Runtime

_REPLIES = "siyu.feedback_replies"


class Feedback:
    def __init__(self, runtime: "Runtime") -> None:
        self.runtime = runtime
        self.versions = VersionCache()

    def service(self, session: Session) -> FeedbackService:
        tagging = self.runtime.features["tagging"]
        return FeedbackService(session, self.runtime.clock, self.runtime.customers(session), tagging.service,
                               self.runtime.config.feedback, self.versions)

    def thanks(self, option: str) -> str:
        """What the customer is told after a click."""
        config = self.runtime.config.feedback
        return config.not_interested_text if option == "not_interested" else config.thanks_text

    @staticmethod
    def remember_reply(session: Session, callback_id: int | None, text: str) -> None:
        """Keep the acknowledgement of a click recorded for this callback, for its responder."""
        if callback_id is not None:
            session.info.setdefault(_REPLIES, {})[callback_id] = text

    @staticmethod
    def reply_for(session: Session, callback_id: int | None) -> str | None:
        return session.info.get(_REPLIES, {}).get(callback_id)


def install(runtime: "Runtime") -> None:
    runtime.features["feedback"] = Feedback(runtime)
