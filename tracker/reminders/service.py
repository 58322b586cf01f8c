"""The daily pass and the 催报 button: gather → ``due`` (pure) → ``notify.send``.

Both take the day and the base of links as arguments; only the command, the periodic task and
the routes read the clock, the configuration and the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from tracker.auth.models import Role, User
from tracker.auth.permissions import can_supervise
from tracker.errors import Forbidden, Refused
from tracker.extensions import db
from tracker.notify.service import Outcome, send
from tracker.periods import Period
from tracker.reminders import gather
from tracker.reminders.due import COUNTED, Reminder, due_day, reminders_due, robot_reminders
from tracker.settings import park_settings

DEFAULT_PUBLIC_URL = "http://127.0.0.1:5000"


@dataclass
class PassResult:
    day: date
    outcomes: list[Outcome]

    @property
    def delivered(self) -> int:
        return sum(len(o.new) for o in self.outcomes)


def reminders_on(day: date) -> list[Reminder]:
    """Every reminder of the daily pass on ``day``, people's and robots'."""
    settings = park_settings()
    rules = gather.rules_from(settings)
    reports = gather.due_reports(gather.report_periods(day, rules))
    issues = gather.open_issues()
    return (reminders_due(day, rules, reports=reports, issues=issues,
                          milestones=gather.milestones_near(day, rules.milestone_due_days),
                          supervisors=gather.supervisors())
            + robot_reminders(day, rules, reports, issues))


def daily_pass(day: date, base_url: str, *, dry_run: bool = False) -> PassResult:
    """Send what is due on ``day`` and was not sent before (a dry run sends nothing)."""
    return PassResult(day, send(reminders_on(day), base_url, settings=park_settings(), dry_run=dry_run))


def remind_now(user: User, period: Period, lead_id: int | None, day: date, base_url: str) -> list[Outcome]:
    """The supervisors' 催报 button: the leads (one, or every lead with ``lead_id`` None) of
    projects not reported for ``period`` are reminded at once, at most once a day each."""
    if not can_supervise(user):
        raise Forbidden("只有督查室可以催报。")
    if period.is_future(day) or Period(day.year, day.month) <= period:
        raise Refused(f"{period.year}年{period.month}月尚未结束，还不能催报。")
    if lead_id is not None and db.session.scalar(
            select(User.id).where(User.id == lead_id, User.active.is_(True))) is None:
        raise Refused("该负责人不存在或已停用。")
    rules = gather.rules_from(park_settings())
    reports = gather.due_reports([period], None if lead_id is None else [lead_id])
    due = due_day(period, rules)
    month = f"{period.year}年{period.month}月"
    by_person: dict[int, list[str]] = {}
    for r in sorted(reports, key=lambda r: r.code):
        if r.state in COUNTED:
            continue
        for person in r.recipients:
            by_person.setdefault(person, []).append(r.name)
    if not by_person:
        raise Refused(f"{month}没有需要催报的项目。" if lead_id is None else "该负责人的项目均已报送。")
    reminders = []
    for person, names in sorted(by_person.items()):
        shown = "、".join(names[:5]) + (f"等{len(names)}个项目" if len(names) > 5 else "")
        text = (f"【催报】督查室提醒：您负责的{len(names)}个项目尚未报送{month}进展"
                f"（{due.month}月{due.day}日截止）：{shown}。请登录填报：{{link}}")
        reminders.append(Reminder("催报", str(period), person, f"督查室{day.isoformat()}", text,
                                  f"/report/{period}"))
    return send(reminders, base_url, settings=park_settings())


def late_leads(period: Period) -> list[User]:
    """The leads and liaisons with a project not reported for ``period`` (the button's list)."""
    ids = {p for r in gather.due_reports([period]) if r.state not in COUNTED for p in r.recipients}
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(ids), User.role != Role.VIEWER)
                                   .order_by(User.name)))


@dataclass
class LateLead:
    user: User
    projects: list[str]
    days_late: int  # days past day R (0 before it)


@dataclass
class ReportRate:
    """报送率 of a period: projects reported by day R over projects due, and who is late."""

    period: Period
    due_on: date
    due: int
    on_time: int
    leads: list[LateLead]

    @property
    def percent(self) -> str:
        return f"{self.on_time * 100 / self.due:.1f}%" if self.due else "—"


def report_rate(period: Period, today: date, tz: str) -> ReportRate:
    """The 未报送 card's figures: a fixed number of statements."""
    rules = gather.rules_from(park_settings())
    due_on = due_day(period, rules)
    reports = gather.due_reports([period])
    submitted = gather.submitted_dates(period, tz)
    on_time = sum(1 for r in reports if r.state in COUNTED and submitted.get(r.code, due_on) <= due_on)
    owed: dict[int, list[str]] = {}
    for r in reports:
        if r.state not in COUNTED:
            for person in r.recipients:
                owed.setdefault(person, []).append(r.name)
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(owed)))} if owed else {}
    late = max((today - due_on).days, 0)
    leads = [LateLead(people[i], names, late) for i, names in owed.items() if i in people]
    leads.sort(key=lambda x: (-len(x.projects), x.user.name))
    return ReportRate(period, due_on, len(reports), on_time, leads)
