"""The supervisor's grid at a city's scale: filters (unit, lead, state), pages, and the month's
counts in one aggregate statement.

A lead's grid stays one page (their own projects); the office filters and pages, since 2,000
editable rows on one page serve nobody. The state filters are SQL, so pages count right.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from tracker.auth.models import Unit, User
from tracker.extensions import db
from tracker.forms import whole_number
from tracker.http import Page, paginate
from tracker.periods import Period
from tracker.projects.models import MonthlyReport, Project, ReportState
from tracker.reports.grid import Summary, reportable_where
from tracker.timeutil import utc_start

REVIEW_PAGE_SIZE = 100  # compact table rows
CARDS_PAGE_SIZE = 30  # editable cards: each carries a form

STATES = {
    "submitted": "待审核",
    "missing": "未报送",
    "returned": "退回",
    "draft": "草稿",
    "approved": "已审核",
}
# The review tabs (only these three are offered as tabs; the select offers every state).
REVIEW_TABS = ("submitted", "missing", "returned")


@dataclass(frozen=True)
class GridFilters:
    """``unit`` (responsible unit id), ``lead`` (user id), ``state`` (a key of STATES), ``page``."""

    unit: int | None = None
    lead: int | None = None
    state: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Any) -> GridFilters:
        state = args.get("state", "")
        return cls(unit=whole_number(args.get("unit")), lead=whole_number(args.get("lead")),
                   state=state if state in STATES else "",
                   page=max(1, whole_number(args.get("page")) or 1))

    def query(self, **changes: Any) -> dict:
        """The filters as URL parameters, with ``changes`` applied (for links); page 1 left out."""
        params = {"unit": self.unit, "lead": self.lead, "state": self.state, "page": self.page}
        params.update(changes)
        if params.get("page") == 1:
            params.pop("page")
        return {k: v for k, v in params.items() if v not in ("", None)}

    @property
    def any(self) -> bool:
        return bool(self.unit or self.lead or self.state)


def _due(year: int, month: int, report: Any) -> Any:
    """SQL for ``grid.due_months``: the project existed by the month, or reported in the year
    up to it (a project entered later with earlier figures), or has this month's row."""
    next_month = utc_start(Period(year, month).next().first_day, current_app.config["TIMEZONE"])
    earlier = exists().where(MonthlyReport.project_id == Project.id, MonthlyReport.year == year,
                             MonthlyReport.month <= month)
    return or_(Project.created_at.is_(None), Project.created_at < next_month,
               report.id.is_not(None), earlier)


def _state_clause(state: str, year: int, month: int, report: Any) -> Any:
    if state == "missing":
        # As the review tab always read: not reported (and due), or a draft not yet sent.
        return or_(and_(report.id.is_(None), _due(year, month, report)),
                   report.state == ReportState.DRAFT)
    wanted = {"submitted": ReportState.SUBMITTED, "returned": ReportState.RETURNED,
              "draft": ReportState.DRAFT, "approved": ReportState.APPROVED}
    return report.state == wanted[state]


def filtered(user: User, year: int, month: int, filters: GridFilters, review: bool) -> Any:
    """The statement of the grid's projects under ``filters``.

    ``review``: the office's table leaves out projects not due that month and never reported.
    """
    report = aliased(MonthlyReport)
    stmt = select(Project).where(*reportable_where(user)).outerjoin(report, and_(
        report.project_id == Project.id, report.year == year, report.month == month))
    if filters.unit:
        stmt = stmt.where(Project.responsible_unit_id == filters.unit)
    if filters.lead:
        stmt = stmt.where(Project.lead_id == filters.lead)
    if filters.state:
        stmt = stmt.where(_state_clause(filters.state, year, month, report))
    elif review:
        stmt = stmt.where(_due(year, month, report))
    return stmt


def _loading(stmt: Any) -> Any:
    return stmt.options(selectinload(Project.lead), selectinload(Project.liaisons)).order_by(
        Project.code)


def grid_page(user: User, year: int, month: int, filters: GridFilters,
              review: bool) -> tuple[list[Project], Page]:
    """One page of the filtered projects: two statements (the count and the page), plus the
    lead and liaison loads of ``reportable_projects``."""
    stmt = filtered(user, year, month, filters, review)
    total = db.session.scalar(stmt.order_by(None).with_only_columns(func.count(Project.id)))
    page = paginate(total or 0, filters.page, REVIEW_PAGE_SIZE if review else CARDS_PAGE_SIZE)
    projects = list(db.session.scalars(_loading(stmt).limit(page.size).offset(page.offset)))
    return projects, page


def all_filtered(user: User, year: int, month: int, filters: GridFilters,
                 review: bool) -> list[Project]:
    """Every project under ``filters`` (the Excel download of the whole filtered list)."""
    return list(db.session.scalars(_loading(filtered(user, year, month, filters, review))))


def month_summary(user: User, year: int, month: int) -> Summary:
    """The month's counts by state over every project the user reports for: one statement.

    The same numbers as ``grid.summarize`` over the whole grid, without reading the rows (each
    htmx row action sends the summary again)."""
    report = aliased(MonthlyReport)

    def count(state: ReportState) -> Any:
        return func.coalesce(func.sum(case((report.state == state, 1), else_=0)), 0)

    stmt = select(
        func.count(Project.id),
        count(ReportState.APPROVED), count(ReportState.SUBMITTED), count(ReportState.DRAFT),
        count(ReportState.RETURNED),
        func.coalesce(func.sum(case((and_(report.id.is_(None), _due(year, month, report)), 1),
                                    else_=0)), 0),
    ).select_from(Project).outerjoin(report, and_(
        report.project_id == Project.id, report.year == year, report.month == month,
    )).where(*reportable_where(user))
    total, approved, submitted, draft, returned, missing = db.session.execute(stmt).one()
    return Summary(total=total, approved=approved, submitted=submitted, draft=draft,
                   returned=returned, missing=missing)


def filter_choices() -> dict:
    """The filter form's units and leads (two statements)."""
    units = db.session.execute(
        select(Unit.id, Unit.name).where(Unit.active).order_by(Unit.name)).all()
    leads = db.session.execute(
        select(User.id, User.name).where(User.id.in_(
            select(Project.lead_id).where(Project.archived_on.is_(None)))).order_by(User.name)
    ).all()
    return {"units": units, "leads": leads}

