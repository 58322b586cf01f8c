"""Gathering a brief: the database read, as of the month's last day, into the plain values
that ``tracker.briefs.compose`` turns into the snapshot. A fixed number of statements
whatever the park's size.
"""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from tracker.auth.models import Unit
from tracker.briefs.compose import (
    BondRow,
    BriefData,
    IssueLine,
    Late,
    MilestoneLine,
    ProjectLine,
    lagging_projects,
)
from tracker.briefs.models import Brief, BriefState
from tracker.extensions import db
from tracker.issues.models import Category, Issue
from tracker.issues.queries import standing
from tracker.milestones.models import MilestoneTemplate, ProjectMilestone
from tracker.periods import Period
from tracker.projects.models import (
    COUNTED_STATES,
    KEY_LEVELS,
    Bond,
    ListLevel,
    MonthlyReport,
    Project,
)
from tracker.projects.service import active_in, figures_for, group_summary, level_in, project_rows
from tracker.reminders.due import Rules, due_day
from tracker.settings import park_settings
from tracker.timeutil import local, utc_start


def numbering(year: int, month: int) -> tuple[int, bool]:
    """(number, is a correction) the next revision of (year, month) would carry."""
    original = db.session.scalar(
        select(Brief.number).where(
            Brief.year == year, Brief.month == month, Brief.state == BriefState.PUBLISHED
        ).limit(1)
    )
    if original is not None:
        return original, True
    highest = db.session.scalar(
        select(func.max(Brief.number)).where(Brief.year == year, Brief.state == BriefState.PUBLISHED)
    )
    return (highest or 0) + 1, False


def _projects(year: int, month: int) -> tuple[list[ProjectLine], object]:
    # Year Y's list decides level and key group; a project 不列入 that year is not in its brief.
    projects = [p for p in project_rows(active_in(year), year=year) if p.listed]
    projects.sort(key=lambda p: (p.level.order, p.code))
    figures = figures_for(projects, year, month)
    # The month before, as its own brief would compute it: 当月完成 and the comparison.
    before = figures_for(projects, year, month - 1) if month > 1 else {}
    lines = [
        ProjectLine(p.id, p.code, p.name, p.level.value, p.level.order,
                    p.lead_name or None, figures[p.id], unit=p.unit_name or None,
                    leader=p.leader_in_charge, before=before.get(p.id))
        for p in projects
    ]
    return lines, group_summary(projects, figures, month)


def _issues(day: date) -> list[IssueLine]:
    issues = db.session.scalars(
        select(Issue)
        .where(Issue.raised_on <= day)
        .options(selectinload(Issue.events), selectinload(Issue.project),
                 selectinload(Issue.responsible_unit))
        .order_by(Issue.raised_on, Issue.number)
    )
    return [
        IssueLine(
            number=i.number, project_id=i.project_id,
            project=i.project.name if i.project else None, description=i.description,
            unit=i.responsible_unit.name if i.responsible_unit else None,
            category=i.category.value, raised_on=i.raised_on, standing=standing(i, day),
            level=i.level.value, project_code=i.project.code if i.project else "",
            title=i.display_title, person=i.responsible_person or "",
        )
        for i in issues
    ]


def _bonds(year: int, month: int) -> list[BondRow]:
    bonds = list(db.session.scalars(
        select(Bond).where(Bond.year == year)
        .options(selectinload(Bond.spendings), selectinload(Bond.project))
    ))
    bonds.sort(key=lambda b: (b.project.level.order, b.project.code))
    return [BondRow(b.project.name, b.amount, b.spent(month), b.expected_on) for b in bonds]


def latest_progress_texts(project_ids: list[int], year: int, month: int) -> dict[int, str]:
    """project id → 形象进度 of its latest counted report of months ≤ m of Y (or of Y−1)."""
    rows = db.session.execute(
        select(MonthlyReport.project_id, MonthlyReport.year, MonthlyReport.month,
               MonthlyReport.progress_text)
        .where(
            MonthlyReport.project_id.in_(project_ids),
            MonthlyReport.state.in_(COUNTED_STATES),
            MonthlyReport.progress_text != "",
            or_(and_(MonthlyReport.year == year, MonthlyReport.month <= month),
                MonthlyReport.year == year - 1),
        )
    )
    latest: dict[int, tuple[tuple[int, int], str]] = {}
    for pid, y, m, text in rows:
        if pid not in latest or (y, m) > latest[pid][0]:
            latest[pid] = ((y, m), text)
    return {pid: text for pid, (_, text) in latest.items()}


def _milestones(year: int) -> list[MilestoneLine]:
    """The milestones of the key group of ``year`` (retired template ones left out, as on the
    wall chart), in one statement; only what has a planned date can count."""
    pm, t = ProjectMilestone, MilestoneTemplate
    level = level_in(year)  # the key group of year Y is year Y's list
    rows = db.session.execute(
        select(Project.code, Project.name, level, Unit.name, pm.id, pm.name, t.name,
               t.position, pm.template_id, pm.planned_on, pm.actual_on, pm.not_applicable)
        .join(Project, pm.project_id == Project.id)
        .outerjoin(t, pm.template_id == t.id)
        .outerjoin(Unit, Project.responsible_unit_id == Unit.id)
        .where(level.in_([ListLevel(lv.value) for lv in KEY_LEVELS]), active_in(year),
               pm.planned_on.is_not(None), or_(t.id.is_(None), t.retired.is_(False)))
    )
    return [
        MilestoneLine(
            project=name, project_order=(level.order, code), name=tname or own,
            position=(0, position, tid) if tid is not None else (1, 0, mid),
            planned=planned, actual=actual, not_applicable=na, unit=unit,
        )
        for code, name, level, unit, mid, own, tname, position, tid, planned, actual, na in rows
    ]


def gather(period: Period, draft: Brief, issued_on: date) -> BriefData:
    """Everything the brief of ``period`` says, from live data as of its last day.

    ``draft`` supplies 六、下步工作, 报送/抄送 and, for a correction, its reason.
    """
    year, month = period
    settings = park_settings()
    number, correction = numbering(year, month)
    projects, summary = _projects(year, month)
    lagging_ids = [p.id for p in lagging_projects(projects)]
    return BriefData(
        period=period, issued_on=issued_on, number=number, correction=correction,
        park_name=settings["park_name"], issuing_body=settings["issuing_body"],
        projects=projects, summary=summary, issues=_issues(period.last_day),
        categories=[c.value for c in Category], bonds=_bonds(year, month),
        latest_texts=latest_progress_texts(lagging_ids, year, month),
        revision=draft.revision, correction_reason=draft.correction_reason or "",
        next_steps=draft.next_steps or "", send_to=draft.send_to or "", copy_to=draft.copy_to or "",
        milestones=_milestones(year),
        late=_late_reports(period, issued_on, settings),
    )


def _late_reports(period: Period, issued_on: date, settings: dict) -> Late:
    """The projects whose report of ``period`` came after day R of the next month (DESIGN.md
    section 13), or had not come by the brief's day when that is past R. A counted row without a
    submission time (an import) was on time. One statement."""
    r = settings.get("report_due_day", "")
    due_on = due_day(period, Rules(report_day=max(int(r), 1)) if r.isascii() and r.isdigit() else Rules())
    rows = db.session.execute(
        select(MonthlyReport.project_id, MonthlyReport.state, MonthlyReport.submitted_at)
        .where(MonthlyReport.year == period.year, MonthlyReport.month == period.month))
    tz = current_app.config["TIMEZONE"]
    came: dict[int, date | None] = {}
    has_row: set[int] = set()
    for pid, state, at in rows:
        has_row.add(pid)
        if state in COUNTED_STATES:
            came[pid] = local(at, tz).date() if at else None
    # A project created after the month with no row for it was not due (reports.grid.due_months).
    newer = set(db.session.scalars(select(Project.id).where(
        Project.created_at >= utc_start(period.next().first_day, tz))))
    return Late(due_on, came, issued_on > due_on, newer - has_row)
