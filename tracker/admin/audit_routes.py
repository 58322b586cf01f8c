"""The audit trail viewer (/admin/audit): filters, pages, CSV and Excel downloads.

Supervisors and admins only. The CSV is UTF-8 with a BOM so that Excel opens the
Chinese text correctly; cells that Excel would run as a formula (starting with
= + - @) are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, render_template, request
from sqlalchemy import select

from tracker.admin import audit_queries as q
from tracker.audit import labels
from tracker.auth.models import User
from tracker.auth.permissions import supervisor_required
from tracker.extensions import db
from tracker.http import paginate
from tracker.timeutil import local
from tracker.xlsx import download

bp = Blueprint("audit", __name__)

HEADERS = ["时间", "操作人", "操作", "数据类别", "记录", "项目编号", "字段", "原值", "新值", "说明"]


def _safe_cell(value: object) -> str:
    """Text a spreadsheet shows as text, never runs as a formula (CSV / formula injection)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _export_rows(filters: q.Filters) -> list[list[str]]:
    tz = current_app.config["TIMEZONE"]
    rows = db.session.execute(q.filtered(filters, tz).limit(q.EXPORT_LIMIT)).all()
    return [
        [_safe_cell(v) for v in (
            local(e.at, tz).strftime("%Y-%m-%d %H:%M:%S"),
            e.user.name if e.user else "系统",
            labels.action_label(e.action),
            labels.table_label(e.table_name),
            e.record_label,
            code or "",
            labels.field_label(e.field),
            e.old,
            e.new,
            e.note,
        )]
        for e, code in rows
    ]


def _filters_or_400() -> q.Filters:
    filters = q.Filters.from_args(request.args)
    if filters.errors:
        abort(400, description="筛选条件有误：" + "；".join(filters.errors.values()))
    return filters


@bp.route("/admin/audit")
@supervisor_required
def index():
    filters = q.Filters.from_args(request.args)
    tz = current_app.config["TIMEZONE"]
    rows, total = ([], 0) if filters.errors else q.page_of(filters, tz)
    pages = paginate(total, filters.page, q.PAGE_SIZE).pages
    users = list(db.session.scalars(select(User).order_by(User.name)))
    return render_template(
        "audit/index.html", rows=rows, total=total, pages=pages, f=filters, users=users,
        tables=sorted(set(q.tables_in_use()) | set(labels.TABLE_LABELS)), labels=labels,
    ), (400 if filters.errors else 200)


@bp.route("/admin/audit.csv")
@supervisor_required
def export_csv():
    filters = _filters_or_400()
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(_export_rows(filters))
    return Response(
        buf.getvalue().encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote('操作记录.csv')}"},
    )


@bp.route("/admin/audit.xlsx")
@supervisor_required
def export_xlsx():
    filters = _filters_or_400()
    return download("操作记录.xlsx", "操作记录", HEADERS, _export_rows(filters))
