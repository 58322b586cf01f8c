"""Project queries: figures of many projects in a fixed number of statements."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select

from tracker import progress
from tracker.admin.service import thresholds
from tracker.extensions import db
from tracker.projects.models import KEY_LEVELS, AnnualPlan, Project
from tracker.reports.models import COUNTED_STATES, MonthlyReport

ZERO = Decimal("0")


def counted_sums(year: int, month: int, project_ids: Iterable[int] | None = None) -> dict:
    """project id → (YTD, cumulative) of counted figures up to month m of year Y (one query)."""
    in_ytd = and_(MonthlyReport.year == year, MonthlyReport.month <= month)
    stmt = (
        select(
            MonthlyReport.project_id,
            func.coalesce(func.sum(case((in_ytd, MonthlyReport.amount), else_=0)), 0),
            func.coalesce(func.sum(MonthlyReport.amount), 0),
        )
        .where(
            MonthlyReport.state.in_(COUNTED_STATES),
            MonthlyReport.amount.is_not(None),
            or_(MonthlyReport.year < year, in_ytd),
        )
        .group_by(MonthlyReport.project_id)
    )
    if project_ids is not None:
        stmt = stmt.where(MonthlyReport.project_id.in_(list(project_ids)))
    return {pid: (Decimal(ytd), Decimal(cum)) for pid, ytd, cum in db.session.execute(stmt)}


def plans_for(year: int, project_ids: Iterable[int] | None = None) -> dict[int, Decimal]:
    """project id → annual plan of ``year`` (one query)."""
    stmt = select(AnnualPlan.project_id, AnnualPlan.amount).where(AnnualPlan.year == year)
    if project_ids is not None:
        stmt = stmt.where(AnnualPlan.project_id.in_(list(project_ids)))
    return {pid: amount for pid, amount in db.session.execute(stmt)}


def figures_for(
    projects: list[Project], year: int, month: int
) -> dict[int, progress.ProjectFigures]:
    """Each project's figures for (year, month): two queries whatever the count."""
    ids = [p.id for p in projects]
    sums = counted_sums(year, month, ids if len(ids) < 500 else None)
    plans = plans_for(year, ids if len(ids) < 500 else None)
    limits = thresholds()
    return {
        p.id: progress.figures_from(
            *sums.get(p.id, (ZERO, ZERO)),
            plans.get(p.id),
            month,
            p.total_investment,
            limits,
        )
        for p in projects
    }


def active_in(year: int):  # noqa: ANN201
    """Projects active during ``year``: not archived before it."""
    return or_(Project.archived_on.is_(None), func.extract("year", Project.archived_on) >= year)


def key_group(year: int) -> list[Project]:
    """省重点 and 市重点 projects, active or archived in ``year`` or later."""
    stmt = (
        select(Project)
        .where(Project.level.in_(KEY_LEVELS), active_in(year))
        .order_by(Project.level, Project.code)
    )
    return list(db.session.scalars(stmt))


def group_summary(
    projects: list[Project], figures: dict[int, progress.ProjectFigures], month: int
) -> progress.GroupSummary:
    return progress.summarize_group(
        (
            progress.GroupMember(p.name, p.level.value, figures[p.id])
            for p in projects
            if p.is_key
        ),
        month,
    )
