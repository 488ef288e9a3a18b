"""Channel codes: made, changed and removed through WeCom's contact-way API, kept in `channel_codes`.

The database row follows WeCom: a code is stored only after `add_contact_way` gave it a config_id,
changed only after `update_contact_way` accepted the change, and deleted only after
`del_contact_way` (or WeCom no longer knowing it). A refusal is a `ChannelCodeError` naming the errcode.
`ChannelCodes` reads and writes the rows; `ContactWays` talks to WeCom.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.guides.referral import STATE as REFERRAL_STATE
from bot.models import ChannelCode, Staff
from bot.wechat.outbound import Outbound, SendResult

logger = logging.getLogger(__name__)

STATE = re.compile(r"^[A-Za-z0-9_.-]{1,30}$")  # WeCom: at most 30 characters; kept URL- and CSV-safe
REMARK_MAX = 30
NAME_MAX = 64
TAG_MAX = 64
MAX_TAGS = 10
UNKNOWN_CONFIG_ID = 41044


class ChannelCodeError(Exception):
    """WeCom refused the call, or it could not be made; the message says which and what to do."""

    def __init__(self, message: str, errcode: int | None = None) -> None:
        super().__init__(message)
        self.errcode = errcode


@dataclass
class CodeDraft:
    """What an operator fills in; `problems` maps a form field to what is wrong with it."""

    name: str
    state: str
    users: list[str]
    tags: list[str] = field(default_factory=list)
    remark: str = ""

    @classmethod
    def from_form(cls, form: Any) -> CodeDraft:
        tags = [t.strip() for t in re.split(r"[,，;；\n]", form.get("tags", "")) if t.strip()]
        return cls(name=form.get("name", "").strip(), state=form.get("state", "").strip(),
                   users=[u for u in form.getlist("users") if u], tags=list(dict.fromkeys(tags)),
                   remark=form.get("remark", "").strip())

    @property
    def type(self) -> int:
        return 1 if len(self.users) == 1 else 2

    def problems(self, known_users: set[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        if not self.name or len(self.name) > NAME_MAX:
            found["name"] = f"名称必填，最多 {NAME_MAX} 个字"
        if not STATE.match(self.state):
            found["state"] = "渠道参数（state）必填，最多 30 个字符，只能用字母、数字和 _ . -"
        elif REFERRAL_STATE.match(self.state):
            found["state"] = "ref_ 加数字是客户推荐码的格式，请换一个"
        if not self.users:
            found["users"] = "至少选择一位导购"
        elif unknown := [u for u in self.users if u not in known_users]:
            found["users"] = f"没有这些导购：{'、'.join(unknown)}"
        if len(self.remark) > REMARK_MAX:
            found["remark"] = f"备注最多 {REMARK_MAX} 个字（企业微信的限制）"
        if len(self.tags) > MAX_TAGS or any(len(t) > TAG_MAX for t in self.tags):
            found["tags"] = f"最多 {MAX_TAGS} 个标签，每个最多 {TAG_MAX} 个字"
        return found


class ChannelCodes:
    """The stored codes; changes are made here only after `ContactWays` got WeCom to make them."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    def guides(self) -> list[Staff]:
        query = select(Staff).where(Staff.active.is_(True)).order_by(Staff.name, Staff.userid)
        return list(self.session.scalars(query))

    def listing(self, userid: str | None = None) -> list[ChannelCode]:
        """Every code, or only those `userid` is a member of (what a guide sees)."""
        codes = list(self.session.scalars(select(ChannelCode).order_by(ChannelCode.created_at.desc(),
                                                                       ChannelCode.id.desc())))
        return [c for c in codes if userid is None or userid in c.users]

    def get(self, code_id: int) -> ChannelCode | None:
        return self.session.get(ChannelCode, code_id)

    def state_taken(self, state: str, but: int | None = None) -> bool:
        other = self.session.scalar(select(ChannelCode.id).where(ChannelCode.state == state))
        return other is not None and other != but

    def problems(self, draft: CodeDraft, editing: ChannelCode | None = None) -> dict[str, str]:
        found = draft.problems({g.userid for g in self.guides()})
        if editing is not None and editing.type == 1 and len(draft.users) > 1 and "users" not in found:
            found["users"] = "这是单人码，企业微信不能把它改成多人码：请新建一个渠道活码并选择多位导购"
        if "state" not in found and self.state_taken(draft.state, but=editing.id if editing else None):
            found["state"] = f"渠道参数「{draft.state}」已被另一个渠道活码使用"
        return found

    def store(self, draft: CodeDraft, made: dict[str, str], by: str) -> ChannelCode:
        now = self.clock.now()
        code = ChannelCode(name=draft.name, state=draft.state, type=draft.type, users=draft.users, tags=draft.tags,
                           remark=draft.remark, config_id=made["config_id"], qr_code=made["qr_code"],
                           created_by=by, created_at=now, updated_at=now)
        self.session.add(code)
        self.session.flush()
        logger.info("channel code %s (%s) created: config_id %s", code.id, code.state, code.config_id)
        return code

    def change(self, code: ChannelCode, draft: CodeDraft) -> dict[str, Any]:
        """Apply an accepted change; returns what changed, from and to (for the audit log)."""
        before = as_dict(code)
        code.name, code.state, code.users, code.tags, code.remark = (draft.name, draft.state, draft.users,
                                                                     draft.tags, draft.remark)
        code.updated_at = self.clock.now()
        after = as_dict(code)
        return {key: {"from": before[key], "to": after[key]} for key in after if before[key] != after[key]}


class ContactWays:
    """WeCom's contact-way calls. Made with no database transaction open: the access token may
    need storing, and SQLite has one writer."""

    def __init__(self, outbound: Outbound) -> None:
        self.outbound = outbound

    def add(self, draft: CodeDraft) -> dict[str, str]:
        result = self._call("externalcontact/add_contact_way", {
            "type": draft.type, "scene": 2, "state": draft.state, "user": draft.users,
            "remark": draft.remark or draft.name[:REMARK_MAX], "skip_verify": True})
        return {"config_id": str(result.response.get("config_id") or ""),
                "qr_code": str(result.response.get("qr_code") or "")}

    def update(self, config_id: str, draft: CodeDraft) -> None:
        self._call("externalcontact/update_contact_way", {
            "config_id": config_id, "state": draft.state, "user": draft.users,
            "remark": draft.remark or draft.name[:REMARK_MAX]})

    def delete(self, config_id: str) -> None:
        """Remove the code at WeCom; one WeCom no longer knows counts as removed."""
        try:
            self._call("externalcontact/del_contact_way", {"config_id": config_id})
        except ChannelCodeError as error:
            if error.errcode != UNKNOWN_CONFIG_ID:
                raise

    def _call(self, api: str, data: dict[str, Any]) -> SendResult:
        wecom = self.outbound.wecom
        if wecom is None:
            raise ChannelCodeError("企业微信未配置（[wecom] corp_id、secret），无法创建或修改渠道活码")
        result = self.outbound.call(lambda: wecom.post(api, data=data))
        if not result.ok:
            raise ChannelCodeError(f"企业微信拒绝了 {api}：errcode {result.errcode} {result.errmsg}".strip(),
                                   result.errcode)
        return result


def as_dict(code: ChannelCode) -> dict[str, Any]:
    return {"name": code.name, "state": code.state, "users": list(code.users), "tags": list(code.tags),
            "remark": code.remark}
