"""The dashboard's figures for one period, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker import charts, progress
from tracker.extensions import db
from tracker.issues.models import Issue, IssueState
from tracker.projects.models import Bond, BondSpending, Level, Project
from tracker.projects.service import active_in, figures_for, group_summary
from tracker.reports.models import COUNTED_STATES, MonthlyReport
from tracker.web import park_today

ZERO = Decimal("0")


@dataclass
class Row:
    project: Project
    figures: progress.ProjectFigures
    open_issues: int = 0
    overdue_issues: int = 0


@dataclass
class Dashboard:
    year: int
    month: int
    time_progress: Decimal
    summary: progress.GroupSummary
    rows: list[Row]
    lights: dict[str, int]
    bond_granted: Decimal
    bond_spent: Decimal
    bond_progress: Decimal | None
    overdue_issues: int
    open_issues: int
    not_submitted: list[Project]
    chart: str
    by_level: dict[str, int] = field(default_factory=dict)

    @property
    def period(self) -> str:
        return f"{self.year}-{self.month:02d}"


def dashboard_data(year: int, month: int) -> Dashboard:
    """Everything the dashboard shows for (year, month)."""
    projects = list(
        db.session.scalars(
            select(Project)
            .where(active_in(year))
            .options(selectinload(Project.lead))
            .order_by(Project.level, Project.code)
        )
    )
    projects.sort(key=lambda p: (p.level.order, p.code))
    figures = figures_for(projects, year, month)
    summary = group_summary(projects, figures, month)

    as_of = min(progress.month_end(year, month), park_today())
    open_rows = db.session.execute(
        select(Issue.project_id, Issue.deadline).where(
            Issue.state.not_in((IssueState.CLOSED, IssueState.CANCELLED)),
            Issue.raised_on <= as_of,
        )
    ).all()
    open_by, overdue_by = {}, {}
    for pid, deadline in open_rows:
        open_by[pid] = open_by.get(pid, 0) + 1
        if progress.days_overdue(deadline, as_of):
            overdue_by[pid] = overdue_by.get(pid, 0) + 1

    rows = [
        Row(p, figures[p.id], open_by.get(p.id, 0), overdue_by.get(p.id, 0)) for p in projects
    ]
    lights = {light.value: 0 for light in progress.Light}
    for r in rows:
        if r.figures.light is not None and r.project.is_key:
            lights[r.figures.light.value] += 1

    granted = db.session.scalar(
        select(func.coalesce(func.sum(Bond.amount), 0)).where(Bond.year == year)
    )
    spent = db.session.scalar(
        select(func.coalesce(func.sum(BondSpending.amount), 0))
        .join(Bond)
        .where(Bond.year == year, BondSpending.month <= month)
    )
    reported = set(
        db.session.scalars(
            select(MonthlyReport.project_id).where(
                MonthlyReport.year == year,
                MonthlyReport.month == month,
                MonthlyReport.state.in_(COUNTED_STATES),
            )
        )
    )
    not_submitted = [p for p in projects if p.archived_on is None and p.id not in reported]
    bars = [charts.Bar(p.name, figures[p.id].rate, figures[p.id].light) for p in projects]
    tp = progress.time_progress(month)
    return Dashboard(
        year=year,
        month=month,
        time_progress=tp,
        summary=summary,
        rows=rows,
        lights=lights,
        bond_granted=Decimal(granted),
        bond_spent=Decimal(spent),
        bond_progress=progress.bond_progress(Decimal(granted), Decimal(spent)),
        overdue_issues=sum(overdue_by.values()),
        open_issues=len(open_rows),
        not_submitted=not_submitted,
        chart=charts.rate_chart(bars, tp),
        by_level={lv.value: sum(1 for p in projects if p.level is lv) for lv in Level},
    )


def period_options(today: date, years: int = 2) -> list[str]:
    """Recent periods for the switcher, newest first."""
    y, m = progress.last_completed_month(today)
    out = []
    for _ in range(years * 12):
        out.append(f"{y}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out
