"""渠道活码: channel codes made through WeCom, their tags, and adds / kept / conversions per code and per referrer.

Operators and admins make, change and delete codes; a guide sees only the codes they are a member
of, with only the customers who added them.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from bot.analytics.sqltime import SqlTime
from bot.channels.codes import ChannelCodeError, ChannelCodes, CodeDraft, ContactWays, as_dict
from bot.channels.stats import ChannelStats, conversion_events
from bot.console.views.base import audit, bp, requires, viewer
from bot.console.views.dashboard import period_from_request
from bot.models import ChannelCode, Staff
from bot.web import current_runtime

EXPLAIN = {
    "adds": "所选日期内通过该渠道码添加导购的不同客户数（同一客户添加同一码下的多位导购只计一次）。",
    "kept": "上述客户中，与该导购的好友关系至今仍在的人数（客户没有删除导购、导购也没有删除客户）。",
    "converted": "上述客户中，添加之后、所选结束日期之前有过转化事件的人数；转化事件：{events}。",
}


def _page(session, draft: CodeDraft | None = None, problems: dict[str, str] | None = None,  # type: ignore[no-untyped-def]
          editing: ChannelCode | None = None) -> str:
    runtime = current_runtime()
    tz = runtime.config.scheduler.tz
    period = period_from_request(runtime.clock.now().astimezone(tz).date())
    sql = SqlTime(session.get_bind().dialect.name, tz)
    since, until = sql.range_utc(period.start, period.end)
    who = viewer()
    staff = session.get(Staff, who.staff_id) if who.is_guide and who.staff_id else None
    codes = ChannelCodes(session, runtime.clock)
    listing = codes.listing((staff.userid if staff else "") if who.is_guide else None)
    events = conversion_events(runtime.config)
    stats = ChannelStats(session, since, until, events, (staff.id if staff else -1) if who.is_guide else None)
    guides = codes.guides()
    by_day = stats.adds_by_day([c.state for c in listing], sql.day)
    chart = {"days": sql.local_days(period.start, period.end),
             "codes": [{"name": c.name, "state": c.state, "adds": by_day.get(c.state, {})} for c in listing]}
    return render_template(
        "console/channels.html", codes=listing, numbers=stats.by_state([c.state for c in listing]),
        referrers=stats.referrers(), referral_total=stats.referral_total(), period=period,
        guides=guides, guide_names={g.userid: g.name or g.userid for g in guides}, draft=draft,
        problems=problems or {}, editing=editing, can_edit=not who.is_guide, chart=chart,
        explain={k: v.format(events="、".join(events)) for k, v in EXPLAIN.items()})


def _refused(draft: CodeDraft, problems: dict[str, str], code_id: int | None = None) -> tuple[str, int]:
    with current_runtime().db.read_session() as session:
        editing = ChannelCodes(session, current_runtime().clock).get(code_id) if code_id else None
        return _page(session, draft, problems, editing), 400


def _wecom() -> ContactWays:
    return ContactWays(current_runtime().outbound)


@bp.get("/channels")
@requires()
def channels() -> str:
    with current_runtime().db.read_session() as session:
        return _page(session)


@bp.post("/channels")
@requires("admin", "operator")
def channel_create() -> Response | tuple[str, int]:
    runtime = current_runtime()
    draft = CodeDraft.from_form(request.form)
    with runtime.db.read_session() as session:
        problems = ChannelCodes(session, runtime.clock).problems(draft)
    if problems:
        return _refused(draft, problems)
    try:
        made = _wecom().add(draft)  # no transaction open meanwhile
    except ChannelCodeError as error:
        return _refused(draft, {"wecom": str(error)})
    with runtime.db.session() as session:
        code = ChannelCodes(session, runtime.clock).store(draft, made, viewer().username)
        audit(session, "channel_create", code.state, {"id": code.id, **made, **as_dict(code)})
    flash(f"已创建渠道活码「{draft.name}」（state={draft.state}）")
    return redirect(url_for("console.channels"))


@bp.get("/channels/<int:code_id>")
@requires("admin", "operator")
def channel_edit(code_id: int) -> str:
    with current_runtime().db.read_session() as session:
        code = ChannelCodes(session, current_runtime().clock).get(code_id) or abort(404)
        return _page(session, CodeDraft(**as_dict(code)), editing=code)


@bp.post("/channels/<int:code_id>")
@requires("admin", "operator")
def channel_update(code_id: int) -> Response | tuple[str, int]:
    runtime = current_runtime()
    draft = CodeDraft.from_form(request.form)
    with runtime.db.read_session() as session:
        codes = ChannelCodes(session, runtime.clock)
        code = codes.get(code_id) or abort(404)
        config_id, problems = code.config_id, codes.problems(draft, editing=code)
    if problems:
        return _refused(draft, problems, code_id)
    try:
        _wecom().update(config_id, draft)
    except ChannelCodeError as error:
        return _refused(draft, {"wecom": str(error)}, code_id)
    with runtime.db.session() as session:
        codes = ChannelCodes(session, runtime.clock)
        code = codes.get(code_id) or abort(404)
        changes = codes.change(code, draft)
        if changes:
            audit(session, "channel_update", code.state, {"id": code.id, "changes": changes})
    flash(f"已保存渠道活码「{draft.name}」" if changes else "内容没有变化")
    return redirect(url_for("console.channels"))


@bp.post("/channels/<int:code_id>/delete")
@requires("admin", "operator")
def channel_delete(code_id: int) -> Response:
    runtime = current_runtime()
    with runtime.db.read_session() as session:
        code = ChannelCodes(session, runtime.clock).get(code_id) or abort(404)
        detail = {"id": code.id, "config_id": code.config_id, **as_dict(code)}
    try:
        _wecom().delete(detail["config_id"])
    except ChannelCodeError as error:
        flash(f"未删除：{error}", "error")
        return redirect(url_for("console.channels"))
    with runtime.db.session() as session:
        code = session.get(ChannelCode, code_id)
        if code is not None:
            session.delete(code)
        audit(session, "channel_delete", detail["state"], detail)
    flash(f"已删除渠道活码「{detail['name']}」；已通过它添加的客户和数据保留")
    return redirect(url_for("console.channels"))
