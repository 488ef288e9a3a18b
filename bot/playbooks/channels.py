"""The ways a step can reach a customer, tried in the order the playbook lists them.

Each channel answers with an outcome the outbox acts on:
- `sent`: done (for `guide_task` the guide sends it by hand and closes the follow-up task
  recorded for it);
- `awaiting`: a `wecom_mass` task the guide must confirm in WeCom; `bot.playbooks.mass` polls its
  result and marks it sent, or falls back;
- `unreachable`: this channel cannot reach the customer now (no identity, 45015 outside the 48 h
  window, not accepted by WeCom): try the next channel;
- `retry`: a passing refusal (45009, 45033, 5xx, timeouts): try again later with backoff;
- `failed`: a permanent refusal on this channel, kept with its errcode; the next channel is tried;
- `unknown`: no answer in time, WeChat may have delivered it: no other channel is tried (see the
  outbox for when the same channel is tried again).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from bot.config import Config
from bot.db import Database
from bot.feedback.buttons import Choice, menu_log_text, menu_message, with_html_links, with_plain_links
from bot.services.customers import CustomerService
from bot.guides.tasks import GuideTaskService
from bot.wechat.outbound import ChannelUnavailable, Outbound, SendResult

logger = logging.getLogger(__name__)

OUT_OF_WINDOW = 45015
COUNT_USED_UP = 45047  # Official Account: the window's message count is used up
KF_SESSION_NOT_API = 95018  # a human servicer holds the kf session (or it is queued or ended)
UNREACHABLE_ERRCODES = (OUT_OF_WINDOW, COUNT_USED_UP, KF_SESSION_NOT_API)


@dataclass(frozen=True)
class Outgoing:
    """Everything a channel needs to send one rendered delivery."""

    delivery_id: int
    idempotency_key: str
    customer_id: int
    customer_name: str
    external_userid: str | None
    openid: str | None
    guide_userid: str | None
    playbook_name: str
    text: str
    template_id: str | None = None
    template_data: Mapping[str, str] = field(default_factory=dict)
    link: str | None = None
    feedback: tuple[Choice, ...] = ()  # the step's feedback buttons, for the channels that carry them


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | awaiting (a mass task to confirm) | unreachable | retry | failed | unknown
    errcode: int | None = None
    error: str = ""
    message_id: int | None = None


class Channel(Protocol):
    name: str
    # True when WeChat itself drops a repeated send (kf `msgid`): results may then be marked in batches.
    idempotent: bool

    def send(self, outgoing: Outgoing) -> Outcome: ...


def unreachable(reason: str) -> Outcome:
    return Outcome("unreachable", None, reason)


def from_result(result: SendResult) -> Outcome:
    if result.ok:
        return Outcome("sent", 0, "", result.message_id)
    if result.unknown:
        return Outcome("unknown", None, result.errmsg, result.message_id)
    error = f"errcode {result.errcode}: {result.errmsg}" if result.errcode is not None else result.errmsg
    if result.errcode in UNREACHABLE_ERRCODES:
        return Outcome("unreachable", result.errcode, error, result.message_id)
    if result.transient:
        return Outcome("retry", result.errcode, error, result.message_id)
    return Outcome("failed", result.errcode, error, result.message_id)


class _OutboundChannel:
    name = ""
    idempotent = False

    def __init__(self, outbound: Outbound, config: Config) -> None:
        self.outbound = outbound
        self.config = config

    def send(self, outgoing: Outgoing) -> Outcome:
        try:
            return self._send(outgoing)
        except ChannelUnavailable as error:
            return unreachable(str(error))

    def _send(self, outgoing: Outgoing) -> Outcome:
        raise NotImplementedError


class KfChannel(_OutboundChannel):
    """微信客服: within 48 h and 5 messages of the customer's last message; `msgid` makes retries safe."""

    name = "kf"
    idempotent = True

    def _send(self, outgoing: Outgoing) -> Outcome:
        open_kfid = self.config.wecom.open_kfid
        if not outgoing.external_userid or not open_kfid:
            return unreachable("no external_userid" if open_kfid else "no [wecom] open_kfid configured")
        msgid = self.outbound.kf_msgid(outgoing.idempotency_key)
        if outgoing.feedback:  # the buttons as a menu message: a click comes back with its menu_id
            result = self.outbound.kf_send_menu(open_kfid, outgoing.external_userid,
                                                menu_message(outgoing.text, outgoing.feedback),
                                                text=menu_log_text(outgoing.text, outgoing.feedback), msgid=msgid,
                                                customer_id=outgoing.customer_id)
        else:
            result = self.outbound.kf_send_text(open_kfid, outgoing.external_userid, outgoing.text, msgid=msgid,
                                                customer_id=outgoing.customer_id)
        if result.errcode in self.config.wecom.kf_duplicate_msgid_errcodes:
            # The msgid is this delivery's alone (salted per database): WeChat took an earlier attempt.
            return Outcome("sent", result.errcode, f"already sent (errcode {result.errcode}: duplicate msgid)",
                           result.message_id)
        return from_result(result)


class MpCustomChannel(_OutboundChannel):
    """Official Account customer-service message: within 48 h of the follower's last interaction."""

    name = "mp_custom"

    def _send(self, outgoing: Outgoing) -> Outcome:
        if not outgoing.openid:
            return unreachable("no openid")
        return from_result(self.outbound.mp_custom_text(outgoing.openid, with_html_links(outgoing.text,
                                                                                         outgoing.feedback),
                                                        customer_id=outgoing.customer_id))


class MpTemplateChannel(_OutboundChannel):
    """Official Account template message: works outside the window, needs a template id."""

    name = "mp_template"

    def _send(self, outgoing: Outgoing) -> Outcome:
        if not outgoing.openid:
            return unreachable("no openid")
        if not outgoing.template_id:
            return unreachable("no template_id")
        data = {key: {"value": value} for key, value in outgoing.template_data.items()}
        return from_result(self.outbound.mp_template(outgoing.openid, outgoing.template_id, data, url=outgoing.link,
                                                     text=outgoing.text, customer_id=outgoing.customer_id))


class WecomMassChannel(_OutboundChannel):
    """Enterprise mass message (群发) from the owning guide, who confirms it in WeCom."""

    name = "wecom_mass"

    def _send(self, outgoing: Outgoing) -> Outcome:
        if not outgoing.external_userid or not outgoing.guide_userid:
            return unreachable("no external_userid or no owning guide")
        result = self.outbound.add_msg_template(outgoing.guide_userid, [outgoing.external_userid],
                                                with_plain_links(outgoing.text, outgoing.feedback),
                                                customer_id=outgoing.customer_id)
        if result.ok and outgoing.external_userid in (result.response.get("fail_list") or []):
            # WeCom takes the task but not this customer (not the guide's contact).
            return Outcome("unreachable", None, "not accepted for a mass message (fail_list)", result.message_id)
        if result.ok:
            # Not sent yet: the guide confirms it in WeCom, and the quota is checked only then.
            return Outcome("awaiting", 0, "", result.message_id)
        return from_result(result)


class GuideTaskChannel(_OutboundChannel):
    """An app message to the owning guide with the suggested text, recorded as a follow-up task.

    The task is committed before the message goes out (the message carries its number), once
    per delivery: a delivery sent again finds its task. A task created for a message that did not
    go out is withdrawn, so the guide's list only holds tasks the guide was told about.
    """

    name = "guide_task"

    def __init__(self, outbound: Outbound, config: Config, db: Database) -> None:
        super().__init__(outbound, config)
        self.db = db

    def send(self, outgoing: Outgoing) -> Outcome:
        if not outgoing.guide_userid:
            return unreachable("no owning guide")
        task_id, created = self._record(outgoing, outgoing.guide_userid)
        outcome = super().send(replace(outgoing, text=task_message(outgoing, task_id)))
        if outcome.status not in ("sent", "unknown") and created:  # unknown: the guide may have it
            with self.db.session() as session:
                GuideTaskService(session, self.db.clock).withdraw(task_id)
        return outcome

    def _record(self, outgoing: Outgoing, guide_userid: str) -> tuple[int, bool]:
        """The delivery's task, committed before WeChat is called: (task id, whether it is new)."""
        with self.db.session() as session:
            staff = CustomerService(session, self.db.clock).staff(guide_userid)
            task, created = GuideTaskService(session, self.db.clock).record(
                staff=staff, customer_id=outgoing.customer_id, text=outgoing.text, source=outgoing.playbook_name,
                delivery_id=outgoing.delivery_id)
            session.flush()
            return task.id, created

    def _send(self, outgoing: Outgoing) -> Outcome:
        assert outgoing.guide_userid is not None  # checked in send()
        return from_result(self.outbound.send_app_text(outgoing.guide_userid, outgoing.text,
                                                       customer_id=outgoing.customer_id, channel="guide_task"))


def task_message(outgoing: Outgoing, task_id: int) -> str:
    """What the guide reads: whom to write, the suggested text, and how to close the task."""
    who = outgoing.customer_name or outgoing.external_userid or f"#{outgoing.customer_id}"
    return (f"【剧本任务·{outgoing.playbook_name}】请发给客户「{who}」：\n{outgoing.text}\n\n"
            f"跟进任务 {task_id}：发送后回复「完成 {task_id}」标记已跟进。")


# Template messages since 2023-05-04: WeChat drops the `first` and `remark` lines, cuts each field to
# 20 characters and removes newlines.
TEMPLATE_DROPPED_FIELDS = ("first", "remark")
TEMPLATE_FIELD_CHARS = 20


def template_step_warnings(template_data: Mapping[str, str] | None) -> list[str]:
    """What a follower will not see of a step's template message, one `template_data.<key>: ...`
    line each (for `siyu playbook check`; warnings, the step still works)."""
    warnings = []
    for key, source in (template_data or {}).items():
        where = f"template_data.{key}"
        static = "{{" not in source and "{%" not in source
        if key in TEMPLATE_DROPPED_FIELDS:
            warnings.append(f"{where}: WeChat no longer shows the {key!r} line of template messages "
                            f"(since 2023-05-04); put what it says in a keyword field or in the text")
        elif static and len(source.strip()) > TEMPLATE_FIELD_CHARS:
            warnings.append(f"{where}: {len(source.strip())} characters; WeChat cuts each field to "
                            f"{TEMPLATE_FIELD_CHARS}")
        elif "\n" in source.strip():
            warnings.append(f"{where}: WeChat removes newlines from template fields")
    return warnings


class NoopChannel:
    """Sends nothing and succeeds: for benchmarks and dry runs."""

    idempotent = True

    def __init__(self, name: str) -> None:
        self.name = name

    def send(self, outgoing: Outgoing) -> Outcome:
        return Outcome("sent", 0)


def build_channels(outbound: Outbound, config: Config, db: Database) -> dict[str, Channel]:
    channels: list[Channel] = [cls(outbound, config) for cls in (
        KfChannel, MpCustomChannel, MpTemplateChannel, WecomMassChannel)]
    channels.append(GuideTaskChannel(outbound, config, db))
    return {channel.name: channel for channel in channels}


def reachable_channels(names: list[str], *, external_userid: str | None, openid: str | None,
                       guide_userid: str | None, template_id: str | None) -> list[str]:
    """The listed channels that could reach a customer with these identities (for previews)."""
    needs: dict[str, Any] = {
        "kf": external_userid, "mp_custom": openid, "mp_template": openid and template_id,
        "wecom_mass": external_userid and guide_userid, "guide_task": guide_userid,
    }
    return [name for name in names if needs.get(name)]
