"""The guide's commands in the WeCom app: 「查 小美」「#A12 好的」「标签 小美 +VIP」...

Each command is a plain function registered with its Chinese name, aliases, a usage example and
a one-line summary; 「帮助」 lists exactly these. A command answers with one chat message; an
unknown command or a bad argument gets a one-line explanation with an example, never silence.
Every command is recorded (who, what, about whom, with what outcome) in `guide_actions`.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Config, GuideEventConfig
from bot.db import insert_row
from bot.guides import relay
from bot.guides.lookup import Ambiguous, GuideError, display_name, find_customer, ref_of
from bot.guides.profile import build_profile
from bot.guides.scripts import ScriptShelf
from bot.guides.tasks import GuideTaskError, GuideTaskService
from bot.models import Customer, CustomerNote, Enrolment, GuideAction, PlaybookRecord, SharedValue, Staff
from bot.services.customers import CustomerService

logger = logging.getLogger(__name__)

CHOICE_SECONDS = 600  # a numbered choice can be answered for 10 minutes
REPLY_BY_REF = re.compile(r"^[#＃]\s*([Aa]\d{1,9})(?:\s+(?P<rest>.*))?$", re.DOTALL)


class Usage(GuideError):
    """A bad argument: the answer says how to write the command."""


@dataclass
class Context:
    """What a command may use; built per message by the guides feature."""

    session: Session
    clock: Clock
    config: Config
    staff: Staff
    customers: CustomerService
    tasks: GuideTaskService
    shelf: ScriptShelf
    tagging: Any = None  # the tagging feature's TaggingService, when tagging is installed
    key: str = ""  # unique per guide message (its callback id): makes relayed replies idempotent
    via: str = "app"
    customer: Customer | None = field(default=None)  # the customer the command acted on, for the record

    @property
    def is_admin(self) -> bool:
        return self.staff.userid in self.config.guides.admins

    def find(self, query: str, *, former: bool = False) -> Customer:
        self.customer = find_customer(self.session, self.staff, query, any_customer=self.is_admin, former=former)
        return self.customer


Run = Callable[[Context, str], str]


@dataclass(frozen=True)
class Command:
    name: str
    aliases: tuple[str, ...]
    usage: str
    summary: str
    run: Run
    admin: bool = False


COMMANDS: list[Command] = []


def command(name: str, *aliases: str, usage: str, summary: str, admin: bool = False) -> Callable[[Run], Run]:
    def register(run: Run) -> Run:
        COMMANDS.append(Command(name, aliases, usage, summary, run, admin))
        return run
    return register


def _words() -> list[tuple[str, Command]]:
    """Every name and alias, longest first, so 「任务列表」 wins over 「任务」."""
    pairs = [(word, c) for c in COMMANDS for word in (c.name, *c.aliases)]
    return sorted(pairs, key=lambda pair: -len(pair[0]))


def parse(text: str) -> tuple[Command, str] | None:
    """The command a message names and its arguments; 「查小美」 works without the space."""
    lowered = text.lower()
    for word, cmd in _words():
        if lowered.startswith(word.lower()):
            rest = text[len(word):]
            if rest and word.isascii() and not rest[0].isspace():
                continue  # 「helpme」 is not 「help」
            return cmd, rest.strip()
    return None


def handle(ctx: Context, text: str) -> str:
    """Run the guide's message as a command; always an answer, and always recorded."""
    text = text.strip()
    name, outcome = "", "ok"
    try:
        if (match := REPLY_BY_REF.match(text)) is not None:
            name = "#回复"
            answer = reply_by_ref(ctx, match[1], match["rest"] or "")
        elif text.isdecimal() and len(text) <= 2:
            name = "选择"
            answer = choose(ctx, int(text))
        elif (found := parse(text)) is not None:
            cmd, args = found
            name = cmd.name
            if cmd.admin and not ctx.is_admin:
                outcome = "denied"
                answer = f"「{cmd.name}」只有管理员可以使用。"
            else:
                answer = cmd.run(ctx, args)
        else:
            name, outcome = "未知", "invalid"
            answer = unknown(text)
    except Ambiguous as choice:
        outcome = "invalid"
        remember_choice(ctx, text, choice)
        answer = str(choice)
    except Usage as error:
        outcome, answer = "invalid", str(error)
    except GuideError as error:
        outcome = "denied" if "不是您的" in str(error) else "invalid"
        answer = str(error)
    except GuideTaskError as error:
        outcome = "denied" if "不是您的" in str(error) else "invalid"
        answer = str(error)
    record(ctx, name or "未知", text, outcome)
    return answer


def record(ctx: Context, name: str, text: str, outcome: str) -> None:
    record_action(ctx.session, ctx.staff, name, text, outcome, ctx.customer.id if ctx.customer else None, ctx.via)


def record_action(session: Session, staff: Staff, command: str, text: str, outcome: str,
                  customer_id: int | None = None, via: str = "app") -> None:
    """Who did what, about whom, with what outcome (the time is stamped on insert); in a batch, the
    row goes in with the batch's others (bot.bulk)."""
    insert_row(session, GuideAction, {"staff_id": staff.id, "command": command[:32], "text": text[:2000],
                                      "outcome": outcome, "customer_id": customer_id, "via": via})


def unknown(text: str) -> str:
    word = text.split()[0][:10] if text.split() else text[:10]
    return f"没有「{word}」这个指令。发送「帮助」查看全部指令，例如「查 小美」查看客户画像。"


# --- numbered choices ---------------------------------------------------------------------------

def _choice_key(staff: Staff) -> str:
    return f"guides:choice:{staff.userid}"


def remember_choice(ctx: Context, text: str, choice: Ambiguous) -> None:
    key = _choice_key(ctx.staff)
    row = ctx.session.get(SharedValue, key) or SharedValue(key=key)
    row.value = json.dumps({"text": text, "query": choice.query, "ids": [c.id for c in choice.candidates]})
    row.expires_at = ctx.clock.now() + timedelta(seconds=CHOICE_SECONDS)
    ctx.session.add(row)


def choose(ctx: Context, number: int) -> str:
    """A bare number answers the last numbered choice: the command runs again for that customer."""
    row = ctx.session.get(SharedValue, _choice_key(ctx.staff))
    if row is None or row.expires_at is None or row.expires_at < ctx.clock.now():
        raise Usage("没有待选择的客户。发送「帮助」查看指令。")
    saved = json.loads(row.value)
    if not 1 <= number <= len(saved["ids"]):
        raise Usage(f"请回复 1 到 {len(saved['ids'])} 之间的序号。")
    ctx.session.delete(row)
    retyped = saved["text"].replace(saved["query"], f"#{ref_of(saved['ids'][number - 1])}", 1)
    return handle(ctx, retyped)


# --- replying to customers ------------------------------------------------------------------------

def reply_by_ref(ctx: Context, ref: str, rest: str) -> str:
    """「#A12 好的」 relays the text; 「#A12 2」 sends suggestion 2 of the last forward."""
    customer = ctx.find("#" + ref)
    return _reply(ctx, customer, rest, example=f"#{ref} 好的，周六上午给您约上")


def _reply(ctx: Context, customer: Customer, rest: str, example: str) -> str:
    rest = rest.strip()
    if not rest:
        raise Usage(f"请写上要回复的内容，例如「{example}」，或「#{ref_of(customer.id)} 1」发送建议 1。")
    text = rest
    if rest.isdecimal() and len(rest) <= 2:
        suggestion = relay.latest_suggestion(ctx.session, ctx.staff, customer, int(rest))
        if suggestion is None:
            raise Usage(f"{display_name(customer)}最近的消息没有建议 {rest}。直接写回复内容即可，例如「{example}」。")
        text = suggestion
    relay.queue_reply(ctx.session, ctx.clock, ctx.staff, customer, text, key=ctx.key or f"{ctx.staff.id}:{text}")
    return ""  # the relay task tells the guide how it went


@command("回复", "答复", usage="回复 小美 好的，周六上午给您约上", summary="回复客户（也可以「#A12 内容」）")
def reply_by_name(ctx: Context, args: str) -> str:
    query, _, rest = args.partition(" ")
    if not query:
        raise Usage("请写上客户和内容，例如「回复 小美 好的，周六上午给您约上」。")
    return _reply(ctx, ctx.find(query), rest, example=f"回复 {query} 好的")


# --- looking and noting ----------------------------------------------------------------------------

@command("查", "查询", "客户", "画像", usage="查 小美", summary="客户画像：标签、阶段、最近消息、剧本、任务")
def lookup(ctx: Context, args: str) -> str:
    if not args:
        raise Usage("请写上客户，例如「查 小美」或「查 #A12」。")
    customer = ctx.find(args, former=True)  # a customer who deleted the guide can still be looked at
    return build_profile(ctx.session, customer, ctx.staff).text(ctx.config.scheduler.tz)


@command("标签", "打标签", usage="标签 小美 +VIP -意向:预约", summary="给客户加（+）或去掉（-）标签，同步到企业微信")
def tags(ctx: Context, args: str) -> str:
    parts = args.split()
    changes = [p for p in parts if p[:1] in "+-＋－"]
    names = [p for p in parts if p[:1] not in "+-＋－"]
    if not names or not changes or any(len(c) < 2 for c in changes):
        raise Usage("请写上客户和要加减的标签，例如「标签 小美 +VIP -意向:预约」。")
    if ctx.tagging is None:
        raise GuideError("标签功能未启用。")
    customer = ctx.find(" ".join(names))
    added, removed, unchanged = [], [], []
    for change in changes:
        name = change[1:]
        if change[0] in "+＋":
            done = ctx.tagging.add(customer, name, source="manual", reason=f"{ctx.staff.name}手动添加")
            (added if done else unchanged).append(name)
        else:
            done = ctx.tagging.remove(customer, name)
            (removed if done else unchanged).append(name)
    parts_out = [f"已添加 {'、'.join(added)}" if added else "", f"已去掉 {'、'.join(removed)}" if removed else "",
                 f"{'、'.join(unchanged)} 无变化" if unchanged else ""]
    return f"{display_name(customer)}：" + "；".join(p for p in parts_out if p) + "。"


@command("备注", "记一笔", usage="备注 小美 对酒精过敏", summary="给客户写备注")
def note(ctx: Context, args: str) -> str:
    query, _, text = args.partition(" ")
    if not query or not text.strip():
        raise Usage("请写上客户和备注内容，例如「备注 小美 对酒精过敏」。")
    customer = ctx.find(query)
    ctx.session.add(CustomerNote(customer_id=customer.id, staff_id=ctx.staff.id, text=text.strip()[:1000]))
    return f"已为{display_name(customer)}添加备注。"


def _event(config: Config, word: str) -> GuideEventConfig | None:
    for event in config.guides.events:
        if word == event.name or word in event.aliases:
            return event
    return None


def _events_help(config: Config) -> str:
    return "、".join(e.aliases[0] if e.aliases else e.name for e in config.guides.events)


@command("记录", usage="记录 小美 治疗完成 项目=水光针", summary="记录业务事件（可触发剧本）")
def record_event(ctx: Context, args: str) -> str:
    parts = args.split()
    if len(parts) < 2:
        raise Usage(f"请写上客户和事件，例如「记录 小美 治疗完成 项目=水光针」。可记录：{_events_help(ctx.config)}。")
    event_at = next((i for i, p in enumerate(parts) if i > 0 and _event(ctx.config, p)), None)
    if event_at is None:
        raise Usage(f"没有这个事件。可记录：{_events_help(ctx.config)}，例如「记录 小美 治疗完成 项目=水光针」。")
    event = _event(ctx.config, parts[event_at])
    assert event is not None
    data: dict[str, str] = {}
    for pair in parts[event_at + 1:]:
        key, sep, value = pair.replace("＝", "=").partition("=")
        name = next((k for k, aliases in event.keys.items() if key == k or key in aliases), None)
        if not sep or not value or name is None:
            known = "、".join(a[0] if a else k for k, a in event.keys.items()) or "（无）"
            raise Usage(f"「{pair}」看不懂。{event.aliases[0] if event.aliases else event.name}可写的项：{known}，"
                        f"格式「项目=水光针」。")
        data[name] = value
    customer = ctx.find(" ".join(parts[:event_at]))
    ctx.customers.record_event(customer, event.name, ctx.clock.now(), {**data, "by": ctx.staff.userid},
                               source="guide")
    label = event.aliases[0] if event.aliases else event.name
    return f"已记录{display_name(customer)}「{label}」" + (f"（{'，'.join(f'{k}={v}' for k, v in data.items())}）"
                                                         if data else "") + "。"


# --- tasks -------------------------------------------------------------------------------------------

@command("任务", "我的任务", "任务列表", usage="任务", summary="待跟进任务")
def list_tasks(ctx: Context, args: str) -> str:
    return ctx.tasks.open_tasks(ctx.staff).text("您的待跟进任务")


@command("完成", usage="完成 编号", summary="标记任务已跟进，例如「完成 12」")
def complete(ctx: Context, args: str) -> str:
    raw = args.lstrip("#＃ ")
    if not raw.isdecimal():
        raise Usage("请带上任务编号，例如「完成 12」。发送「任务」查看编号。")
    task = ctx.tasks.complete(ctx.staff, raw)
    ctx.customer = ctx.session.get(Customer, task.customer_id)
    left = ctx.tasks.count_open(ctx.staff)
    rest = f"还有 {left} 条待跟进，发送「任务」查看。" if left else "待跟进任务已全部完成！"
    return f"已标记任务 {task.id} 完成。{rest}"


_DURATION = re.compile(r"^(\d{1,3})\s*(分钟|分|小时|个小时|天|min|h|d)$")
_CLOCK = re.compile(r"^(今天|明天|后天)?\s*(\d{1,2})(?:[:：点](\d{1,2})?)?分?$")


def parse_later(text: str, now: datetime, tz: Any) -> datetime | None:
    """「30分钟」「2小时」「3天」「明天」「明天10点」「15:30」 -> a moment after `now`."""
    text = text.strip()
    if (m := _DURATION.match(text)) is not None:
        unit = {"分钟": "minutes", "分": "minutes", "min": "minutes", "小时": "hours", "个小时": "hours",
                "h": "hours", "天": "days", "d": "days"}[m[2]]
        return now + timedelta(**{unit: int(m[1])})
    local = now.astimezone(tz)
    if text in ("明天", "后天"):
        days = 1 if text == "明天" else 2
        return (local + timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)
    if (m := _CLOCK.match(text)) is not None:
        hour, minute = int(m[2]), int(m[3] or 0)
        if hour > 23 or minute > 59:
            return None
        days = {"明天": 1, "后天": 2}.get(m[1] or "", 0)
        moment = (local + timedelta(days=days)).replace(hour=hour, minute=minute, second=0, microsecond=0)
        if not m[1] and moment <= local:
            moment += timedelta(days=1)
        return moment if moment > local else None
    return None


@command("稍后", "推迟", usage="稍后 编号 时间", summary="任务稍后再提醒，例如「稍后 12 明天10点」「稍后 12 2小时」")
def snooze(ctx: Context, args: str) -> str:
    raw, _, when = args.lstrip("#＃ ").partition(" ")
    until = parse_later(when, ctx.clock.now(), ctx.config.scheduler.tz) if when else None
    if not raw.isdecimal() or until is None:
        raise Usage("请写上任务编号和时间，例如「稍后 12 明天10点」「稍后 12 2小时」。")
    task = ctx.tasks.snooze(ctx.staff, raw, until)
    ctx.customer = ctx.session.get(Customer, task.customer_id)
    return f"好的，任务 {task.id} 将在 {until.astimezone(ctx.config.scheduler.tz):%m-%d %H:%M} 再提醒您。"


# --- playbooks ----------------------------------------------------------------------------------------

def _journey(ctx: Context, args: str, verb: str, statuses: tuple[str, ...]) -> tuple[Customer, Enrolment, str]:
    parts = args.split()
    if len(parts) < 2:
        raise Usage(f"请写上客户和剧本，例如「{verb} 小美 术后回访」。发送「查 小美」查看进行中的剧本。")
    customer = ctx.find(" ".join(parts[:-1]))
    wanted = parts[-1]
    rows = ctx.session.execute(select(Enrolment, PlaybookRecord.name)
                               .join(PlaybookRecord, PlaybookRecord.id == Enrolment.playbook_id)
                               .where(Enrolment.customer_id == customer.id, Enrolment.status.in_(statuses)))
    for enrolment, name in rows:
        if wanted in (enrolment.playbook_id, name):
            return customer, enrolment, name or enrolment.playbook_id
    raise Usage(f"{display_name(customer)}没有进行中的剧本「{wanted}」。发送「查 {display_name(customer)}」查看。")


@command("暂停", usage="暂停 小美 术后回访", summary="暂停客户的剧本（「继续」恢复）")
def pause(ctx: Context, args: str) -> str:
    from bot.guides.journeys import pause_enrolment

    customer, enrolment, name = _journey(ctx, args, "暂停", ("active",))
    pause_enrolment(ctx.session, enrolment, f"paused by {ctx.staff.userid}", ctx.clock.now())
    return f"已暂停{display_name(customer)}的「{name}」，发送「继续 {display_name(customer)} {name}」恢复。"


@command("继续", "恢复", usage="继续 小美 术后回访", summary="恢复暂停的剧本")
def resume(ctx: Context, args: str) -> str:
    from bot.guides.journeys import resume_enrolment

    customer, enrolment, name = _journey(ctx, args, "继续", ("paused",))
    resume_enrolment(ctx.session, enrolment, ctx.clock.now())
    return f"已恢复{display_name(customer)}的「{name}」。"


@command("退出", "结束", usage="退出 小美 术后回访", summary="让客户退出剧本")
def leave(ctx: Context, args: str) -> str:
    from bot.playbooks.engine import end_enrolment

    customer, enrolment, name = _journey(ctx, args, "退出", ("active", "paused"))
    end_enrolment(ctx.session, enrolment, "exited", f"ended by guide {ctx.staff.userid}", ctx.clock.now())
    return f"{display_name(customer)}已退出「{name}」，之后的步骤不再发送。"


# --- scripts, referral, transfer --------------------------------------------------------------------

@command("话术", "话术库", usage="话术 价格", summary="搜索话术库")
def scripts(ctx: Context, args: str) -> str:
    library = ctx.shelf.library()
    if not args:
        categories = sorted({s.category for s in library.scripts})
        if not categories:
            return f"话术库是空的：请运营同事在 {ctx.shelf.path} 里添加。"
        return f"话术分类：{'、'.join(categories)}。发送「话术 关键词」搜索，例如「话术 价格」。"
    found = library.search(args)
    if not found:
        return f"没有找到和「{args}」有关的话术。试试「话术 价格」「话术 预约」。"
    lines = [f"和「{args}」有关的话术："]
    lines += [f"{i}. 【{s.category}】{s.title}：{' '.join(s.text.split())}" for i, s in enumerate(found, start=1)]
    return "\n".join(lines)


@command("推荐码", "转介绍码", usage="推荐码 小美", summary="客户的专属推荐码：朋友扫码添加即记为其推荐")
def referral(ctx: Context, args: str) -> str:
    from bot.guides.referral import referral_code_for

    if not args:
        raise Usage("请写上客户，例如「推荐码 小美」。")
    customer = ctx.find(args)
    return referral_code_for(ctx.session, ctx.clock, ctx.staff, customer, key=ctx.key)


@command("转交", usage="转交 小美 guide_wang", summary="（管理员）把客户或导购的全部客户转给另一位导购", admin=True)
def transfer(ctx: Context, args: str) -> str:
    from bot.guides.transfer import request_from_command

    parts = args.split()
    if len(parts) != 2:
        raise Usage("请写上客户（或导购）和接手的导购，例如「转交 小美 guide_wang」或「转交 guide_li guide_wang」。")
    return request_from_command(ctx, parts[0], parts[1])


@command("帮助", "help", "?", "？", "菜单", usage="帮助", summary="本说明")
def help_(ctx: Context, args: str) -> str:
    return help_text(ctx)


def help_text(ctx: Context) -> str:
    lines = ["思域助手：客户在微信客服或公众号发来的消息会带着画像和建议话术推送给您。可用指令："]
    lines.append("· 「#A12 内容」回复客户，「#A12 1」发送建议 1（#A12 是推送里客户的编号）")
    for cmd in COMMANDS:
        if cmd.admin and not ctx.is_admin:
            continue
        lines.append(f"· 「{cmd.usage}」{cmd.summary}")
    at = ctx.config.scheduler.guide_digest_time
    if at is not None:
        lines.append(f"每天 {at:%H:%M} 推送您的待跟进任务；超时的任务提醒一次。")
    return "\n".join(lines)
