"""The project's file (一项目一档案): one project's page, gathering what every domain holds on it.

It sits above the domains it reads (projects, issues, the audit trail), so none of them
needs to know it exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker import progress
from tracker.audit.models import AuditEntry
from tracker.extensions import db
from tracker.issues.queries import issues_for_project
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
