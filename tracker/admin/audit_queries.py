"""Reading the audit trail: filters, one page of entries, the rows of an export.

Dates in filters are the park's local dates (``TIMEZONE``); entries store UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from tracker.audit.models import AuditEntry
from tracker.extensions import db
from tracker.forms import whole_number
from tracker.projects.models import Project
from tracker.timeutil import utc_start

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000

@dataclass
class Filters:
    """The audit page's filters as typed values, with a message per bad one."""

    user_id: int | None = None
    project: str = ""
    table: str = ""
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args) -> Filters:  # noqa: ANN001
        f = cls()
        raw = {k: (args.get(k) or "").strip() for k in ("user", "project", "table", "from", "to", "page")}
        if raw["user"]:
            f.user_id = whole_number(raw["user"])
            if f.user_id is None:
                f.errors["user"] = "用户选择无效"
        if len(raw["project"]) > 40:
            f.errors["project"] = "项目编号不能超过 40 个字符"
        else:
            f.project = raw["project"]
        if len(raw["table"]) > 40 or not re.fullmatch(r"[a-z_]*", raw["table"]):
            f.errors["table"] = "数据类别无效"
        else:
            f.table = raw["table"]
        for key, attr in (("from", "date_from"), ("to", "date_to")):
            if not raw[key]:
                continue
            try:
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw[key]):
                    raise ValueError
                setattr(f, attr, date.fromisoformat(raw[key]))
            except ValueError:
                f.errors[key] = f"日期“{raw[key]}”无效，应为 YYYY-MM-DD"
        if f.date_from and f.date_to and f.date_from > f.date_to:
            f.errors["to"] = "结束日期不能早于开始日期"
        if raw["page"]:
            if (whole_number(raw["page"]) or 0) >= 1:
                f.page = whole_number(raw["page"])
            else:
                f.errors["page"] = "页码无效"
        return f

    def query_args(self, **override: object) -> dict:
        args = {
            "user": self.user_id or "",
            "project": self.project,
            "table": self.table,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        }
        args.update(override)
        return {k: v for k, v in args.items() if v not in ("", None)}


def filtered(filters: Filters, tz: str) -> Select:
    """Entries (with the project's code) matching ``filters``, newest first."""
    stmt = (
        select(AuditEntry, Project.code)
        .outerjoin(Project, Project.id == AuditEntry.project_id)
        .options(selectinload(AuditEntry.user))
    )
    if filters.user_id is not None:
        stmt = stmt.where(AuditEntry.user_id == filters.user_id)
    if filters.project:
        stmt = stmt.where(func.lower(Project.code) == filters.project.lower())
    if filters.table:
        stmt = stmt.where(AuditEntry.table_name == filters.table)
    if filters.date_from:
        stmt = stmt.where(AuditEntry.at >= utc_start(filters.date_from, tz))
    if filters.date_to:
        stmt = stmt.where(AuditEntry.at < utc_start(filters.date_to + timedelta(days=1), tz))
    return stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def page_of(filters: Filters, tz: str) -> tuple[list[tuple[AuditEntry, str | None]], int]:
    """One page of entries and the total count (three queries whatever the size)."""
    stmt = filtered(filters, tz)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.execute(
        stmt.limit(PAGE_SIZE).offset((filters.page - 1) * PAGE_SIZE)
    ).all()
    return [(e, code) for e, code in rows], total


def tables_in_use() -> list[str]:
    return sorted(db.session.scalars(select(AuditEntry.table_name).distinct()))
