"""Blocking issues as pages and other domains read them: one issue, the filtered list, 我的待办,
a project's issues, open counts, and the one "issue as of day D" (``standing``).

Decision where the design is silent: the list's "overdue" and "due within 7 days" filters
look at open issues only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload

from tracker.auth.models import Role, Unit, User
from tracker.auth.permissions import can_supervise
from tracker.errors import Refused
from tracker.extensions import db
from tracker.forms import whole_number
from tracker.http import paginate
from tracker.issues import workflow
from tracker.issues.models import (
    Category,
    EventKind,
    Issue,
    IssueEvent,
    IssueState,
    SupervisionLevel,
)
from tracker.issues.workflow import Action, Capacity, LogEntry, Standing
from tracker.projects.models import Project

OPEN_STATES = (IssueState.OPEN, IssueState.IN_PROGRESS, IssueState.AWAITING_CONFIRMATION)
PER_PAGE = 50
DUE_SOON_DAYS = 7
MAX_COMMENT = 2000

EVENT_KIND = {
    Action.PROGRESS: EventKind.PROGRESS,
    Action.URGE: EventKind.URGE,
    Action.EXTEND: EventKind.EXTEND,
    Action.CANCEL: EventKind.CANCEL,
    Action.RESTORE: EventKind.RESTORE,
}


# --- reading one issue ---------------------------------------------------------


def capacities_of(user: User | None, issue: Issue) -> frozenset[Capacity]:
    """What ``user`` may do on ``issue`` (``workflow.capacities``); everything for the system."""
    if user is None:
        return frozenset(Capacity)
    return workflow.capacities(
        is_supervisor=can_supervise(user),
        is_member=user.role is Role.MEMBER,
        user_unit_id=user.unit_id,
        issue_unit_id=issue.responsible_unit_id,
        user_id=user.id,
        project_lead_id=issue.project.lead_id if issue.project else None,
    )


def allowed_actions(user: User | None, issue: Issue) -> list[Action]:
    """The action forms to show ``user`` on ``issue``."""
    return workflow.allowed_actions(issue.state.value, capacities_of(user, issue))


def log_entries(issue: Issue) -> list[LogEntry]:
    """The issue's log as the pure module reads it."""
    return [
        LogEntry(e.effective_on, workflow.State(e.to_state) if e.to_state else None, e.new_deadline)
        for e in issue.events
    ]


def standing(issue: Issue, day: date) -> Standing:
    """The one "issue as of day D" (``workflow.standing_on``): the pages and the brief read it."""
    return workflow.standing_on(issue.raised_on, issue.deadline, log_entries(issue), day,
                                current_state=issue.state.value, current_closed_on=issue.closed_on)


def state_on(issue: Issue, day: date) -> IssueState | None:
    """The state ``issue`` had as of ``day`` from its log; ``None`` before it was raised."""
    state = standing(issue, day).state
    return IssueState(state.value) if state else None


def days_overdue_now(issue: Issue, day: date) -> int:
    """Days overdue on ``day`` judged by the current state (the list pages, "today")."""
    from tracker import progress

    return progress.days_overdue(issue.deadline, day) if issue.state.is_open else 0


def get_issue(number: str) -> Issue | None:
    """One issue with its project, unit and log (with who wrote each entry)."""
    return db.session.scalar(
        select(Issue)
        .where(Issue.number == number)
        .options(
            selectinload(Issue.project).selectinload(Project.lead),
            selectinload(Issue.responsible_unit),
            selectinload(Issue.events).selectinload(IssueEvent.user),
        )
    )


def previous_state(issue: Issue) -> IssueState | None:
    """The state before the latest cancellation (what RESTORE returns to)."""
    for e in reversed(issue.events):
        if e.kind is EventKind.CANCEL:
            return e.from_state
    return None


# --- the list ------------------------------------------------------------------


SORTS = {"deadline": "按办结时限", "age": "按交办时间（最早在前）", "newest": "按交办时间（最新在前）"}
DUE_CHOICES = {"overdue": "已逾期", "soon": "7日内到期"}
OPEN_FILTER = "open"  # state=open: every state still being followed up (在督)


@dataclass(frozen=True)
class Filters:
    """The list's filters and sort, as query parameters (documented in the README)."""

    category: Category | None = None
    state: IssueState | str | None = None  # an IssueState or OPEN_FILTER
    level: SupervisionLevel | None = None
    unit_id: int | None = None
    project: str | None = None  # project code, or "none" for park-wide issues
    due: str | None = None  # "overdue" | "soon"
    sort: str = "deadline"
    page: int = 1

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query parameters for links (empty ones left out); ``changes`` override."""
        values = {
            "category": self.category.value if self.category else None,
            "state": self.state.value if isinstance(self.state, IssueState) else self.state,
            "level": self.level.value if self.level else None,
            "unit": self.unit_id,
            "project": self.project,
            "due": self.due,
            "sort": self.sort if self.sort != "deadline" else None,
            "page": self.page if self.page != 1 else None,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}


def parse_filters(args: Any) -> Filters:
    """Filters from request arguments; raises ``Refused`` on a value not offered."""
    errors: dict[str, str] = {}

    def enum(name: str, kind: type, label: str, extra: tuple[str, ...] = ()) -> Any:
        raw = (args.get(name) or "").strip()
        if not raw:
            return None
        if raw in extra:
            return raw
        try:
            return kind(raw)
        except ValueError:
            errors[name] = f"{label}“{raw}”不存在。"
            return None

    category = enum("category", Category, "问题类别")
    state = enum("state", IssueState, "状态", (OPEN_FILTER,))
    level = enum("level", SupervisionLevel, "督办等级")
    unit_id = page = None
    raw_unit = (args.get("unit") or "").strip()
    if raw_unit:
        unit_id = whole_number(raw_unit)
        if unit_id is None:
            errors["unit"] = f"责任单位“{raw_unit}”不存在。"
    due = (args.get("due") or "").strip() or None
    if due and due not in DUE_CHOICES:
        errors["due"] = f"到期筛选“{due}”不正确，应为 overdue 或 soon。"
    sort = (args.get("sort") or "").strip() or "deadline"
    if sort not in SORTS:
        errors["sort"] = f"排序方式“{sort}”不正确。"
    raw_page = (args.get("page") or "1").strip()
    if (whole_number(raw_page) or 0) >= 1:
        page = whole_number(raw_page)
    else:
        errors["page"] = f"页码“{raw_page}”不正确。"
    if errors:
        raise Refused(errors)
    project = (args.get("project") or "").strip() or None
    return Filters(category, state, level, unit_id, project, due, sort, page or 1)


def _conditions(f: Filters, day: date, skip: Sequence[str] = ()) -> list:
    where = []
    if f.category and "category" not in skip:
        where.append(Issue.category == f.category)
    if f.state and "state" not in skip:
        if f.state == OPEN_FILTER:
            where.append(Issue.state.in_(OPEN_STATES))
        else:
            where.append(Issue.state == f.state)
    if f.level:
        where.append(Issue.level == f.level)
    if f.unit_id:
        where.append(Issue.responsible_unit_id == f.unit_id)
    if f.project == "none":
        where.append(Issue.project_id.is_(None))
    elif f.project:  # a code, else part of a name (a city's filter is typed, not picked)
        where.append(Issue.project_id.in_(select(Project.id).where(or_(
            Project.code == f.project, Project.name.contains(f.project, autoescape=True)))))
    if f.due == "overdue":
        where += [Issue.state.in_(OPEN_STATES), Issue.deadline < day]
    elif f.due == "soon":
        where += [
            Issue.state.in_(OPEN_STATES),
            Issue.deadline >= day,
            Issue.deadline <= day + timedelta(days=DUE_SOON_DAYS),
        ]
    return where


def _ordered(query: Any, sort: str) -> Any:
    if sort == "age":
        return query.order_by(Issue.raised_on, Issue.id)
    if sort == "newest":
        return query.order_by(Issue.raised_on.desc(), Issue.id.desc())
    # deadline: earliest first, issues without one last (same on SQLite and PostgreSQL)
    return query.order_by(
        case((Issue.deadline.is_(None), 1), else_=0), Issue.deadline, Issue.id
    )


def _list_options() -> list:
    return [selectinload(Issue.project), selectinload(Issue.responsible_unit)]


@dataclass
class IssueList:
    """One page of the filtered list, with the counts shown beside it."""

    filters: Filters
    rows: list[Issue]
    total: int
    page: int
    pages: int
    by_category: dict[Category, int] = field(default_factory=dict)
    by_state: dict[IssueState, int] = field(default_factory=dict)


def issue_list(f: Filters, day: date, per_page: int = PER_PAGE) -> IssueList:
    """The filtered, sorted page; counts by category (other filters kept) and by state.

    A fixed number of statements whatever the number of issues: the total, the page, its
    projects and units (selectin), and two grouped counts.
    """
    where = _conditions(f, day)
    total = db.session.scalar(select(func.count(Issue.id)).where(*where)) or 0
    pager = paginate(total, f.page, per_page)
    page, pages = pager.number, pager.pages
    rows = list(
        db.session.scalars(
            _ordered(select(Issue).where(*where), f.sort)
            .options(*_list_options())
            .limit(per_page)
            .offset(pager.offset)
        )
    )
    by_category = {c: 0 for c in Category}
    for cat, n in db.session.execute(
        select(Issue.category, func.count(Issue.id))
        .where(*_conditions(f, day, skip=("category",)))
        .group_by(Issue.category)
    ):
        by_category[Category(cat)] = n
    by_state = {s: 0 for s in IssueState}
    for state, n in db.session.execute(
        select(Issue.state, func.count(Issue.id))
        .where(*_conditions(f, day, skip=("state",)))
        .group_by(Issue.state)
    ):
        by_state[IssueState(state)] = n
    return IssueList(replace(f, page=page), rows, total, page, pages, by_category, by_state)


def all_filtered(f: Filters, day: date) -> list[Issue]:
    """Every issue the filters select, sorted (the Excel download)."""
    return list(
        db.session.scalars(
            _ordered(select(Issue).where(*_conditions(f, day)), f.sort).options(*_list_options())
        )
    )


# Up to this many projects the filter is a list to pick from; past it, a box to type a code
# or part of a name in (a list of a city's 2,000 projects was half the page and no help).
PICK_PROJECTS_UP_TO = 150


def filter_choices() -> tuple[list[Unit], list[Project] | None]:
    """Units that carry issues (or are active) and projects, for the filter form; no projects
    (None) where there are too many to pick from."""
    units = list(db.session.scalars(select(Unit).order_by(Unit.name)))
    projects = list(db.session.scalars(
        select(Project).order_by(Project.code).limit(PICK_PROJECTS_UP_TO + 1)))
    return units, projects if len(projects) <= PICK_PROJECTS_UP_TO else None


def mine(user: User, day: date) -> list[Issue]:
    """我的待办, overdue first then by deadline.

    A member: open issues assigned to their unit or on projects they lead. A supervisor or
    admin: issues awaiting their confirmation, and every overdue one. A viewer: those of
    their unit (read only).
    """
    query = select(Issue).where(Issue.state.in_(OPEN_STATES)).options(*_list_options())
    if can_supervise(user):
        query = query.where(
            or_(Issue.state == IssueState.AWAITING_CONFIRMATION, Issue.deadline < day)
        )
    else:
        led = select(Project.id).where(Project.lead_id == user.id)
        mine_ = [Issue.project_id.in_(led)]
        if user.unit_id is not None:
            mine_.append(Issue.responsible_unit_id == user.unit_id)
        query = query.where(or_(*mine_))
    issues = list(db.session.scalars(query))
    issues.sort(
        key=lambda i: (
            -days_overdue_now(i, day),
            i.deadline is None,
            i.deadline or day,
            i.id,
        )
    )
    return issues


# --- for other domains: the project page, the dashboard, the brief -----------------


def issues_for_project(project_id: int) -> list[Issue]:
    """A project's issues, open and closed, with their logs; open ones first, by deadline."""
    issues = list(
        db.session.scalars(
            select(Issue)
            .where(Issue.project_id == project_id)
            .options(
                selectinload(Issue.responsible_unit),
                selectinload(Issue.events).selectinload(IssueEvent.user),
            )
            .order_by(Issue.raised_on, Issue.id)
        )
    )
    issues.sort(key=lambda i: (not i.state.is_open, i.deadline is None, i.deadline or date.max))
    return issues


@dataclass(frozen=True)
class OpenCounts:
    """One project's issues as of a day: open (在督) and overdue (逾期)."""

    open: int = 0
    overdue: int = 0


def counts_by_project(day: date) -> dict[int | None, OpenCounts]:
    """Open and overdue issues per project id as of ``day``, read from the logs (two queries).

    Park-wide issues count under ``None``. A project without open issues is absent.
    """
    issues = db.session.execute(
        select(Issue.id, Issue.project_id, Issue.raised_on, Issue.deadline, Issue.state,
               Issue.closed_on).where(Issue.raised_on <= day)
    ).all()
    entries: dict[int, list[LogEntry]] = {}
    for issue_id, on, to_state, new_deadline in db.session.execute(
        select(IssueEvent.issue_id, IssueEvent.effective_on, IssueEvent.to_state,
               IssueEvent.new_deadline)
        .join(Issue, Issue.id == IssueEvent.issue_id)
        .where(Issue.raised_on <= day)
        .order_by(IssueEvent.id)
    ):
        entries.setdefault(issue_id, []).append(
            LogEntry(on, workflow.State(to_state) if to_state else None, new_deadline)
        )
    counts: dict[int | None, OpenCounts] = {}
    for issue_id, project_id, raised_on, deadline, state, closed_on in issues:
        s = workflow.standing_on(raised_on, deadline, entries.get(issue_id, []), day,
                                 current_state=state.value, current_closed_on=closed_on)
        if s.is_open:
            c = counts.get(project_id, OpenCounts())
            counts[project_id] = OpenCounts(c.open + 1, c.overdue + (1 if s.is_overdue else 0))
    return counts


