"""The project's file (一项目一档案): one project's page, gathering what every domain holds on it.

It sits above the domains it reads (projects, issues, the audit trail), so none of them
needs to know it exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker import charts, progress
from tracker.audit.models import AuditEntry
from tracker.extensions import db
from tracker.issues.queries import issues_for_project
from tracker.milestones.queries import milestone_marks
from tracker.milestones.status import Status
from tracker.projects.models import COUNTED_STATES, AnnualPlan, Bond, MonthlyReport, Project
from tracker.projects.service import ZERO, counted_sums
from tracker.settings import thresholds


@dataclass
class MonthLine:
    month: int
    report: object  # MonthlyReport | None
    counted: bool
    figures: progress.ProjectFigures  # as of this month, counted figures only


@dataclass
class ProjectDetail:
    project: Project
    year: int
    months: list[MonthLine]
    plans: list[AnnualPlan]
    bonds: list[Bond]
    issues: list
    history: list
    figures: progress.ProjectFigures | None = None
    bond_spent: dict[int, Decimal] = field(default_factory=dict)


def project_detail(project: Project, year: int, month: int) -> ProjectDetail:
    """One project's page for ``year``: twelve months, plans, bonds, issues, change history."""
    reports = {
        r.month: r
        for r in db.session.scalars(
            select(MonthlyReport).where(
                MonthlyReport.project_id == project.id, MonthlyReport.year == year
            )
        )
    }
    earlier = counted_sums(year - 1, 12, [project.id]).get(project.id, (ZERO, ZERO))[1]
    plans = list(
        db.session.scalars(
            select(AnnualPlan).where(AnnualPlan.project_id == project.id).order_by(AnnualPlan.year)
        )
    )
    plan = next((p.amount for p in plans if p.year == year), None)
    limits = thresholds()
    months, ytd = [], ZERO
    for m in range(1, 13):
        r = reports.get(m)
        counted = bool(r and r.state in COUNTED_STATES and r.amount is not None)
        if counted:
            ytd += r.amount
        months.append(
            MonthLine(m, r, counted, progress.figures_from(ytd, earlier + ytd, plan, m,
                                                           project.total_investment, limits))
        )
    bonds = list(
        db.session.scalars(
            select(Bond).where(Bond.project_id == project.id).order_by(Bond.year)
            .options(selectinload(Bond.spendings))
        )
    )
    issues = issues_for_project(project.id)
    history = list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.project_id == project.id)
            .options(selectinload(AuditEntry.user))
            .order_by(AuditEntry.id.desc()).limit(200)
        )
    )
    return ProjectDetail(
        project=project,
        year=year,
        months=months,
        plans=plans,
        bonds=bonds,
        issues=issues,
        history=history,
        figures=months[month - 1].figures,
        bond_spent={b.id: b.spent() for b in bonds},
    )


@dataclass
class Timeline:
    """The project page's investment curve and milestone timeline, on one time axis."""

    curve: str  # SVG
    milestones: str  # SVG
    overdue: int  # milestones overdue today


def timeline(d: ProjectDetail, month: int, today: date, due_days: int) -> Timeline:
    """Cumulative completed by month (months 1..m of the page's year) against the even plan
    line, and the milestones as they stand today on that year's months."""
    plan = d.figures.plan if d.figures else None
    ytd = [line.figures.ytd for line in d.months[:month]]
    marks = [
        charts.Mark(name, planned, actual, overdue=standing.status is Status.OVERDUE,
                    not_applicable=standing.status is Status.NOT_APPLICABLE)
        for name, planned, actual, standing in milestone_marks(d.project.id, today, due_days)
    ]
    return Timeline(
        curve=charts.investment_curve(ytd, plan),
        milestones=charts.milestone_timeline(marks, d.year),
        overdue=sum(1 for m in marks if m.overdue),
    )
