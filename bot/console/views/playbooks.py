"""剧本: the list with live counts, the editor (TOML beside a form view, validated live), versions, preview."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from bot.analytics.playbook_report import playbook_report as build_report
from bot.analytics.playbook_report import report_json
from bot.analytics.stats import MIN_SAMPLE
from bot.analytics.whatif import CHANNEL_LABELS, what_if, whatif_json
from bot.console.directory import STAGE_LABELS
from bot.console.messages import in_chinese
from bot.console.playbook_editor import EditRejected, PlaybookEditor, diff_lines, validate
from bot.console.views.base import audit, bp, requires
from bot.playbooks.preview import preview_lines
from bot.web import current_runtime

MAX_SOURCE = 200_000


def _editor(session) -> PlaybookEditor:  # type: ignore[no-untyped-def]
    return PlaybookEditor(session, current_runtime().config.bot.playbooks_dir)


@bp.get("/playbooks")
@requires("admin", "operator")
def playbooks() -> str:
    with current_runtime().db.session() as session:
        return render_template("console/playbooks.html", rows=_editor(session).listing())


@bp.get("/playbooks/<playbook_id>")
@requires("admin", "operator")
def playbook_edit(playbook_id: str) -> str:
    with current_runtime().db.session() as session:
        editor = _editor(session)
        record = editor.record(playbook_id)
        if record is None:
            abort(404)
        text = editor.current_text(playbook_id)
        return render_template("console/playbook_edit.html", record=record, text=text, check=validate(text),
                               versions=editor.versions(playbook_id), problems=[], preview=None)


@bp.post("/playbooks/<playbook_id>")
@requires("admin", "operator")
def playbook_save(playbook_id: str) -> Response | tuple[str, int]:
    text = request.form.get("source", "")[:MAX_SOURCE].replace("\r\n", "\n")
    with current_runtime().db.session() as session:
        editor = _editor(session)
        record = editor.record(playbook_id)
        if record is None:
            abort(404)
        try:
            version = editor.save(playbook_id, text)
        except EditRejected as rejected:
            problems = in_chinese([{"line": p.line, "path": p.path, "message": p.message} for p in rejected.problems])
            return render_template("console/playbook_edit.html", record=record, text=text, check=validate(text),
                                   versions=editor.versions(playbook_id), problems=problems, preview=None), 400
        if version is not None:
            audit(session, "playbook_save", playbook_id, {"version": version})
    flash(f"已保存为版本 {version}，新进入的客户按新版本执行" if version else "内容没有变化")
    return redirect(url_for("console.playbook_edit", playbook_id=playbook_id))


@bp.post("/playbooks/validate")
@requires("admin", "operator")
def playbook_validate() -> Response:
    """The live check behind the editor: the same validator as `siyu playbook check`."""
    result = validate(request.form.get("source", "")[:MAX_SOURCE], request.form.get("id") or None)
    return jsonify(ok=result.ok, problems=in_chinese(result.problems), summary=result.summary)


@bp.post("/playbooks/<playbook_id>/enabled")
@requires("admin", "operator")
def playbook_enabled(playbook_id: str) -> Response:
    enabled = request.form.get("enabled") == "1"
    with current_runtime().db.session() as session:
        editor = _editor(session)
        if editor.record(playbook_id) is None:
            abort(404)
        try:
            version = editor.set_enabled(playbook_id, enabled)
        except EditRejected as rejected:
            flash(f"未能{'启用' if enabled else '停用'}：{rejected}", "error")
            return redirect(url_for("console.playbook_edit", playbook_id=playbook_id))
        audit(session, "playbook_enable" if enabled else "playbook_disable", playbook_id, {"version": version})
    flash(f"剧本已{'启用' if enabled else '停用'}")
    return redirect(request.form.get("back") == "list" and url_for("console.playbooks")
                    or url_for("console.playbook_edit", playbook_id=playbook_id))


@bp.post("/playbooks/<playbook_id>/rollback/<int:number>")
@requires("admin", "operator")
def playbook_rollback(playbook_id: str, number: int) -> Response:
    with current_runtime().db.session() as session:
        try:
            version = _editor(session).rollback(playbook_id, number)
        except LookupError:
            abort(404)
        except EditRejected as rejected:
            flash(f"版本 {number} 已不能通过当前校验：{rejected}", "error")
            return redirect(url_for("console.playbook_edit", playbook_id=playbook_id))
        audit(session, "playbook_rollback", playbook_id, {"to": number, "version": version})
    flash(f"已回滚到版本 {number} 的内容（保存为版本 {version}）" if version else "当前已是该版本的内容")
    return redirect(url_for("console.playbook_edit", playbook_id=playbook_id))


@bp.get("/playbooks/<playbook_id>/diff/<int:number>")
@requires("admin", "operator")
def playbook_diff(playbook_id: str, number: int) -> str:
    with current_runtime().db.session() as session:
        editor = _editor(session)
        old, record = editor.version(playbook_id, number), editor.record(playbook_id)
        if old is None or record is None:
            abort(404)
        lines = diff_lines(old.content, editor.current_text(playbook_id), f"版本 {number}",
                           f"版本 {record.current_version}（当前）")
        return render_template("console/playbook_diff.html", record=record, number=number, lines=lines)


@bp.post("/playbooks/<playbook_id>/preview")
@requires("admin", "operator")
def playbook_preview(playbook_id: str) -> str:
    runtime = current_runtime()
    raw = request.form.get("customer_id", "").strip()
    try:
        lines = preview_lines(runtime.config, runtime.db, runtime.clock, playbook_id,
                              customer_id=int(raw) if raw.isdigit() else None)
    except LookupError as error:
        lines = [f"无法预览：{error}"]
    with runtime.db.session() as session:
        editor = _editor(session)
        record = editor.record(playbook_id)
        if record is None:
            abort(404)
        text = editor.current_text(playbook_id)
        return render_template("console/playbook_edit.html", record=record, text=text, check=validate(text),
                               versions=editor.versions(playbook_id), problems=[], preview=lines,
                               preview_customer=raw)


@bp.get("/playbooks/<playbook_id>/report")
@requires("admin", "operator")
def playbook_report(playbook_id: str) -> str:
    with current_runtime().db.session() as session:
        record = _editor(session).record(playbook_id)
        if record is None:
            abort(404)
        data = report_json(build_report(session, playbook_id, current_runtime().config.scheduler.tz))
        return render_template("console/playbook_report.html", record=record, data=data, min_sample=MIN_SAMPLE)


@bp.get("/playbooks/<playbook_id>/whatif")
@requires("admin", "operator")
def playbook_whatif(playbook_id: str) -> str:
    runtime = current_runtime()
    with runtime.db.session() as session:
        record = _editor(session).record(playbook_id)
        if record is None:
            abort(404)
        data = whatif_json(what_if(session, runtime.config, playbook_id, runtime.clock.now()),
                           runtime.config.scheduler.tz)
        return render_template("console/playbook_whatif.html", record=record, data=data, labels=CHANNEL_LABELS,
                               stage_labels=STAGE_LABELS)
