"""Pure: every reminder due on a day D (DESIGN.md section 13), from plain values.

- **催报** (kind ``催报``): the report of month m is due on day R of month m + 1 (R past the
  month's end means its last day). On R − 3 and R each lead and liaison with a project whose
  report of m is neither 已报送 nor 已审核 gets one message naming all such projects, whatever
  their units; on R + 2 again, and the supervisors get one digest (``催报汇总``) naming every
  late lead and project. Subject: the period ``YYYY-MM``; step ``R-3``, ``R``, ``R+2``.
- **催办**: an open issue with a deadline reminds the unit's members and the project's lead
  N days before (``D-3``), on the deadline (``D``), then every 7 days overdue (``D+7``, …).
  The subject carries the deadline, so an extended issue starts its reminders afresh.
- **督办周报**: on Mondays the supervisors get the overdue issues and overdue milestones
  (nothing is sent when nothing is overdue).
- **节点提醒**: a milestone's lead is told on the day it becomes 临期 (planned − N days) and on
  its first overdue day (planned + 1); the subject carries the planned date.

Texts are Chinese with a ``{link}`` placeholder the delivery fills with ``PUBLIC_URL`` + path.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.periods import Period, month_end

COUNTED = ("已报送", "已审核")
OPEN_ISSUE_STATES = ("待办理", "办理中", "待确认")
LIST_AT_MOST = 5  # project names a message lists before "等N个"


@dataclass(frozen=True)
class Rules:
    """The settings of section 13 (days)."""

    report_day: int = 5
    report_before: int = 3
    report_after: int = 2
    issue_before: int = 3
    issue_every: int = 7
    milestone_due_days: int = 15


@dataclass(frozen=True)
class DueReport:
    """A project's report of ``period``: its state (None when no row) and who reports it."""

    code: str
    name: str
    period: Period
    state: str | None
    recipients: tuple[int, ...]  # the lead and the liaisons (user ids)
    lead_name: str = ""
    unit_id: int | None = None  # the responsible unit, whose group robot hears of it


@dataclass(frozen=True)
class OpenIssue:
    number: str
    title: str
    state: str
    deadline: date | None
    recipients: tuple[int, ...]  # the unit's members and the project's lead
    unit_id: int | None = None


@dataclass(frozen=True)
class PlannedMilestone:
    id: int
    project_code: str
    project_name: str
    title: str
    planned_on: date | None
    done: bool  # an actual date on or before D, or 不适用
    lead_id: int | None


@dataclass(frozen=True)
class Reminder:
    """One message to one person (``recipient_id``), or to a unit's group robots (``unit_id``;
    with neither, the supervision office's robots); (kind, subject, recipient, step) is its
    identity."""

    kind: str
    subject: str
    recipient_id: int | None
    step: str
    text: str  # with "{link}"
    path: str  # the page the link opens
    unit_id: int | None = None


def due_day(period: Period, rules: Rules) -> date:
    """Day R of the month after ``period`` (the month's last day when R is past it)."""
    nxt = period.next()
    return date(nxt.year, nxt.month, min(rules.report_day, month_end(*nxt).day))


def report_steps(day: date, rules: Rules) -> list[tuple[Period, str]]:
    """Which periods' 催报 fall on ``day`` and at which step."""
    found = []
    here = Period(day.year, day.month)
    for period in (here.previous().previous(), here.previous(), here):
        due = due_day(period, rules)
        for step, offset in (("R-3", -rules.report_before), ("R", 0), ("R+2", rules.report_after)):
            if due + timedelta(days=offset) == day:
                found.append((period, step))
    return found


def _names(names: list[str]) -> str:
    shown = "、".join(names[:LIST_AT_MOST])
    return shown + (f"等{len(names)}个项目" if len(names) > LIST_AT_MOST else "")


def _md(d: date) -> str:
    return f"{d.month}月{d.day}日"


def report_reminders(day: date, rules: Rules, reports: list[DueReport],
                     supervisors: list[int]) -> list[Reminder]:
    """催报 to each lead (one message listing their projects) and, on R + 2, the digest."""
    out: list[Reminder] = []
    for period, step in report_steps(day, rules):
        due = due_day(period, rules)
        late = [r for r in reports if r.period == period and r.state not in COUNTED]
        by_person: dict[int, list[str]] = defaultdict(list)
        for report in sorted(late, key=lambda r: r.code):
            for person in report.recipients:
                by_person[person].append(report.name)
        month = f"{period.year}年{period.month}月"
        for person, names in sorted(by_person.items()):
            if step == "R+2":
                text = (f"【催报】您负责的{len(names)}个项目{month}进展已逾期未报送（{_md(due)}截止）："
                        f"{_names(names)}。请尽快登录填报：{{link}}")
            else:
                text = (f"【催报】您负责的{len(names)}个项目尚未报送{month}进展（{_md(due)}截止）："
                        f"{_names(names)}。请登录填报：{{link}}")
            out.append(Reminder("催报", str(period), person, step, text, f"/report/{period}"))
        if step == "R+2" and late:
            projects = "、".join(f"{r.name}（{r.lead_name or '未指定负责人'}）"
                                 for r in sorted(late, key=lambda r: r.code))
            text = (f"【催报汇总】截至{_md(day)}，{len(late)}个项目{month}进展逾期未报送"
                    f"（{_md(due)}截止）：{projects}。查看：{{link}}")
            for person in sorted(set(supervisors)):
                out.append(Reminder("催报汇总", str(period), person, step, text,
                                    f"/report/{period}?state=missing"))
    return out


def issue_step(day: date, deadline: date, rules: Rules) -> str | None:
    """``D-3``, ``D``, ``D+7k`` or None."""
    delta = (day - deadline).days
    if delta == -rules.issue_before:
        return f"D-{rules.issue_before}"
    if delta == 0:
        return "D"
    if delta > 0 and rules.issue_every > 0 and delta % rules.issue_every == 0:
        return f"D+{delta}"
    return None


def _issue_message(day: date, rules: Rules, issue: OpenIssue) -> tuple[str, str, str] | None:
    """(subject, step, text) when the issue is chased on ``day``."""
    if issue.state not in OPEN_ISSUE_STATES or issue.deadline is None:
        return None
    step = issue_step(day, issue.deadline, rules)
    if step is None:
        return None
    if step == "D":
        when = "今天到期"
    elif step.startswith("D-"):
        when = f"将于{_md(issue.deadline)}到期（还有{rules.issue_before}天）"
    else:
        when = f"已逾期{(day - issue.deadline).days}天（{_md(issue.deadline)}到期）"
    text = f"【催办】督办事项{issue.number}「{issue.title}」{when}，请及时办理并反馈：{{link}}"
    return f"{issue.number}@{issue.deadline.isoformat()}", step, text


def issue_reminders(day: date, rules: Rules, issues: list[OpenIssue]) -> list[Reminder]:
    out = []
    for issue in sorted(issues, key=lambda i: i.number):
        found = _issue_message(day, rules, issue)
        if found is None:
            continue
        subject, step, text = found
        for person in sorted(set(issue.recipients)):
            out.append(Reminder("催办", subject, person, step, text, f"/issues/{issue.number}"))
    return out


def weekly_digest(day: date, issues: list[OpenIssue], milestones: list[PlannedMilestone],
                  supervisors: list[int]) -> list[Reminder]:
    """督办周报 on Mondays: overdue issues and milestones, to the supervisors."""
    if day.weekday() != 0:
        return []
    late_issues = [i for i in issues if i.state in OPEN_ISSUE_STATES and i.deadline and i.deadline < day]
    late_nodes = [m for m in milestones if not m.done and m.planned_on and m.planned_on < day]
    if not late_issues and not late_nodes:
        return []
    lines = [f"【督办周报】{_md(day)}：逾期督办事项{len(late_issues)}项，逾期节点{len(late_nodes)}个。"]
    lines += [f"{i.number}「{i.title}」逾期{(day - i.deadline).days}天"
              for i in sorted(late_issues, key=lambda i: i.deadline)]
    lines += [f"{m.project_name}·{m.title}逾期{(day - m.planned_on).days}天"
              for m in sorted(late_nodes, key=lambda m: m.planned_on)]
    text = "\n".join(lines) + "\n查看：{link}"
    return [Reminder("督办周报", day.isoformat(), person, "周报", text, "/issues?due=overdue")
            for person in sorted(set(supervisors))]


def milestone_reminders(day: date, rules: Rules, milestones: list[PlannedMilestone]) -> list[Reminder]:
    out = []
    for m in sorted(milestones, key=lambda m: m.id):
        if m.done or m.planned_on is None or m.lead_id is None:
            continue
        if (m.planned_on - day).days == rules.milestone_due_days:
            step, when = "临期", f"计划于{_md(m.planned_on)}完成（还有{rules.milestone_due_days}天）"
        elif (day - m.planned_on).days == 1:
            step, when = "逾期", f"计划于{_md(m.planned_on)}完成，已逾期"
        else:
            continue
        text = f"【节点提醒】{m.project_name}的节点「{m.title}」{when}，请及时推进并登记：{{link}}"
        out.append(Reminder("节点提醒", f"{m.id}@{m.planned_on.isoformat()}", m.lead_id, step,
                            text, f"/projects/{m.project_code}/milestones"))
    return out


def reminders_due(day: date, rules: Rules, *, reports: list[DueReport], issues: list[OpenIssue],
                  milestones: list[PlannedMilestone], supervisors: list[int]) -> list[Reminder]:
    """Every reminder of the daily pass on ``day``."""
    return (report_reminders(day, rules, reports, supervisors)
            + issue_reminders(day, rules, issues)
            + weekly_digest(day, issues, milestones, supervisors)
            + milestone_reminders(day, rules, milestones))


def robot_reminders(day: date, rules: Rules, reports: list[DueReport],
                    issues: list[OpenIssue]) -> list[Reminder]:
    """The group robots' share: each unit hears of its late projects (on R and R + 2) and of
    its issues on the days they are chased; the office's robot gets the R + 2 digest."""
    out: list[Reminder] = []
    for period, step in report_steps(day, rules):
        if step == "R-3":
            continue
        due = due_day(period, rules)
        late = sorted((r for r in reports if r.period == period and r.state not in COUNTED),
                      key=lambda r: r.code)
        by_unit: dict[int, list[DueReport]] = defaultdict(list)
        for r in late:
            if r.unit_id is not None:
                by_unit[r.unit_id].append(r)
        month = f"{period.year}年{period.month}月"
        for unit_id, rows in sorted(by_unit.items()):
            names = "、".join(f"{r.name}（{r.lead_name or '未指定负责人'}）" for r in rows)
            text = (f"【催报】本单位{len(rows)}个项目尚未报送{month}进展（{_md(due)}截止）：{names}。"
                    f"请负责人登录填报：{{link}}")
            out.append(Reminder("催报", str(period), None, step, text, f"/report/{period}", unit_id))
        if step == "R+2" and late:
            names = "、".join(f"{r.name}（{r.lead_name or '未指定负责人'}）" for r in late)
            text = (f"【催报汇总】截至{_md(day)}，{len(late)}个项目{month}进展逾期未报送"
                    f"（{_md(due)}截止）：{names}。查看：{{link}}")
            out.append(Reminder("催报汇总", str(period), None, step, text,
                                f"/report/{period}?state=missing"))
    for issue in sorted(issues, key=lambda i: i.number):
        found = _issue_message(day, rules, issue) if issue.unit_id is not None else None
        if found is not None:
            subject, step, text = found
            out.append(Reminder("催办", subject, None, step, text, f"/issues/{issue.number}",
                                issue.unit_id))
    return out
