"""Attachment routes: serving files with their owner's read permission, uploading photos to a
report row, removing a file. Plain forms (multipart POST, then a redirect): no JavaScript."""

from __future__ import annotations

from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import undefer

from tracker.attachments import queries, service
from tracker.auth.permissions import can_report_for
from tracker.errors import Forbidden, Refused
from tracker.extensions import db
from tracker.files.imaging import MAX_BYTES, TOO_LARGE
from tracker.files.models import StoredFile
from tracker.jobs import enqueue
from tracker.jobs.routes import follow
from tracker.periods import Period
from tracker.projects.models import Project
from tracker.reports import grid as rows_of

bp = Blueprint("attachments", __name__)


def _readable(file_id: int, column) -> StoredFile:  # noqa: ANN001
    row = db.session.scalar(select(StoredFile).where(StoredFile.id == file_id)
                            .options(undefer(column)))
    # Another's draft and a guessed id look the same: not found.
    if row is None or not queries.can_read(current_user, row):
        abort(404, description="附件不存在。")
    return row


def _send(data: bytes, content_type: str, filename: str, inline: bool) -> Response:
    disposition = "inline" if inline else "attachment"
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "")
    return Response(data, mimetype=content_type, headers={
        "Content-Disposition": f"{disposition}; filename=\"{ascii_name}\"; "
                               f"filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "private, max-age=86400",
        # Whatever a file holds, the browser runs nothing of it.
        "Content-Security-Policy": "default-src 'none'; script-src 'self'; img-src 'self'; "
                                   "frame-ancestors 'none'; sandbox",
    })


@bp.route("/files/<int(max=2147483647):file_id>")
@login_required
def file(file_id: int):
    row = _readable(file_id, StoredFile.content)
    # Only our own re-encoded JPEGs show inline; a PDF (which may carry JavaScript) downloads.
    return _send(row.content, row.content_type, row.filename, inline=row.is_image)


@bp.route("/files/<int(max=2147483647):file_id>/thumb")
@login_required
def thumb(file_id: int):
    row = _readable(file_id, StoredFile.thumbnail)
    if row.thumbnail is None:
        abort(404, description="该附件没有缩略图。")
    return _send(row.thumbnail, "image/jpeg", f"thumb-{row.filename}", inline=True)


def _uploads(name: str) -> list[service.Upload]:
    """The chosen files of a multipart field (an empty picker sends one nameless part)."""
    out = []
    for storage in request.files.getlist(name):
        if not storage or not storage.filename:
            continue
        data = storage.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise Refused({name: f"{storage.filename}：{TOO_LARGE}"})
        out.append((storage.filename, data))
    return out


def _back(default: str) -> str:
    target = request.form.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else default


@bp.route("/report/<period:period>/<code>/photos", methods=["POST"])
@login_required
def upload_photos(period: Period, code: str):
    year, month = period
    project = db.session.scalar(select(Project).where(Project.code == code))
    if project is None:
        abort(404, description=f"项目 {code} 不存在。")
    if not can_report_for(current_user, project):
        abort(403)
    back = url_for("reports.grid", period=period, view="cards") + f"#row-{code}"
    try:
        uploads = _uploads("photos")
        caption = request.form.get("caption", "")
        if len(uploads) >= current_app.config["PHOTOS_BACKGROUND_FROM"]:
            raw_ids = service.keep_for_worker(current_user, project, year, month, uploads, caption)
            return follow(enqueue("photo_upload", {
                "raw_ids": raw_ids, "back": back, "back_label": "返回月度填报",
            }, current_user.id))
        stored = service.add_report_photos(current_user, project, year, month, uploads, caption)
    except Forbidden:
        abort(403)
    except Refused as exc:
        g.photo_errors = {project.id: exc.errors or {"photos": str(exc)}}
        rows = rows_of.grid_rows(current_user, year, month)
        return render_template("reports/grid.html", rows=rows, year=year, month=month,
                               summary=rows_of.summarize(rows)), 422
    flash(f"{project.name}：已上传 {len(stored)} 张照片。", "success")
    return redirect(_back(back))


@bp.route("/files/<int(max=2147483647):file_id>/delete", methods=["POST"])
@login_required
def delete(file_id: int):
    row = db.session.get(StoredFile, file_id)
    if row is None or not queries.can_read(current_user, row):
        abort(404, description="附件不存在。")
    name = row.label
    try:
        service.remove_file(current_user, row)
    except Forbidden:
        abort(403)
    except Refused as exc:
        flash(str(exc), "error")
        return redirect(_back(url_for("dashboard.index")))
    flash(f"已删除：{name}", "success")
    return redirect(_back(url_for("dashboard.index")))
