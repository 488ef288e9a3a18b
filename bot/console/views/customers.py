"""客户 and 客户详情: the filtered list, bulk tags, CSV export, one customer's profile and timeline."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from flask import Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from sqlalchemy import select

from bot.console.directory import (STAGE_LABELS, STAGES, TIER_LABELS, TIERS, CustomerDirectory, CustomerFilter,
                                   NotVisible, parse_birthday)
from bot.console.views.base import audit, bp, page_number, requires, viewer
from bot.models import Customer, Enrolment
from bot.playbooks.engine import end_enrolment
from bot.services.customers import ProfileError
from bot.web import current_runtime

MAX_BULK = 10_000
EVENT_TYPE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def _directory(session) -> CustomerDirectory:  # type: ignore[no-untyped-def]
    return CustomerDirectory(session, current_runtime().clock, viewer())


@bp.get("/customers")
@requires()
def customers() -> str:
    flt = CustomerFilter.from_args(request.args)
    page = page_number()
    with current_runtime().db.session() as session:
        directory = _directory(session)
        total = directory.count(flt)
        rows = directory.page(flt, page)
        return render_template("console/customers.html", rows=rows, total=total, page=page, flt=flt,
                               options=directory.options(), stages=STAGES, tiers=TIERS,
                               stage_labels=STAGE_LABELS, tier_labels=TIER_LABELS, page_size=50)


@bp.get("/customers.csv")
@requires()
def export_customers() -> Response:
    flt = CustomerFilter.from_args(request.args)
    runtime = current_runtime()
    with runtime.db.session() as session:
        audit(session, "export", "customers", flt.as_args())

    def generate() -> Iterator[str]:
        yield "\ufeff"  # Excel opens UTF-8 CSV correctly only with a BOM
        with runtime.db.session() as session:
            for row in _directory(session).export_rows(flt):
                buffer = io.StringIO()
                csv.writer(buffer).writerow(row)
                yield buffer.getvalue()

    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=customers.csv"})


@bp.post("/customers/bulk-tag")
@requires("admin", "operator")
def bulk_tag() -> Response:
    flt = CustomerFilter.from_args(request.form)
    name = request.form.get("tag_name", "").strip()
    if not 0 < len(name) <= 64:
        flash("标签名不能为空，最多 64 个字符", "error")
        return redirect(url_for("console.customers", **flt.as_args()))
    runtime = current_runtime()
    with runtime.db.session() as session:
        directory = _directory(session)
        ids = directory.ids(flt)
        if len(ids) > MAX_BULK:
            flash(f"一次最多给 {MAX_BULK} 位客户打标签，当前筛选出 {len(ids)} 位，请缩小范围", "error")
            return redirect(url_for("console.customers", **flt.as_args()))
        tagging = runtime.features["tagging"].service(session)
        added = 0
        for start in range(0, len(ids), 500):
            for customer in session.scalars(select(Customer).where(Customer.id.in_(ids[start:start + 500]))).unique():
                added += bool(tagging.add(customer, name, source="manual", reason=f"批量打标签（{viewer().username}）"))
        audit(session, "bulk_tag", name, {"filter": flt.as_args(), "matched": len(ids), "added": added})
    flash(f"已给 {added} 位客户打上「{name}」（筛选出 {len(ids)} 位）")
    return redirect(url_for("console.customers", **flt.as_args()))


@bp.get("/customers/<int:customer_id>")
@requires()
def customer_detail(customer_id: int) -> str:
    with current_runtime().db.session() as session:
        directory = _directory(session)
        try:
            customer = directory.get(customer_id)
        except NotVisible:
            abort(404)
        return render_template("console/customer.html", c=customer, tags=directory.tags(customer),
                               timeline=directory.timeline(customer), running=directory.running_playbooks(customer),
                               stage_labels=STAGE_LABELS, tier_labels=TIER_LABELS,
                               can_edit=viewer().role in ("admin", "operator", "guide"))


def _visible_customer(session, customer_id: int) -> Customer:  # type: ignore[no-untyped-def]
    try:
        return _directory(session).get(customer_id)
    except NotVisible:
        abort(404)


@bp.post("/customers/<int:customer_id>/profile")
@requires()
def update_profile(customer_id: int) -> Response:
    runtime = current_runtime()
    form = request.form
    attributes: dict[str, str | None] = {}
    for key in form.getlist("attr_key"):
        value = form.get(f"attr_value_{key}", "")
        attributes[key] = value if value.strip() else None
    new_key = form.get("new_key", "").strip()
    if new_key:
        attributes[new_key] = form.get("new_value", "").strip() or None
    try:
        birthday = parse_birthday(form.get("birthday", ""))
        with runtime.db.session() as session:
            customer = _visible_customer(session, customer_id)
            changes = runtime.customers(session).update_profile(customer, name=form.get("name"), birthday=birthday,
                                                                 attributes=attributes)
            if changes:
                audit(session, "customer_update", f"customer:{customer_id}", changes)
    except (ProfileError, ValueError) as error:
        flash(f"未保存：{error}", "error")
    else:
        flash("资料已保存" if changes else "没有改动")
    return redirect(url_for("console.customer_detail", customer_id=customer_id))


@bp.post("/customers/<int:customer_id>/tags")
@requires()
def tag_customer(customer_id: int) -> Response:
    runtime = current_runtime()
    name = request.form.get("tag_name", "").strip()
    reason = request.form.get("reason", "").strip()[:500]
    if not 0 < len(name) <= 64:
        flash("标签名不能为空，最多 64 个字符", "error")
        return redirect(url_for("console.customer_detail", customer_id=customer_id))
    with runtime.db.session() as session:
        customer = _visible_customer(session, customer_id)
        runtime.features["tagging"].service(session).add(customer, name, source="manual",
                                                         reason=reason or f"{viewer().username} 手动添加")
        audit(session, "customer_tag", f"customer:{customer_id}", {"tag": name, "reason": reason})
    flash(f"已添加标签「{name}」")
    return redirect(url_for("console.customer_detail", customer_id=customer_id))


@bp.post("/customers/<int:customer_id>/tags/remove")
@requires()
def untag_customer(customer_id: int) -> Response:
    runtime = current_runtime()
    name = request.form.get("tag_name", "")
    with runtime.db.session() as session:
        customer = _visible_customer(session, customer_id)
        if runtime.features["tagging"].service(session).remove(customer, name):
            audit(session, "customer_untag", f"customer:{customer_id}", {"tag": name})
            flash(f"已移除标签「{name}」")
    return redirect(url_for("console.customer_detail", customer_id=customer_id))


@bp.post("/customers/<int:customer_id>/events")
@requires()
def record_event(customer_id: int) -> Response:
    runtime = current_runtime()
    event_type = request.form.get("type", "").strip()
    if not EVENT_TYPE.match(event_type):
        flash("事件类型只能是小写字母、数字和下划线，以字母开头（如 purchase）", "error")
        return redirect(url_for("console.customer_detail", customer_id=customer_id))
    data: dict[str, object] = {}
    amount = request.form.get("amount", "").strip()
    if amount:
        try:
            data["amount"] = float(amount)
        except ValueError:
            flash(f"金额应为数字，而不是 {amount!r}", "error")
            return redirect(url_for("console.customer_detail", customer_id=customer_id))
    note = request.form.get("note", "").strip()[:500]
    if note:
        data["note"] = note
    with runtime.db.session() as session:
        customer = _visible_customer(session, customer_id)
        event = runtime.customers(session).record_event(customer, event_type, runtime.clock.now(), data,
                                                        source="console")
        audit(session, "customer_event", f"customer:{customer_id}", {"type": event_type, "event_id": event.id})
    flash(f"已记录事件 {event_type}")
    return redirect(url_for("console.customer_detail", customer_id=customer_id))


@bp.post("/customers/<int:customer_id>/enrolments/<int:enrolment_id>/stop")
@requires("admin", "operator")
def stop_enrolment(customer_id: int, enrolment_id: int) -> Response:
    runtime = current_runtime()
    with runtime.db.session() as session:
        _visible_customer(session, customer_id)
        enrolment = session.get(Enrolment, enrolment_id)
        if enrolment is None or enrolment.customer_id != customer_id or enrolment.status != "active":
            abort(404)
        end_enrolment(session, enrolment, "exited", f"stopped in the console by {viewer().username}",
                      runtime.clock.now())
        audit(session, "enrolment_pause", f"customer:{customer_id}",
              {"playbook": enrolment.playbook_id, "enrolment": enrolment_id})
    flash(f"已停止剧本 {enrolment.playbook_id}（剩余步骤已取消）")
    return redirect(url_for("console.customer_detail", customer_id=customer_id))
