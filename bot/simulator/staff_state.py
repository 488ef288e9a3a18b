"""What the simulated WeCom remembers about members' own tools: OAuth codes, JS-SDK tickets,
channel codes (联系我 / 渠道活码) and customer transfers."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

OAUTH_CODE_SECONDS = 300  # a code is single-use and lives 5 minutes
TICKET_SECONDS = 7200
STATE_MAX_CHARS = 30


@dataclass
class OAuthCode:
    code: str
    userid: str
    agentid: int | None
    issued_at: float
    used: bool = False


@dataclass
class ContactWay:
    """One `add_contact_way` configuration: who a scan adds, and the `state` the add event carries."""

    config_id: str
    type: int
    scene: int
    users: list[str]
    state: str = ""
    remark: str = ""
    style: int = 1
    skip_verify: bool = True
    qr_code: str = ""
    created_at: float = 0
    adds: int = 0  # how many customers added through it (round robin over `users` for type 2)

    def as_api(self) -> dict[str, Any]:
        return {"config_id": self.config_id, "type": self.type, "scene": self.scene, "style": self.style,
                "remark": self.remark, "skip_verify": self.skip_verify, "state": self.state,
                "qr_code": self.qr_code, "user": list(self.users), "party": [], "is_temp": False,
                "expires_in": 0, "chat_expires_in": 0, "unionid": "", "conclusions": {}}

    def next_user(self) -> str:
        user = self.users[self.adds % len(self.users)]
        self.adds += 1
        return user


@dataclass
class Transfer:
    """A customer handed from one member to another; `status` as transfer_result reports it:
    1 done, 2 waiting (the customer may refuse within 24 h), 3 refused, 4 limit reached."""

    handover_userid: str
    takeover_userid: str
    external_userid: str
    resigned: bool
    started_at: float
    status: int = 2
    takeover_time: int = 0


@dataclass
class StaffSide:
    oauth_codes: dict[str, OAuthCode] = field(default_factory=dict)
    jsapi_tickets: dict[str, tuple[str, float]] = field(default_factory=dict)  # ticket -> (kind, expires_at)
    contact_ways: dict[str, ContactWay] = field(default_factory=dict)
    transfers: list[Transfer] = field(default_factory=list)
    resigned: set[str] = field(default_factory=set)  # members who left the company
    sidebar_sends: list[dict[str, Any]] = field(default_factory=list)  # sendChatMessage from sidebars
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def ticket(self, kind: str, now: float) -> tuple[str, int]:
        """The valid ticket of `kind` (`corp` or `agent_config`), issuing one when none is."""
        for ticket, (ticket_kind, expires_at) in self.jsapi_tickets.items():
            if ticket_kind == kind and expires_at > now:
                return ticket, int(expires_at - now)
        ticket = f"SIM{kind.upper()}TICKET{next(self._ids):04d}"
        self.jsapi_tickets[ticket] = (kind, now + TICKET_SECONDS)
        return ticket, TICKET_SECONDS

    def ticket_valid(self, ticket: str, kind: str, now: float) -> bool:
        entry = self.jsapi_tickets.get(ticket)
        return entry is not None and entry[0] == kind and entry[1] > now
