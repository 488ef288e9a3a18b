"""Everything the simulated WeChat remembers, behind one lock."""

from __future__ import annotations

import calendar
import itertools
import secrets
import threading
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from .clock import SimClock
from .config import SimulatorConfig
from .kf_menus import menu_text
from .limits import FaultBook, RateLimit, TokenBook
from .staff_state import StaffSide

REPLY_WINDOW_SECONDS = 48 * 3600
REPLY_WINDOW_MESSAGES = 5
WELCOME_CODE_SECONDS = 20
KF_TOKEN_SECONDS = 600
KF_HISTORY_SECONDS = 3 * 24 * 3600
# kf session states [94669]: 0 new, 1 handled by the API, 2 queued, 3 human servicer, 4 ended.
KF_NEW, KF_API, KF_QUEUED, KF_HUMAN, KF_ENDED = 0, 1, 2, 3, 4
KF_TRANSITIONS = {KF_NEW: {KF_API, KF_QUEUED, KF_HUMAN, KF_ENDED}, KF_API: {KF_QUEUED, KF_HUMAN, KF_ENDED},
                  KF_QUEUED: {KF_HUMAN, KF_ENDED}, KF_HUMAN: {KF_HUMAN, KF_ENDED}, KF_ENDED: set()}
# App messages to one member [90236]: above either limit WeChat drops them silently and blocks the
# member for the window's length.
APP_MESSAGE_LIMITS = ((30, 60), (1000, 3600))


@dataclass
class Follow:
    """A staff member (guide) who has the customer as an external contact."""

    userid: str
    createtime: int
    state: str = ""
    remark: str = ""
    tag_ids: set[str] = field(default_factory=set)


@dataclass
class Customer:
    external_userid: str
    name: str
    follows: dict[str, Follow] = field(default_factory=dict)
    unionid: str = ""  # the same person's id across the corp's WeChat apps (Official Account too)
    listed: bool = True  # False: a contact from before the bot (the demo's history), not in the page's pickers


@dataclass
class WelcomeCode:
    code: str
    external_userid: str
    userid: str
    issued_at: float
    used: bool = False
    busy_until: float = 0  # another app is sending with this code until then (41096)


# Official Account custom messages [OA 客服消息]: after a user's message 5 within 48 h; after a
# subscribe, a menu click or a QR scan only 3 within 1 minute.
MP_EVENT_WINDOW_SECONDS = 60
MP_EVENT_WINDOW_MESSAGES = 3


@dataclass
class ReplyWindow:
    """The time in which a channel may answer a person who wrote (or interacted) last, and how often."""

    opened_at: float
    used: int = 0
    seconds: float = REPLY_WINDOW_SECONDS
    limit: int = REPLY_WINDOW_MESSAGES

    def open(self, now: float) -> bool:
        return now - self.opened_at < self.seconds

    def allows(self, now: float) -> bool:
        return self.open(now) and self.used < self.limit


@dataclass
class KfMessage:
    msgid: str
    open_kfid: str
    external_userid: str
    send_time: int
    content: str
    # A system event (origin 4) instead of a customer's text: msg_send_fail, enter_session...
    event: dict[str, Any] | None = None
    servicer_userid: str = ""  # set: a servicer wrote it in the WeCom client (origin 5)
    menu_id: str = ""  # set: the customer clicked this item of a menu message (the reply carries it)

    def as_api(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "msgid": self.msgid,
            "open_kfid": self.open_kfid,
            "external_userid": self.external_userid,
            "send_time": self.send_time,
        }
        if self.event is not None:
            item.update(origin=4, msgtype="event",
                        event={"open_kfid": self.open_kfid, "external_userid": self.external_userid, **self.event})
        elif self.servicer_userid:
            item.update(origin=5, servicer_userid=self.servicer_userid, msgtype="text", text={"content": self.content})
        else:
            text = {"content": self.content, **({"menu_id": self.menu_id} if self.menu_id else {})}
            item.update(origin=3, msgtype="text", text=text)  # 3 = sent by the customer
        return item


@dataclass
class KfSession:
    """One customer's session with one kf account (keyed by both)."""

    open_kfid: str
    external_userid: str
    state: int = KF_ENDED
    servicer_userid: str = ""
    refuses: bool = False  # the customer refuses messages: sends are taken, then fail (fail_type 10)


@dataclass
class MpUser:
    openid: str
    subscribed: bool = False
    nickname: str = "微信用户"  # shown on the simulator's page only: user/info no longer returns it
    unionid: str = ""
    subscribed_at: float = 0


@dataclass
class CorpTag:
    id: str
    name: str
    group_id: str
    create_time: int
    order: int = 0


@dataclass
class TagGroup:
    group_id: str
    group_name: str
    create_time: int
    order: int = 0
    tags: list[CorpTag] = field(default_factory=list)

    def as_api(self, only: set[str] | None = None) -> dict[str, Any]:
        tags = [t for t in self.tags if only is None or t.id in only]
        return {
            "group_id": self.group_id,
            "group_name": self.group_name,
            "create_time": self.create_time,
            "order": self.order,
            "deleted": False,
            "tag": [
                {"id": t.id, "name": t.name, "create_time": t.create_time, "order": t.order, "deleted": False}
                for t in tags
            ],
        }


@dataclass
class MassTask:
    """An `add_msg_template` task; nothing reaches customers until the guide confirms it."""

    msgid: str
    sender: str
    external_userids: list[str]
    payload: dict[str, Any]
    created_at: float
    confirmed: bool = False
    cancelled: bool = False
    sent_at: float = 0
    # external_userid -> get_groupmsg_send_result status: 0 not sent, 1 sent, 2 not a contact,
    # 3 over the customer's mass-message quota
    results: dict[str, int] = field(default_factory=dict)


@dataclass
class SentRecord:
    id: int
    api: str
    to: str
    text: str
    payload: dict[str, Any]
    errcode: int | None
    at: int
    delivered: bool
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(data.pop("extra"))
        return data


def new_id(prefix: str, nbytes: int = 8) -> str:
    return f"{prefix}{secrets.token_hex(nbytes)}"


def text_of(payload: dict[str, Any]) -> str:
    """The human-readable part of a send call, for the log and the page."""
    if "template_id" in payload:
        data = payload.get("data") or {}
        lines = [f"{key}: {value.get('value', '') if isinstance(value, dict) else value}"
                 for key, value in data.items()]
        return "\n".join(lines) or f"[模板 {payload['template_id']}]"
    msgtype = payload.get("msgtype") or "text"
    body = payload.get(msgtype)
    parts: list[str] = []
    if msgtype == "msgmenu" and isinstance(body, dict):
        parts.append(menu_text(body))
    elif isinstance(body, dict):
        for key in ("content", "title", "description"):
            if body.get(key):
                parts.append(str(body[key]))
                break
        else:
            parts.append(f"[{msgtype}]")
    attachments = payload.get("attachments") or []
    if attachments:
        parts.append(f"[附件 ×{len(attachments)}]")
    return "\n".join(parts)


class SimulatorState:
    """All simulated data. Callers hold `lock` around any read-modify-write."""

    def __init__(self, config: SimulatorConfig, clock: SimClock | None = None) -> None:
        self.config = config
        self.clock = clock or SimClock()
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.clock.reset()
            self._seq = itertools.count(1)
            self.guides: dict[str, str] = dict(self.config.guides)
            self.customers: dict[str, Customer] = {}
            self.welcome_codes: dict[str, WelcomeCode] = {}
            self.kf_messages: list[KfMessage] = []
            self.kf_tokens: dict[str, float] = {}
            self.kf_windows: dict[tuple[str, str], ReplyWindow] = {}  # (open_kfid, external_userid)
            self.kf_sessions: dict[tuple[str, str], KfSession] = {}
            self.kf_results: dict[tuple[str, str], dict[str, Any]] = {}  # (open_kfid, msgid) it took
            # Menu messages delivered: (open_kfid, msgid) -> (customer, {item id: content})
            self.kf_menus: dict[tuple[str, str], tuple[str, dict[str, str]]] = {}
            self.pending_pushes = 0  # callbacks announced for later (msg_send_fail) and not yet pushed
            self.mp_users: dict[str, MpUser] = {}
            self.mp_windows: dict[str, ReplyWindow] = {}
            self.tag_groups: list[TagGroup] = []
            self.mass_tasks: dict[str, MassTask] = {}
            self.mass_received: dict[str, list[float]] = {}  # external_userid -> mass messages received
            self.sent_log: list[SentRecord] = []
            self.inbound_log: list[dict[str, Any]] = []
            self.wecom_tokens = TokenBook("simwc_", self.config.token_ttl, single_valid=False)
            self.mp_tokens = TokenBook("simmp_", self.config.token_ttl, single_valid=True)
            self.api_calls = RateLimit((10_000, 60), (150_000, 3600))
            self.app_message_limit = RateLimit(*APP_MESSAGE_LIMITS)
            self.app_blocked_until: dict[str, float] = {}  # member -> end of the block after a drop
            self.faults = FaultBook()
            self.misconfig: set[str] = set()  # names from bot.simulator.misconfig, until the next reset
            self.staff_side = StaffSide()  # OAuth codes, JS-SDK tickets, channel codes, transfers
            self._message_ids = itertools.count(int(self.clock.now()) * 1000)

    def now(self) -> float:
        return self.clock.now()

    def next_seq(self) -> int:
        with self.lock:
            return next(self._seq)

    def next_message_id(self) -> int:
        with self.lock:
            return next(self._message_ids)

    def kf_session(self, open_kfid: str, external_userid: str) -> KfSession:
        """The session of a customer with a kf account (state 4, "not started", when there is none)."""
        key = (open_kfid, external_userid)
        if key not in self.kf_sessions:
            self.kf_sessions[key] = KfSession(open_kfid, external_userid)
        return self.kf_sessions[key]

    def kf_account_ids(self) -> list[str]:
        return [open_kfid for open_kfid, _ in self.config.all_kf_accounts()]

    def mass_quota_left(self, external_userid: str, now: float) -> bool:
        """Whether the customer may receive one more mass message in this period [92135]: as many as
        the month has days (default), or 7 a week, or 1 a day, as the corp's admin set it; the
        members' own mass messages count too."""
        moment = self.clock.to_datetime(now)
        period = self.config.mass_quota
        if period == "day":
            start, limit = moment.replace(hour=0, minute=0, second=0, microsecond=0), 1
        elif period == "week":
            start = (moment - timedelta(days=moment.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
            limit = 7
        else:
            start, limit = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0), \
                calendar.monthrange(moment.year, moment.month)[1]
        received = [t for t in self.mass_received.get(external_userid, []) if t >= start.timestamp()]
        return len(received) < limit

    # --- lookups -----------------------------------------------------------------------------

    def tag_id_by_name(self, name: str) -> str | None:
        for group in self.tag_groups:
            for tag in group.tags:
                if tag.name == name:
                    return tag.id
        return None

    def find_tag(self, tag_id: str) -> CorpTag | None:
        for group in self.tag_groups:
            for tag in group.tags:
                if tag.id == tag_id:
                    return tag
        return None

    def group_of(self, tag: CorpTag) -> TagGroup:
        return next(g for g in self.tag_groups if g.group_id == tag.group_id)

    def recipient_of(self, payload: dict[str, Any]) -> str:
        if "welcome_code" in payload:
            code = self.welcome_codes.get(str(payload["welcome_code"]))
            return code.external_userid if code else ""
        to = payload.get("touser") or payload.get("external_userid") or payload.get("sender") or ""
        return "|".join(map(str, to)) if isinstance(to, list) else str(to)

    # --- logs --------------------------------------------------------------------------------

    def record_sent(
        self,
        api: str,
        payload: dict[str, Any],
        errcode: int | None,
        *,
        delivered: bool,
        to: str | None = None,
        text: str | None = None,
        **extra: Any,
    ) -> SentRecord:
        with self.lock:
            record = SentRecord(
                id=next(self._seq),
                api=api,
                to=self.recipient_of(payload) if to is None else to,
                text=text_of(payload) if text is None else text,
                payload=payload,
                errcode=errcode,
                at=int(self.now()),
                delivered=delivered,
                extra=extra,
            )
            self.sent_log.append(record)
            return record

    def sent(self, api: str | None = None, to: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return [
                r.as_json()
                for r in self.sent_log
                if (api is None or r.api == api) and (to is None or to in r.to.split("|"))
            ]

    def record_inbound(self, channel: str, who: str, kind: str, text: str, **extra: Any) -> dict[str, Any]:
        """What a simulated person did (the other half of the transcript on the page)."""
        with self.lock:
            entry = {"id": next(self._seq), "channel": channel, "who": who, "kind": kind, "text": text,
                     "at": int(self.now()), **extra}
            self.inbound_log.append(entry)
            return entry
