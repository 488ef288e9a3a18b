"""`GET /r/<token>`: count a click on a playbook link, then send the visitor on; a feedback
button's link records the answer and shows a thank-you page instead."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, redirect, request

from bot.feedback.buttons import Click, link_option
from bot.feedback.page import thanks_page
from bot.playbooks.links import ClickFilter, link_clicked, record_hit
from bot.web import current_runtime

logger = logging.getLogger(__name__)
bp = Blueprint("links", __name__)
PAGE_HEADERS = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}


@bp.get("/r/<token>")
def follow(token: str) -> Response | tuple[str, int, dict[str, str]]:
    runtime = current_runtime()
    if len(token) > 32 or "\x00" in token:
        abort(404, description="unknown or expired link")
    links = runtime.config.links
    clicks = ClickFilter.from_patterns(links.ignore_user_agents, links.repeat_seconds)
    with runtime.db.session() as session:
        hit = record_hit(session, token, runtime.clock, request.headers.get("User-Agent", ""),
                         method=request.method, clicks=clicks)
        if hit is None:
            abort(404, description="unknown or expired link")
        option = link_option(hit.url)
        if option is None:
            if hit.counted:
                link_clicked(session, hit, runtime.clock, runtime.hooks)
            return redirect(hit.url, code=302)
        feedback = runtime.features["feedback"]
        service = feedback.service(session)
        if hit.counted:
            service.record(Click(hit.delivery_id, option), "link", runtime.clock.now())
        label = service.label(Click(hit.delivery_id, option))
    return thanks_page(feedback.thanks(option), label), 200, PAGE_HEADERS
