"""概览: the dashboard. Figures come from bot.analytics (SQL aggregates); charts are drawn by ECharts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import render_template, request

from bot.analytics.dashboard import RETENTION_DAYS, Dashboard, DateRange
from bot.console.directory import STAGE_LABELS, STAGES, TIER_LABELS, TIERS
from bot.console.views.base import bp, requires, viewer
from bot.web import current_runtime

MAX_RANGE_DAYS = 366

EXPLAIN = {
    "customers": "全部客户数（导购只计自己名下的客户）。",
    "new": "所选日期内首次接触（first_seen_at，按本地时区的日期）的客户数。",
    "dau": "所选最后一天内给我们发过消息（任一渠道的客户来信）的不同客户数。",
    "mau": "截至所选最后一天的 30 天内发过消息的不同客户数；粘性 = 这 30 天日活的平均值 ÷ 月活。",
    "nps": "所选日期内 NPS 回答（nps_answered 事件）：推荐者（9-10 分）占比减去贬损者（0-6 分）占比，"
           "范围 -100 到 100。",
    "stage": "客户当前所处的生命周期阶段（新客 / 活跃 / 沉睡 / 流失风险 / 已流失）与价值分层。",
    "new_by_day": "每天首次接触的客户数（按本地日期）。",
    "new_by_channel": "所选日期内添加导购的客户，按添加时的渠道码分组（显示渠道活码的名称，"
                      "没有对应活码时显示其 state）；同一客户同一渠道只计一次。",
    "messages": "每天客户发来的消息（收）和我们发出的消息（发），以及日活（当天发过消息的不同客户数）。"
                "过去的日子读每日汇总（每 10 分钟更新，消息按保留期删除后数字不变），今天实时计算。",
    "retention": "按首次接触所在周分组；第 N 天留存 = 在首次接触那天之后第 N 个自然日或更晚还给我们发过消息的客户 ÷ "
                 "首次接触已满 N 个自然日的客户（按本地日期）。格子里是百分比，括号里是人数。",
    "ltv_cohort": "LTV = 该组客户至今所有购买事件（purchase）金额之和 ÷ 该组客户数；按首次接触所在周分组。",
    "ltv_channel": "同上，按客户添加导购时的渠道码分组（只含所选日期内首次接触的客户）。",
    "response": "所选日期内剧本发出的消息，按渠道：48 小时内客户回复或点击链接的占比（回应率）。",
    "tasks": "所选日期内创建的导购跟进任务：完成占比，以及从创建到完成的平均小时数。",
}


def period_from_request(today: date) -> DateRange:
    default = DateRange.last_days(today, 30)
    try:
        start = date.fromisoformat(request.args.get("start", "")) if request.args.get("start") else default.start
        end = date.fromisoformat(request.args.get("end", "")) if request.args.get("end") else default.end
    except ValueError:
        return default
    if end < start:
        start, end = end, start
    if (end - start).days >= MAX_RANGE_DAYS:
        start = end - timedelta(days=MAX_RANGE_DAYS - 1)
    return DateRange(start, end)


def dashboard_data(dash: Dashboard, as_of: Any) -> dict[str, Any]:
    """Every figure of the page, as JSON-ready data (the page's charts and the browser test read this)."""
    dau = dash.daily_active()
    mau = dash.monthly_active()
    nps = dash.nps()
    last_30 = list(dau.values())[-30:]
    return {
        "period": {"start": dash.period.start.isoformat(), "end": dash.period.end.isoformat()},
        "customers": dash.customers_total(),
        "stages": _ordered(dash.by_stage(), STAGES, STAGE_LABELS),
        "tiers": _ordered(dash.by_tier(), TIERS, TIER_LABELS),
        "new_by_day": dash.new_by_day(),
        "new_by_channel": dash.new_by_channel(),
        "channel_names": dash.channel_names(),
        "messages": dash.messages_by_day(),
        "dau": dau,
        "dau_last": list(dau.values())[-1] if dau else 0,
        "mau": mau,
        "stickiness": (sum(last_30) / len(last_30) / mau) if mau and last_30 else None,
        "nps": {"score": nps.score, "answers": nps.answers, "promoters": nps.promoters, "passives": nps.passives,
                "detractors": nps.detractors},
        "retention": [{"week": c.week, "size": c.size,
                       "days": {str(n): {"retained": c.retained[n][0], "eligible": c.retained[n][1],
                                         "rate": c.rate(n)} for n in RETENTION_DAYS}}
                      for c in dash.retention(as_of)],
        "retention_days": list(RETENTION_DAYS),
        "ltv_cohort": dash.ltv_by_cohort(),
        "ltv_channel": dash.ltv_by_channel(),
        "response": dash.channel_response(),
        "tasks": dash.guide_tasks(),
    }


def _ordered(counts: dict[str, int], order: tuple[str, ...], labels: dict[str, str]) -> dict[str, int]:
    keys = [k for k in order if k in counts] + sorted(k for k in counts if k not in order)
    return {labels.get(k, k): counts[k] for k in keys}


@bp.get("/dashboard")
@requires()
def dashboard() -> str:
    runtime = current_runtime()
    tz = runtime.config.scheduler.tz
    now = runtime.clock.now()
    period = period_from_request(now.astimezone(tz).date())
    who = viewer()
    with runtime.db.session() as session:
        dash = Dashboard(session, tz, period, staff_id=(who.staff_id or -1) if who.is_guide else None)
        data = dashboard_data(dash, min(now, dash.until))
    return render_template("console/dashboard.html", data=data, explain=EXPLAIN, period=period)
