"""The dashboard's figures for one period, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, case, func, select

from tracker import charts, progress
from tracker.extensions import db
from tracker.issues.models import Issue, IssueState
from tracker.periods import Period
from tracker.projects.models import COUNTED_STATES, Bond, BondSpending, Level, MonthlyReport
from tracker.projects.service import ProjectRow, active_in, figures_for, group_summary, project_rows
from tracker.reports.grid import due_months

ZERO = Decimal("0")


SHOWN = 60  # beyond this many projects, the chart and table show the ones most behind


@dataclass
class Row:
    project: ProjectRow
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
    total_projects: int
    lights: dict[str, int]
    bond_granted: Decimal
    bond_spent: Decimal
    bond_progress: Decimal | None
    overdue_issues: int
    open_issues: int
    not_submitted: list[ProjectRow]
    not_submitted_count: int
    chart: str
    by_level: dict[str, int] = field(default_factory=dict)

    @property
    def period(self) -> str:
        return str(Period(self.year, self.month))

    @property
    def truncated(self) -> bool:
        return self.total_projects > len(self.rows)


def _behind_first(row: Row) -> tuple:
    d = row.figures.deviation
    return (d is None, d if d is not None else 0, row.project.level.order, row.project.code)


def dashboard_data(year: int, month: int, today: date) -> Dashboard:
    """Everything the dashboard shows for (year, month), in a fixed number of queries.

    A park's few dozen projects are all listed; past ``SHOWN`` projects (a city's
    office) the chart and table list those most behind time progress, and the
    register holds the rest.
    """
    projects = project_rows(active_in(year), year=year)  # year Y's levels (DESIGN.md section 10)
    projects.sort(key=lambda p: (p.level.order, p.code))
    figures = figures_for(projects, year, month)
    summary = group_summary(projects, figures, month)

    # Issues are shown as they stand today, whatever the period: the dashboard says what
    # to chase now (the brief reads them as of its month's end).
    as_of = today
    overdue = case((Issue.deadline < as_of, 1), else_=0)
    open_by, overdue_by = {}, {}
    for pid, n_open, n_overdue in db.session.execute(
        select(Issue.project_id, func.count(), func.sum(overdue))
        .where(Issue.state.not_in((IssueState.CLOSED, IssueState.CANCELLED)), Issue.raised_on <= as_of)
        .group_by(Issue.project_id)
    ):
        open_by[pid], overdue_by[pid] = n_open, int(n_overdue or 0)

    rows = [
        Row(p, figures[p.id], open_by.get(p.id, 0), overdue_by.get(p.id, 0)) for p in projects
    ]
    lights = {light.value: 0 for light in progress.Light}
    for r in rows:
        if r.figures.light is not None and r.project.is_key:
            lights[r.figures.light.value] += 1
    shown = rows if len(rows) <= SHOWN else sorted(rows, key=_behind_first)[:SHOWN]

    granted = db.session.scalar(
        select(func.coalesce(func.sum(Bond.amount), 0)).where(Bond.year == year)
    )
    spent = db.session.scalar(
        select(func.coalesce(func.sum(BondSpending.amount), 0))
        .join(Bond)
        .where(Bond.year == year, BondSpending.month <= month)
    )
    # Per project: its first month of the year with a row, and whether month m is reported;
    # a project not yet created that month is not due (and not listed as 未报送).
    first: dict[int, int] = {}
    reported: set[int] = set()
    counted_now = and_(MonthlyReport.month == month, MonthlyReport.state.in_(COUNTED_STATES))
    for pid, first_month, now in db.session.execute(
        select(MonthlyReport.project_id, func.min(MonthlyReport.month),
               func.max(case((counted_now, 1), else_=0)))
        .where(MonthlyReport.year == year, MonthlyReport.month <= month)
        .group_by(MonthlyReport.project_id)
    ):
        first[pid] = first_month
        if now:
            reported.add(pid)
    period = Period(year, month)
    not_submitted = [
        p for p in projects
        if p.archived_on is None and p.id not in reported
        and period in due_months(p, period, first.get(p.id))
    ]
    bars = [charts.Bar(r.project.name, r.figures.rate, r.figures.light) for r in shown]
    tp = progress.time_progress(month)
    return Dashboard(
        year=year,
        month=month,
        time_progress=tp,
        summary=summary,
        rows=shown,
        total_projects=len(rows),
        lights=lights,
        bond_granted=Decimal(granted),
        bond_spent=Decimal(spent),
        bond_progress=progress.bond_progress(Decimal(granted), Decimal(spent)),
        overdue_issues=sum(overdue_by.values()),
        open_issues=sum(open_by.values()),
        not_submitted=not_submitted[:SHOWN],
        not_submitted_count=len(not_submitted),
        chart=charts.rate_chart(bars, tp),
        by_level={lv.value: sum(1 for p in projects if p.level is lv) for lv in Level},
    )
