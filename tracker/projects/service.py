"""Project queries: figures of many projects in a fixed number of statements."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from tracker import progress
from tracker.auth.models import Unit, User
from tracker.extensions import db
from tracker.projects.models import (
    COUNTED_STATES,
    KEY_LEVELS,
    AnnualPlan,
    Level,
    ListLevel,
    MonthlyReport,
    Project,
    ProjectYearLevel,
    Stage,
)
from tracker.settings import thresholds

ZERO = Decimal("0")


@dataclass(frozen=True, slots=True)
class ProjectRow:
    """A project as lists show it: plain columns, no ORM object (lists of thousands stay fast)."""

    id: int
    code: str
    name: str
    level: Level | ListLevel  # ListLevel.UNLISTED when off the year's list (project_rows(year=))
    industry: str
    stage: Stage
    archived_on: date | None
    total_investment: Decimal | None
    lead_id: int | None
    lead_name: str
    unit_name: str
    created_at: datetime | None = None
    leader_in_charge: str = ""  # 包挂领导

    @property
    def is_key(self) -> bool:
        return self.level in KEY_LEVELS

    @property
    def listed(self) -> bool:
        return self.level is not ListLevel.UNLISTED


def level_in(year: int):  # noqa: ANN201
    """SQL: a project's level in ``year`` (DESIGN.md sections 10, 11): the year's own row, else
    the project's current level. A correlated lookup on the (project, year) key, so it serves
    selects and filters alike without a join."""
    own = (
        select(ProjectYearLevel.level)
        .where(ProjectYearLevel.project_id == Project.id, ProjectYearLevel.year == year)
        .correlate(Project)
        .scalar_subquery()
    )
    return func.coalesce(own, Project.level, type_=ProjectYearLevel.level.type)


def project_rows(*where, order_by=(Project.code,), year: int | None = None) -> list[ProjectRow]:  # noqa: ANN002
    """Projects matching ``where`` as ProjectRows, in one query.

    With ``year``, each row carries the project's level in that year (``level_in``).
    """
    lead = aliased(User)
    unit = aliased(Unit)
    level = Project.level if year is None else level_in(year)
    stmt = (
        select(
            Project.id, Project.code, Project.name, level, Project.industry, Project.stage,
            Project.archived_on, Project.total_investment, Project.lead_id,
            func.coalesce(lead.name, ""), func.coalesce(unit.name, ""), Project.created_at,
            func.coalesce(Project.leader_in_charge, ""),
        )
        .outerjoin(lead, lead.id == Project.lead_id)
        .outerjoin(unit, unit.id == Project.responsible_unit_id)
        .where(*where)
        .order_by(*order_by)
    )
    rows = [ProjectRow(*row) for row in db.session.execute(stmt)]
    if year is not None:
        rows = [replace(r, level=ListLevel(r.level).as_level()) for r in rows]
    return rows


def counted_sums(
    year: int, month: int, project_ids: Iterable[int] | None = None, cumulative: bool = True
) -> dict[int, tuple[Decimal, Decimal | None]]:
    """project id → (YTD, cumulative) of counted figures up to month m of year Y (one query).

    ``cumulative=False`` reads year Y alone (lists that show no cumulative figure) and
    gives None for it.
    """
    in_ytd = and_(MonthlyReport.year == year, MonthlyReport.month <= month)
    columns = [
        MonthlyReport.project_id,
        func.coalesce(func.sum(case((in_ytd, MonthlyReport.amount), else_=0)), 0),
    ]
    if cumulative:
        columns.append(func.coalesce(func.sum(MonthlyReport.amount), 0))
    stmt = (
        select(*columns)
        .where(
            MonthlyReport.state.in_(COUNTED_STATES),
            MonthlyReport.amount.is_not(None),
            or_(MonthlyReport.year < year, in_ytd) if cumulative else in_ytd,
        )
        .group_by(MonthlyReport.project_id)
    )
    if project_ids is not None:
        stmt = stmt.where(MonthlyReport.project_id.in_(list(project_ids)))
    return {
        row[0]: (Decimal(row[1]), Decimal(row[2]) if cumulative else None)
        for row in db.session.execute(stmt)
    }


def plans_for(year: int, project_ids: Iterable[int] | None = None) -> dict[int, Decimal]:
    """project id → annual plan of ``year`` (one query)."""
    stmt = select(AnnualPlan.project_id, AnnualPlan.amount).where(AnnualPlan.year == year)
    if project_ids is not None:
        stmt = stmt.where(AnnualPlan.project_id.in_(list(project_ids)))
    return {pid: amount for pid, amount in db.session.execute(stmt)}


def figures_for(
    projects: list, year: int, month: int, cumulative: bool = False
) -> dict[int, progress.ProjectFigures]:
    """Each project's figures for (year, month): two queries whatever the count.

    Lists show no cumulative figure, so it is only computed when asked for.
    """
    ids = [p.id for p in projects]
    sums = counted_sums(year, month, ids if len(ids) < 500 else None, cumulative)
    plans = plans_for(year, ids if len(ids) < 500 else None)
    limits = thresholds()
    return {
        p.id: progress.figures_from(
            *sums.get(p.id, (ZERO, ZERO if cumulative else None)),
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
    """省重点 and 市重点 projects of ``year``'s list, active or archived in ``year`` or later."""
    stmt = (
        select(Project)
        .where(level_in(year).in_([ListLevel(lv.value) for lv in KEY_LEVELS]), active_in(year))
        .order_by(Project.level, Project.code)
    )
    return list(db.session.scalars(stmt))


def group_summary(
    projects: list, figures: dict[int, progress.ProjectFigures], month: int
) -> progress.GroupSummary:
    return progress.summarize_group(
        (
            progress.GroupMember(p.name, p.level.value, figures[p.id])
            for p in projects
            if p.is_key
        ),
        month,
    )


