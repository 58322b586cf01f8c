"""发布前检查: what publishing a month would lock while it is still open.

Publishing month m of year Y locks the figures of months 1..m; before that the office sees
which projects have not reported m (no row, a draft or a returned row), which rows wait for
review, and which issues wait for confirmation. Publishing over unreported or unreviewed rows
needs an explicit tick on the page, and the audit entry of the publication says what was open.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.issues.models import Issue, IssueState
from tracker.periods import Period
from tracker.projects.models import MonthlyReport, Project, ReportState
from tracker.projects.service import active_in
from tracker.reports.grid import due_months


@dataclass
class PublishCheck:
    period: Period
    unreported: list[Project] = field(default_factory=list)  # no row, or a draft
    returned: list[Project] = field(default_factory=list)
    awaiting_review: list[Project] = field(default_factory=list)
    awaiting_confirmation: list[Issue] = field(default_factory=list)

    @property
    def needs_tick(self) -> bool:
        """Unreported, returned or unreviewed rows would be locked as they are."""
        return bool(self.unreported or self.returned or self.awaiting_review)

    @property
    def note(self) -> str:
        """What the audit entry of a publication over open rows says."""
        if not self.needs_tick:
            return ""
        return (f"发布时仍有{len(self.unreported)}个项目未报送、{len(self.returned)}个被退回、"
                f"{len(self.awaiting_review)}个待审核，经勾选确认")


def publish_check(period: Period) -> PublishCheck:
    """The month's open rows and issues, in three statements."""
    year, month = period
    projects = list(db.session.scalars(
        select(Project).where(active_in(year)).order_by(Project.code)
        .options(selectinload(Project.lead))
    ))
    rows = db.session.execute(
        select(MonthlyReport.project_id, MonthlyReport.month, MonthlyReport.state)
        .where(MonthlyReport.year == year, MonthlyReport.month <= month)
    ).all()
    first: dict[int, int] = {}
    state: dict[int, ReportState] = {}
    for pid, m, s in rows:
        first[pid] = min(m, first.get(pid, 13))
        if m == month:
            state[pid] = s
    check = PublishCheck(period)
    for project in projects:
        if period not in due_months(project, period, first.get(project.id)):
            continue
        s = state.get(project.id)
        if s is None or s is ReportState.DRAFT:
            check.unreported.append(project)
        elif s is ReportState.RETURNED:
            check.returned.append(project)
        elif s is ReportState.SUBMITTED:
            check.awaiting_review.append(project)
    check.awaiting_confirmation = list(db.session.scalars(
        select(Issue).where(Issue.state == IssueState.AWAITING_CONFIRMATION).order_by(Issue.number)
    ))
    return check
