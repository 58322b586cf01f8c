"""The daily pass's inputs, read from reports, issues and milestones as plain values.

A fixed number of statements whatever the size of the park: projects with their leads and
liaisons, their report rows of the months concerned, the year's first reported months, open
issues with deadlines, the units' members, milestones near their dates, the supervisors.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from tracker.auth.models import Role, User
from tracker.extensions import db
from tracker.issues.models import Issue, IssueState
from tracker.milestones.models import ProjectMilestone
from tracker.periods import Period
from tracker.projects.models import MonthlyReport, Project, project_liaisons
from tracker.reminders.due import DueReport, OpenIssue, PlannedMilestone, Rules, report_steps
from tracker.reports.grid import due_months
from tracker.settings import DEFAULTS


def rules_from(settings: dict[str, str]) -> Rules:
    """The rules in force; a setting that is not a whole number falls back to its default."""

    def number(key: str) -> int:
        value = settings.get(key, DEFAULTS.get(key, ""))
        return int(value) if value.isascii() and value.isdigit() else int(DEFAULTS[key])

    return Rules(report_day=number("report_due_day"), report_before=number("report_remind_before"),
                 report_after=number("report_remind_after"),
                 issue_before=number("issue_remind_before"), issue_every=number("issue_remind_every"),
                 milestone_due_days=number("milestone_due_days"))


def due_reports(periods: list[Period], leads: list[int] | None = None) -> list[DueReport]:
    """Every active project's report of each period it is due for, with its state.

    ``leads``: only projects these users lead or liaise (the 催报 button). Plain column rows,
    not ORM objects: the dashboard's card reads this for every project of the park."""
    if not periods:
        return []
    lead = aliased(User)
    projects = db.session.execute(
        select(Project.id, Project.code, Project.name, Project.created_at, Project.responsible_unit_id,
               Project.lead_id, lead.name.label("lead_name"), lead.active.label("lead_active"))
        .outerjoin(lead, lead.id == Project.lead_id)
        .where(Project.archived_on.is_(None)).order_by(Project.code)).all()
    liaisons: dict[int, list[int]] = {}
    for pid, uid in db.session.execute(
            select(project_liaisons.c.project_id, project_liaisons.c.user_id)
            .join(User, User.id == project_liaisons.c.user_id).where(User.active.is_(True))
            .order_by(project_liaisons.c.user_id)):
        liaisons.setdefault(pid, []).append(uid)
    wanted = set(leads) if leads is not None else None
    if wanted is not None:
        projects = [p for p in projects if p.lead_id in wanted or wanted & set(liaisons.get(p.id, ()))]
    if not projects:
        return []
    years = sorted({p.year for p in periods})
    months = or_(*(and_(MonthlyReport.year == y, MonthlyReport.month == m) for y, m in periods))
    states = {(r.project_id, r.year, r.month): r.state.value for r in db.session.execute(
        select(MonthlyReport.project_id, MonthlyReport.year, MonthlyReport.month, MonthlyReport.state)
        .where(months))}
    first = {(pid, year): month for pid, year, month in db.session.execute(
        select(MonthlyReport.project_id, MonthlyReport.year, func.min(MonthlyReport.month))
        .where(MonthlyReport.year.in_(years)).group_by(MonthlyReport.project_id, MonthlyReport.year))}
    out = []
    for period in periods:
        for p in projects:
            if period not in due_months(p, period, first.get((p.id, period.year))):
                continue
            people = tuple(dict.fromkeys(
                ([p.lead_id] if p.lead_id and p.lead_active else []) + liaisons.get(p.id, [])))
            if wanted is not None:
                people = tuple(u for u in people if u in wanted)
            out.append(DueReport(p.code, p.name, period, states.get((p.id, *period)), people,
                                 p.lead_name or "", p.responsible_unit_id))
    return out


def open_issues() -> list[OpenIssue]:
    """Open issues with a deadline, each with the unit's active members and the project's lead."""
    issues = list(db.session.scalars(
        select(Issue).where(Issue.state.in_([s for s in IssueState if s.is_open]),
                            Issue.deadline.is_not(None))
        .options(selectinload(Issue.project))))
    units = {i.responsible_unit_id for i in issues if i.responsible_unit_id}
    members: dict[int, list[int]] = {}
    if units:
        for uid, unit_id in db.session.execute(select(User.id, User.unit_id).where(
                User.unit_id.in_(units), User.active.is_(True), User.role == Role.MEMBER)):
            members.setdefault(unit_id, []).append(uid)
    out = []
    for i in issues:
        people = list(members.get(i.responsible_unit_id, []))
        if i.project is not None and i.project.lead_id:
            people.append(i.project.lead_id)
        out.append(OpenIssue(i.number, i.display_title, i.state.value, i.deadline,
                             tuple(dict.fromkeys(people)), i.responsible_unit_id))
    return out


def milestones_near(day: date, due_days: int) -> list[PlannedMilestone]:
    """Milestones not done by ``day`` that are overdue or become 临期 on it."""
    rows = db.session.scalars(
        select(ProjectMilestone).join(Project, Project.id == ProjectMilestone.project_id)
        .where(Project.archived_on.is_(None), ProjectMilestone.not_applicable.is_(False),
               ProjectMilestone.planned_on.is_not(None),
               (ProjectMilestone.actual_on.is_(None)) | (ProjectMilestone.actual_on > day),
               (ProjectMilestone.planned_on < day)
               | (ProjectMilestone.planned_on == day + timedelta(days=due_days)))
        .options(selectinload(ProjectMilestone.project), selectinload(ProjectMilestone.template)))
    return [PlannedMilestone(m.id, m.project.code, m.project.name, m.title, m.planned_on, False,
                             m.project.lead_id) for m in rows]


def supervisors() -> list[int]:
    """The supervision office's active members (admins when it has none)."""
    found = list(db.session.scalars(select(User.id).where(
        User.role == Role.SUPERVISOR, User.active.is_(True)).order_by(User.id)))
    return found or list(db.session.scalars(select(User.id).where(
        User.role == Role.ADMIN, User.active.is_(True)).order_by(User.id)))


def report_periods(day: date, rules: Rules) -> list[Period]:
    return sorted({period for period, _ in report_steps(day, rules)})


def submitted_dates(period: Period, tz: str) -> dict[str, date]:
    """Project code → the park day its report of ``period`` was (last) submitted."""
    from tracker.timeutil import local

    rows = db.session.execute(
        select(Project.code, MonthlyReport.submitted_at).join(Project, Project.id == MonthlyReport.project_id)
        .where(MonthlyReport.year == period.year, MonthlyReport.month == period.month,
               MonthlyReport.submitted_at.is_not(None)))
    return {code: local(at, tz).date() for code, at in rows}
