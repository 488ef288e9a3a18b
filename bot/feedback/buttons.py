"""The buttons of one delivery: kf menu items, tracked links, and reading a click back.

Over 微信客服 the step goes out as a menu message (`msgmenu`) whose items carry a menu id naming
the delivery and the option; the customer's click comes back through `kf/sync_msg` as a text
with that `menu_id`. Over the Official Account and mass messages each option is a tracked link
(`/r/<token>`) whose target is `feedback:<option>` instead of a web address.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy.orm import Session

from bot.playbooks.links import link_for, tracked_url
from bot.playbooks.schema import FEEDBACK_OPTIONS, Step

MENU_PREFIX = "siyu-fb"
LINK_PREFIX = "feedback:"
_MENU_ID = re.compile(rf"^{MENU_PREFIX}:(\d{{1,18}}):({'|'.join(FEEDBACK_OPTIONS)})$")


@dataclass(frozen=True)
class Choice:
    """One button of one delivery: what it means, what it says, and how a click comes back."""

    option: str
    label: str
    menu_id: str
    url: str


class Click(NamedTuple):
    """A click read back: which delivery, which option."""

    delivery_id: int
    option: str


def menu_id(delivery_id: int, option: str) -> str:
    """A kf menu item's id (WeChat allows 1 to 64 bytes)."""
    return f"{MENU_PREFIX}:{delivery_id}:{option}"


def parse_menu_id(value: str | None) -> Click | None:
    """The click a kf menu reply's `menu_id` stands for; None for any other menu's id."""
    match = _MENU_ID.match(value or "")
    return Click(int(match.group(1)), match.group(2)) if match else None


def link_target(option: str) -> str:
    return f"{LINK_PREFIX}{option}"


def link_option(url: str) -> str | None:
    """The option a tracked link records, or None for an ordinary link to a web page."""
    if not url.startswith(LINK_PREFIX):
        return None
    option = url[len(LINK_PREFIX):]
    return option if option in FEEDBACK_OPTIONS else None


def choices_for(session: Session, delivery_id: int, step: Step, public_url: str) -> tuple[Choice, ...]:
    """The step's buttons for this delivery; their tracked links are created once per delivery."""
    if step.feedback is None:
        return ()
    return tuple(
        Choice(option, label, menu_id(delivery_id, option),
               tracked_url(public_url, link_for(session, delivery_id, link_target(option)).token))
        for option, label in step.feedback.options())


def menu_message(text: str, choices: tuple[Choice, ...]) -> dict[str, object]:
    """The `msgmenu` body of kf/send_msg: the text above, one click item per button."""
    return {"head_content": text,
            "list": [{"type": "click", "click": {"id": c.menu_id, "content": c.label}} for c in choices],
            "tail_content": ""}


def with_html_links(text: str, choices: tuple[Choice, ...]) -> str:
    """An Official Account text with the buttons as links under it (WeChat shows <a href> as links)."""
    links = "　".join(f'<a href="{html.escape(c.url)}">{html.escape(c.label)}</a>' for c in choices)
    return f"{text}\n\n{links}" if links else text


def with_plain_links(text: str, choices: tuple[Choice, ...]) -> str:
    """A mass message with the buttons as labelled addresses under it."""
    lines = "\n".join(f"{c.label}：{c.url}" for c in choices)
    return f"{text}\n\n{lines}" if lines else text


def menu_log_text(text: str, choices: tuple[Choice, ...]) -> str:
    """How a menu message reads in the message log and the console."""
    return text + "\n" + " ".join(f"[{c.label}]" for c in choices)
