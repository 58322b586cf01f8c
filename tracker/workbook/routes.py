"""Workbook in and out: /import (upload → preview → confirm), /import/template.xlsx, /export.xlsx.

Between preview and confirmation the uploaded file waits in the instance folder under a random
token bound to the uploader (``instance/imports/<token>.bin`` + ``.json``); files older than a
day are removed at the next upload. Confirmation validates the file again against the database
as it is then, and writes nothing if anything is wrong.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    current_app,
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
from tracker.workbook.export import export_bytes, template_bytes
from tracker.workbook.models import ImportBatch
from tracker.workbook.service import PREVIEW_ROWS, ImportPlan, apply_import, plan_import
from tracker.xlsx import XLSX

bp = Blueprint("workbook", __name__)

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
KEEP_SECONDS = 24 * 3600
ALLOWED = (".xlsx", ".xls", ".ods", ".xlsm")


def _uploads() -> Path:
    path = Path(current_app.instance_path) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _save_upload(data: bytes, filename: str, create_users: bool) -> str:
    folder = _uploads()
    now = time.time()
    for old in folder.iterdir():
        if now - old.stat().st_mtime > KEEP_SECONDS:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.bin").write_bytes(data)
    meta = {"user_id": current_user.id, "filename": filename, "create_users": create_users}
    (folder / f"{token}.json").write_text(json.dumps(meta, ensure_ascii=False))
    return token


def _load_upload(token: str) -> tuple[bytes, dict] | None:
    if not TOKEN_RE.match(token or ""):
        return None
    folder = _uploads()
    try:
        meta = json.loads((folder / f"{token}.json").read_text())
        data = (folder / f"{token}.bin").read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("user_id") != current_user.id:
        return None
    return data, meta


def _drop_upload(token: str) -> None:
    if TOKEN_RE.match(token or ""):
        for suffix in (".bin", ".json"):
            (_uploads() / f"{token}{suffix}").unlink(missing_ok=True)


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
        return _page(422, errors=plan.errors, filename=filename, create_users=create_users,
                     warnings=plan.warnings)
    token = _save_upload(data, filename, create_users) if plan.changes_anything else None
    return _page(plan=plan, token=token, filename=filename, create_users=create_users,
                 warnings=plan.warnings)


@bp.route("/import/confirm", methods=["POST"])
@supervisor_required
def import_confirm():
    """Write the previewed file: validated again, all or nothing."""
    token = request.form.get("token", "")
    loaded = _load_upload(token)
    if loaded is None:
        return _page(422, errors=["预览的文件已失效或不存在，请重新上传。"])
    data, meta = loaded
    plan: ImportPlan = plan_import(data, create_users=bool(meta.get("create_users")))
    if not plan.ok:
        _drop_upload(token)
        return _page(422, errors=plan.errors, filename=meta.get("filename"),
                     notice="系统中的数据在预览后有了变化，重新检查时发现以下问题，文件未导入。")
    if not plan.changes_anything:
        _drop_upload(token)
        flash("文件中的数据与系统中一致，未做任何修改。", "info")
        return redirect(url_for("workbook.import_page"), 303)
    batch = apply_import(plan, data, meta.get("filename") or "workbook.xlsx", current_user.id)
    _drop_upload(token)
    lines = "；".join(line.strip() for line in plan.summary_lines())
    flash(f"已导入“{batch.filename}”（导入记录 #{batch.id}）。{lines}。", "success")
    return redirect(url_for("workbook.import_page"), 303)


@bp.app_template_filter("wb_value")
def wb_value(value: object) -> str:
    """A value of the preview's "old → new" as the workbook writes it."""
    from tracker.audit.service import as_text

    text = as_text(value)
    return "（空）" if text in (None, "") else text


def _attachment(data: bytes, filename: str) -> Response:
    return Response(
        data,
        mimetype=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )


@bp.route("/import/template.xlsx")
@supervisor_required
def template():
    """The empty workbook: headers, validation lists and a 说明 sheet."""
    return _attachment(template_bytes(), "督办工作簿模板.xlsx")


@bp.route("/export.xlsx")
@login_required
def export():
    """Everything, in the workbook's shape (imports back changing nothing)."""
    from tracker.web import park_today

    return _attachment(export_bytes(), f"督办数据_{park_today():%Y%m%d}.xlsx")
