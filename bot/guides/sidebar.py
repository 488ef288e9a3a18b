"""The chat sidebar (聊天工具栏) at /sidebar/: the guide's view of the customer in the open chat.

WeCom opens the page inside a 1:1 chat. The guide is identified by OAuth2 (`code` ->
`auth/getuserinfo`, then a signed cookie for 8 hours); the customer by the JS-SDK in the page
(`wx.config` + `wx.agentConfig`, then `getContext` and `getCurExternalContact`). The JSON API
below only answers about customers the signed-in guide serves; every change is recorded.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, g, jsonify, redirect, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.guides import relay
from bot.guides.commands import record_action
from bot.guides.lookup import display_name, serves
from bot.guides.profile import build_profile
from bot.guides.scripts import as_json
from bot.guides.tasks import GuideTaskError
from bot.labels.scores import given_tags
from bot.labels.store import LabelError, label_wrong
from bot.models import Customer, CustomerNote, CustomerTag, Message, Staff, Tag
from bot.playbooks.engine import customer_context
from bot.jobs.tasks import TaskQueue
from bot.web import current_runtime
from bot.wechat.jssdk import JsSdkError, page_config
from bot.wechat.oauth import OAuthError, authorize_url, userid_from_code

logger = logging.getLogger(__name__)
bp = Blueprint("sidebar", __name__, url_prefix="/sidebar", template_folder="templates", static_folder="static")

COOKIE = "siyu_guide"
COOKIE_SECONDS = 8 * 3600
SCRIPTS_SHOWN = 8


def _signer() -> URLSafeTimedSerializer:
    config = current_runtime().config.wecom
    # Derived from the app secret: no extra key to configure, and it changes when the secret does.
    key = hashlib.sha256(b"siyu-sidebar:" + config.secret.get_secret_value().encode()).hexdigest()
    return URLSafeTimedSerializer(key, salt="sidebar-guide")


def _guide_userid() -> str | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        return str(_signer().loads(raw, max_age=COOKIE_SECONDS))
    except BadSignature:
        return None


def _problem(message: str, status: int) -> tuple[Response, int]:
    return jsonify(error="sidebar", message=message), status


def guide_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """API views: the signed-in guide as `g.staff` and the request's session as `g.session`, else 401."""
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        userid = _guide_userid()
        if userid is None:
            return _problem("登录已过期，请重新打开聊天工具栏。", 401)
        runtime = current_runtime()
        with runtime.db.session() as session:
            g.session, g.staff = session, runtime.customers(session).staff(userid)
            answer = view(*args, **kwargs)
        runtime.tasks.kick()  # tag syncs and the like run right after the commit
        return answer
    return wrapper


@bp.get("/")
def page() -> Response | str | tuple[str, int]:
    """The page; without a signed-in guide, a round trip through WeCom's OAuth first."""
    runtime = current_runtime()
    code = request.args.get("code")
    if code:
        try:
            userid = userid_from_code(runtime.outbound, code)
        except OAuthError as error:
            return render_template("sidebar_problem.html", message=str(error)), 403
        response = redirect(url_for("sidebar.page"))
        response.set_cookie(COOKIE, _signer().dumps(userid), max_age=COOKIE_SECONDS, httponly=True,
                            samesite="Lax", secure=request.is_secure)
        return response
    userid = _guide_userid()
    if userid is None:
        return redirect(authorize_url(runtime.config.wecom, url_for("sidebar.page", _external=True), state="sidebar"))
    with runtime.db.session() as session:
        staff = runtime.customers(session).staff(userid)
        name = staff.name
        tags = sorted(session.scalars(select(Tag.name)))
    return render_template("sidebar.html", jssdk_url=runtime.config.wecom.jssdk_url, guide=name, known_tags=tags)


@bp.get("/api/jsconfig")
def jsconfig() -> Response | tuple[Response, int]:
    """Signatures for wx.config / wx.agentConfig at the page's URL (without `#`). No transaction
    is open while the tickets are fetched from WeCom."""
    runtime = current_runtime()
    if _guide_userid() is None:
        return _problem("登录已过期，请重新打开聊天工具栏。", 401)
    url = request.args.get("url", "")
    if not url.startswith(("http://", "https://")) or len(url) > 2000:
        return _problem("url 参数错误：应为当前页面的完整地址（不含 # 之后的部分）。", 400)
    if runtime.outbound.wecom is None:
        return _problem("企业微信未配置，无法签名。", 503)
    try:
        return jsonify(page_config(runtime.outbound.wecom, runtime.config.wecom.corp_id,
                                   runtime.config.wecom.agent_id, url))
    except JsSdkError as error:
        return _problem(str(error), 502)


def _customer(session: Session, staff: Staff, customer: Customer | None) -> Customer:
    if customer is None:
        raise LookupError("这位客户还没有同步到思域（可能刚刚添加），请稍后刷新。")
    if not serves(session, staff, customer):
        raise PermissionError(f"{display_name(customer)}不是您的客户，侧边栏只显示您自己的客户。")
    return customer


def _guarded(find: Callable[[], Customer | None]) -> tuple[Customer | None, tuple[Response, int] | None]:
    try:
        return _customer(g.session, g.staff, find()), None
    except LookupError as error:
        return None, _problem(str(error), 404)
    except PermissionError as error:
        record_sidebar("查看", None, "denied", str(error))
        return None, _problem(str(error), 403)


def record_sidebar(command: str, customer: Customer | None, outcome: str, text: str = "") -> None:
    record_action(g.session, g.staff, command, text, outcome, customer.id if customer else None, via="sidebar")


def _profile_json(customer: Customer) -> dict[str, Any]:
    runtime = current_runtime()
    session, staff = g.session, g.staff
    tz = runtime.config.scheduler.tz
    profile = build_profile(session, customer, staff).as_json(tz)
    guides = runtime.features["guides"]
    context = customer_context(session, customer)
    last = session.scalar(select(Message.content).where(Message.customer_id == customer.id, Message.direction == "in")
                          .order_by(Message.created_at.desc(), Message.id.desc()).limit(1)) or ""
    library = guides.shelf.library()
    ranked = library.rank(last, set(context.tags), limit=SCRIPTS_SHOWN)
    chosen = [r.script for r in ranked] + [s for s in library.scripts if s not in {r.script for r in ranked}]
    now = runtime.clock.now().astimezone(tz)
    profile["scripts"] = [as_json(s, s.render(context, now)) for s in chosen[:SCRIPTS_SHOWN]]
    profile["guide_user"] = staff.name
    return profile


@bp.get("/api/customer")
@guide_required
def customer_view() -> Response | tuple[Response, int]:
    external_userid = request.args.get("external_userid", "")
    customer, problem = _guarded(lambda: g.session.scalar(
        select(Customer).where(Customer.external_userid == external_userid)) if external_userid else None)
    if problem is not None:
        return problem
    assert customer is not None
    record_sidebar("查看", customer, "ok")
    return jsonify(_profile_json(customer))


def _by_id(customer_id: int) -> tuple[Customer | None, tuple[Response, int] | None]:
    return _guarded(lambda: g.session.get(Customer, customer_id))


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


@bp.post("/api/customer/<int:customer_id>/tags")
@guide_required
def edit_tags(customer_id: int) -> Response | tuple[Response, int]:
    """{"add": [...], "remove": [...]}: tags change here and, a moment later, in WeCom's corp tags."""
    customer, problem = _by_id(customer_id)
    if problem is not None:
        return problem
    assert customer is not None
    body = _body()
    add, remove = body.get("add") or [], body.get("remove") or []
    if not all(isinstance(n, str) and 0 < len(n.strip()) <= 64 for n in [*add, *remove]) or not (add or remove):
        return _problem("请给出要添加（add）或去掉（remove）的标签名（每个 1～64 个字）。", 400)
    tagging = current_runtime().features["tagging"].service(g.session)
    for name in add:
        tagging.add(customer, name.strip(), source="manual", reason=f"{g.staff.name}在侧边栏添加")
    for name in remove:
        tagging.remove(customer, name.strip())
    TaskQueue(g.session, current_runtime().clock).enqueue(
        "sync_wecom_tags", f"sync_wecom_tags:sidebar:{customer.id}:{current_runtime().clock.now().isoformat()}",
        {"customer_id": customer.id})
    record_sidebar("标签", customer, "ok", " ".join([*(f"+{n}" for n in add), *(f"-{n}" for n in remove)]))
    return jsonify(_profile_json(customer))


@bp.post("/api/customer/<int:customer_id>/tags/wrong")
@guide_required
def tag_wrong(customer_id: int) -> Response | tuple[Response, int]:
    """{"tag": name}: 标错了, a tag the rules gave from one of the customer's messages that it should not have.
    The message is labelled (标注) with its tags without this one, and the tag comes off the customer."""
    customer, problem = _by_id(customer_id)
    if problem is not None:
        return problem
    assert customer is not None
    name = str(_body().get("tag") or "").strip()
    message = g.session.execute(
        select(Message.id, Message.content).join(CustomerTag, CustomerTag.message_id == Message.id)
        .join(Tag, Tag.id == CustomerTag.tag_id)
        .where(CustomerTag.customer_id == customer.id, Tag.name == name, CustomerTag.source == "keyword",
               Message.customer_id == customer.id, Message.direction == "in")).first()
    if message is None:
        return _problem(f"「{name}」不是按关键词从这位客户的消息里打上的标签，不能标错；不要它的话点 × 去掉。", 400)
    tagging = current_runtime().features.get("tagging")
    if tagging is None:
        return _problem("现在没有在运行标签规则，不能标注。", 409)
    rules, tagger = tagging.store.current()
    runtime = current_runtime()
    try:
        label_wrong(g.session, message.id, name, given_tags(tagger, message.content),
                    {rule.tag for rule in rules.keyword_rules}, f"{g.staff.name}（导购）", runtime.clock.now())
    except LabelError as refused:
        return _problem(str(refused), 400)
    tagging.service(g.session).remove(customer, name)
    record_sidebar("标错了", customer, "ok", f"{name}：{message.content}")
    return jsonify(_profile_json(customer))


@bp.post("/api/customer/<int:customer_id>/notes")
@guide_required
def add_note(customer_id: int) -> Response | tuple[Response, int]:
    customer, problem = _by_id(customer_id)
    if problem is not None:
        return problem
    assert customer is not None
    text = str(_body().get("text") or "").strip()
    if not 0 < len(text) <= 1000:
        return _problem("备注不能为空，最多 1000 字。", 400)
    g.session.add(CustomerNote(customer_id=customer.id, staff_id=g.staff.id, text=text))
    g.session.flush()
    record_sidebar("备注", customer, "ok", text)
    return jsonify(_profile_json(customer))


@bp.post("/api/customer/<int:customer_id>/sent")
@guide_required
def sent_to_chat(customer_id: int) -> Response | tuple[Response, int]:
    """The page put a text into the chat (sendChatMessage succeeded): recorded as the guide's."""
    customer, problem = _by_id(customer_id)
    if problem is not None:
        return problem
    assert customer is not None
    body = _body()
    text = str(body.get("text") or "").strip()
    if not 0 < len(text) <= 2000:
        return _problem("text 不能为空，最多 2000 字。", 400)
    runtime = current_runtime()
    now = runtime.clock.now()
    g.session.add(Message(customer_id=customer.id, staff_id=g.staff.id, direction="out", channel="wecom_chat",
                          msg_type="text", content=text, status="sent", created_at=now,
                          payload={"script": str(body.get("script_id") or ""), "via": "sidebar"}))
    relay.mark_answered(g.session, runtime.config, g.staff.id, customer.id, now)
    record_sidebar("发送话术", customer, "ok", text)
    return jsonify(ok=True)


@bp.post("/api/tasks/<int:task_id>/done")
@guide_required
def task_done(task_id: int) -> Response | tuple[Response, int]:
    runtime = current_runtime()
    try:
        task = runtime.guide_tasks(g.session).complete(g.staff, str(task_id))
    except GuideTaskError as error:
        return _problem(str(error), 409)
    customer = g.session.get(Customer, task.customer_id)
    record_sidebar("完成", customer, "ok", str(task_id))
    return jsonify(_profile_json(customer)) if customer is not None else jsonify(ok=True)
