"""Workbook in and out: /import (upload → preview → confirm), /import/template.xlsx, /export.xlsx.

Between preview and confirmation the uploaded file waits in the instance folder under a random
token bound to the uploader (``instance/imports/<token>.bin`` + ``.json``); files older than a
day are removed at the next upload (``uploads.py``). Confirmation validates the file again
against the database as it is then, and writes nothing if anything is wrong. A file of at least
``IMPORT_BACKGROUND_FROM`` data rows is imported by a worker (``jobs.py``): the confirmation
answers with the job's progress page at once.
"""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import defer, selectinload

from tracker.auth.permissions import supervisor_required
from tracker.extensions import db
from tracker.http import is_htmx, park_today
from tracker.jobs import enqueue
from tracker.jobs.routes import follow
from tracker.workbook import uploads
from tracker.workbook.export import export_file, template_bytes
from tracker.workbook.jobs import exports_in_background, runs_in_background
from tracker.workbook.models import ImportBatch
from tracker.workbook.parse import listed_errors
from tracker.workbook.pipeline import run_import, summary_message
from tracker.workbook.plan import PREVIEW_ROWS, plan_import
from tracker.xlsx import attachment

bp = Blueprint("workbook", __name__)

ALLOWED = (".xlsx", ".xls", ".ods", ".xlsm")


def _page(status: int = 200, **context: object) -> tuple[str, int]:
    batches = db.session.scalars(
        select(ImportBatch)
        .options(defer(ImportBatch.content), selectinload(ImportBatch.user))
        .order_by(ImportBatch.id.desc())
        .limit(10)
    ).all()
    context.setdefault("errors", [])
    context.setdefault("plan", None)
    return (
        render_template("workbook/import.html", batches=batches, preview_rows=PREVIEW_ROWS, **context),
        status,
    )


@bp.route("/import", methods=["GET", "POST"])
@supervisor_required
def import_page():
    """Upload a workbook and see what it would change; nothing is written here."""
    if request.method == "GET":
        return _page()
    upload = request.files.get("file")
    create_users = request.form.get("create_users") == "1"
    if upload is None or not upload.filename:
        return _page(422, errors=["请选择要导入的工作簿文件（.xlsx、.xls 或 .ods）。"],
                     create_users=create_users)
    filename = Path(upload.filename).name
    if not filename.lower().endswith(ALLOWED):
        return _page(422, errors=[f"“{filename}”不是工作簿文件：请上传 .xlsx、.xls 或 .ods 文件。"],
                     create_users=create_users)
    data = upload.read()
    plan = plan_import(data, create_users=create_users)
    if not plan.ok:
        return _page(422, errors=listed_errors(plan.errors), error_total=len(plan.errors),
                     filename=filename, create_users=create_users,
                     warnings=plan.warnings)
    token = None
    if plan.changes_anything:
        token = uploads.save(data, {"user_id": current_user.id, "filename": filename,
                                    "create_users": create_users, "rows": plan.rows})
    return _page(plan=plan, token=token, filename=filename, create_users=create_users,
                 warnings=plan.warnings)


@bp.route("/import/confirm", methods=["POST"])
@supervisor_required
def import_confirm():
    """Write the previewed file: validated again, all or nothing; a large file in a worker."""
    token = request.form.get("token", "")
    expired = ["预览的文件已失效或不存在，请重新上传。"]
    meta = uploads.load_meta(token, current_user.id)
    if meta is not None and runs_in_background(int(meta.get("rows") or 0)):
        claimed = uploads.claim(token, current_user.id)
        if claimed is None:
            return _page(422, errors=expired)
        params = {"token": claimed, "back": url_for("workbook.import_page"), "back_label": "返回导入页面"}
        return follow(enqueue("workbook_import", params, current_user.id))
    loaded = uploads.load(token, current_user.id)
    if loaded is None:
        return _page(422, errors=expired)
    data, meta = loaded
    outcome = run_import(data, meta.get("filename") or "workbook.xlsx", current_user.id,
                         create_users=bool(meta.get("create_users")), today=park_today())
    uploads.drop(token)
    if not outcome.plan.ok:
        return _page(422, errors=listed_errors(outcome.plan.errors),
                     error_total=len(outcome.plan.errors), filename=meta.get("filename"),
                     notice="系统中的数据在预览后有了变化，重新检查时发现以下问题，文件未导入。")
    if outcome.batch is None:
        flash("文件中的数据与系统中一致，未做任何修改。", "info")
    else:
        flash(summary_message(outcome.plan, outcome.batch), "success")
    return _redirect_to_import()


def _redirect_to_import():
    if is_htmx():
        return "", 204, {"HX-Redirect": url_for("workbook.import_page")}
    return redirect(url_for("workbook.import_page"), 303)


@bp.app_template_filter("wb_value")
def wb_value(value: object) -> str:
    """A value of the preview's "old → new" as the workbook writes it."""
    from tracker.audit.service import as_text

    text = as_text(value)
    return "（空）" if text in (None, "") else text


@bp.route("/import/template.xlsx")
@supervisor_required
def template():
    """The empty workbook: headers, validation lists and a 说明 sheet."""
    return attachment("督办工作簿模板.xlsx", template_bytes())


@bp.route("/export.xlsx", methods=["GET", "POST"])
@login_required
def export():
    """Everything, in the workbook's shape (imports back changing nothing). A large park is
    exported by a worker: the address offers it (a GET never queues work), POST queues it."""
    if exports_in_background():
        if request.method == "POST":
            return follow(enqueue("workbook_export", {}, current_user.id))
        return render_template("workbook/export_large.html")
    return attachment(f"督办数据_{park_today():%Y%m%d}.xlsx", export_file())
