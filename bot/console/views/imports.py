"""导入: CSV customers and events, a dry run first, every bad row by line and field."""

from __future__ import annotations

from flask import render_template, request

from bot.console.views.base import audit, bp, requires
from bot.imports.service import ImportFileError, importer_for
from bot.web import current_runtime

MAX_UPLOAD = 20 * 1024 * 1024


@bp.route("/import", methods=["GET", "POST"])
@requires("admin", "operator")
def imports() -> str | tuple[str, int]:
    if request.method == "GET":
        return render_template("console/import.html", report=None, error="", kind="customers")
    kind = request.form.get("kind", "customers")
    dry_run = request.form.get("dry_run") == "1"
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("console/import.html", report=None, error="请选择一个 CSV 文件", kind=kind), 400
    data = upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return render_template("console/import.html", report=None, error="文件超过 20 MB，请分批导入",
                               kind=kind), 400
    runtime = current_runtime()
    try:
        report = importer_for(runtime).run(kind, data, dry_run=dry_run)
    except ImportFileError as error:
        return render_template("console/import.html", report=None, error=f"{upload.filename}：{error}",
                               kind=kind), 400
    if not dry_run:
        with runtime.db.session() as session:
            audit(session, "import", kind, {"file": upload.filename, "rows": report.rows, "created": report.created,
                                            "updated": report.updated, "bad": len(report.errors)})
    return render_template("console/import.html", report=report, error="", kind=kind, filename=upload.filename)
