"""Reading milestones: one project's list, and the wall chart (挂图作战) of many projects.

Projects get the template's milestones lazily (``ensure_rows``) whenever their milestones are
read or written, so every way a project comes to exist (the admin form, the workbook, the
demo) is covered without each knowing about milestones. The wall chart reads in a fixed
number of statements whatever the number of projects.

Query parameters of ``/milestones`` (also in the README): the register's ``level``,
``industry``, ``stage``, ``unit``, ``lead``, ``q``, ``archived=1``; ``node`` (a template
milestone's id or name: only its column is shown, and ``status`` looks at it alone);
``status`` (a status such as 逾期 or 临期, 已完成 for any done one, or one of the 三未 lists);
``page``. The register's ``light`` belongs to a month's figures and is not offered here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import exists, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from tracker import http
from tracker.extensions import db
from tracker.forms import whole_number
from tracker.milestones.models import MilestoneTemplate, ProjectMilestone
from tracker.milestones.status import (
    ANY_DONE,
    Key,
    Standing,
    Status,
    ThreeNot,
    matches,
    standing_on,
    three_nots,
)
from tracker.projects.models import Project
from tracker.projects.register import Filters, where_clauses
from tracker.projects.service import ProjectRow, project_rows

PAGE_SIZE = 50  # a screenful or two; the A3 PDF and the workbook carry every project
#: What the ``status`` filter offers, in the legend's order.
STATUS_CHOICES = (ANY_DONE, *[s.value for s in Status if s is not Status.DONE])
THREE_NOT_CHOICES = tuple(t.value for t in ThreeNot)


def ensure_rows(project_ids: list[int] | None = None) -> None:
    """Give projects the active template milestones they lack, with no dates.

    One read when nothing is missing; otherwise one insert and a commit. Two requests
    racing to add the same rows meet the unique index: the loser's rows already exist.
    """
    pm = ProjectMilestone
    missing = (
        select(Project.id, MilestoneTemplate.id)
        .join(MilestoneTemplate, true())
        .where(
            MilestoneTemplate.retired.is_(False),
            ~exists().where(pm.project_id == Project.id, pm.template_id == MilestoneTemplate.id),
        )
    )
    if project_ids is not None:
        missing = missing.where(Project.id.in_(project_ids))
    pairs = db.session.execute(missing).all()
    if not pairs:
        return
    try:
        db.session.execute(
            pm.__table__.insert(),
            [{"project_id": p, "template_id": t, "name": "", "not_applicable": False, "note": "",
              "version": 1} for p, t in pairs],
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()


def templates(*, include_retired: bool = False) -> list[MilestoneTemplate]:
    """The template's milestones in order (one query)."""
    stmt = select(MilestoneTemplate).order_by(MilestoneTemplate.position, MilestoneTemplate.id)
    if not include_retired:
        stmt = stmt.where(MilestoneTemplate.retired.is_(False))
    return list(db.session.scalars(stmt))


# --- one project ------------------------------------------------------------------------


@dataclass
class StaleSave:
    """A stale save: the milestone as stored now, and who saved it when."""

    milestone: ProjectMilestone
    by: str
    at: datetime | None


@dataclass
class Line:
    """One milestone of a project's page, with the user's input when shown again."""

    milestone: ProjectMilestone
    standing: Standing
    errors: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] | None = None
    conflict: StaleSave | None = None

    @property
    def retired(self) -> bool:
        t = self.milestone.template
        return t is not None and t.retired


def _order(m: ProjectMilestone) -> tuple:
    """Template milestones in the template's order, then the project's own by creation."""
    if m.template is not None:
        return (0, m.template.position, m.template_id)
    return (1, 0, m.id)


def _has_data(m: ProjectMilestone) -> bool:
    return bool(m.planned_on or m.actual_on or m.not_applicable or m.note)


def line_of(m: ProjectMilestone, day: date, due_days: int) -> Line:
    return Line(m, standing_on(day, m.planned_on, m.actual_on, not_applicable=m.not_applicable,
                               due_days=due_days))


def project_lines(project: Project, day: date, due_days: int) -> list[Line]:
    """A project's milestones on ``day``: the template's in order, then its own.

    A retired template milestone is shown only while it holds something (a date, a note,
    不适用), so nothing recorded disappears from view.
    """
    ensure_rows([project.id])
    rows = db.session.scalars(
        select(ProjectMilestone)
        .where(ProjectMilestone.project_id == project.id)
        .options(selectinload(ProjectMilestone.template), selectinload(ProjectMilestone.updated_by))
    )
    shown = [m for m in rows if not (m.template and m.template.retired and not _has_data(m))]
    return [line_of(m, day, due_days) for m in sorted(shown, key=_order)]


def grid_lines(project_ids: list[int], last_day: date, day: date,
               due_days: int) -> dict[int, list[Line]]:
    """project id → the milestones its lead records in the reporting grid of the month ending
    ``last_day``: planned on or before that day and not done before the month began (one done
    within the month stays, so the lead sees what was recorded); 不适用 ones left out. One
    statement whatever the number of projects."""
    if not project_ids:
        return {}
    first_day = last_day.replace(day=1)
    rows = db.session.scalars(
        select(ProjectMilestone)
        .where(ProjectMilestone.project_id.in_(project_ids),
               ProjectMilestone.planned_on.is_not(None),
               ProjectMilestone.planned_on <= last_day,
               ProjectMilestone.not_applicable.is_(False),
               (ProjectMilestone.actual_on.is_(None)) | (ProjectMilestone.actual_on >= first_day))
        .options(selectinload(ProjectMilestone.template))
    )
    found: dict[int, list[Line]] = {}
    for m in sorted(rows, key=_order):
        found.setdefault(m.project_id, []).append(line_of(m, day, due_days))
    return found


def milestone_marks(project_id: int, day: date,
                    due_days: int) -> list[tuple[str, date | None, date | None, Standing]]:
    """(name, planned, actual, standing on ``day``) of a project's milestones in the order of
    its page, for pages that only read: template milestones it has not been given yet show as
    未计划, with no write (``project_lines`` gives them rows). Two statements."""
    rows = list(db.session.scalars(
        select(ProjectMilestone).where(ProjectMilestone.project_id == project_id)
        .options(selectinload(ProjectMilestone.template))
    ))
    have = {m.template_id for m in rows}
    missing = [t for t in templates() if t.id not in have]
    shown = [m for m in rows if not (m.template and m.template.retired and not _has_data(m))]
    ordered = sorted(
        [(_order(m), m.title, m.planned_on, m.actual_on, m.not_applicable) for m in shown]
        + [((0, t.position, t.id), t.name, None, None, False) for t in missing],
        key=lambda item: item[0],
    )
    return [(name, planned, actual, standing_on(day, planned, actual, not_applicable=na,
                                                due_days=due_days))
            for _, name, planned, actual, na in ordered]


def project_milestone(project: Project, milestone_id: int) -> ProjectMilestone | None:
    """One milestone of the project (None when it is not one of this project's)."""
    return db.session.scalar(
        select(ProjectMilestone)
        .where(ProjectMilestone.id == milestone_id, ProjectMilestone.project_id == project.id)
        .options(selectinload(ProjectMilestone.template), selectinload(ProjectMilestone.updated_by))
    )


# --- the wall chart -----------------------------------------------------------------------


@dataclass
class ChartFilters(Filters):
    """The register's filters plus ``node`` and ``status`` (see the module docstring)."""

    node: str = ""
    status: str = ""

    @classmethod
    def from_args(cls, args) -> ChartFilters:  # noqa: ANN001
        f = super().from_args(args)
        f.light = ""
        f.node = (args.get("node") or "").strip()[:60]
        status = (args.get("status") or "").strip()
        f.status = status if status in STATUS_CHOICES + THREE_NOT_CHOICES else ""
        return f

    def query(self, **changes) -> dict:  # noqa: ANN003
        """The filters as URL parameters (no sorting: the chart keeps the register's order)."""
        params = super().query(**changes)
        for name in ("sort", "dir", "light"):
            params.pop(name, None)
        return params


@dataclass(frozen=True)
class Cell:
    """One milestone of one project on the chart."""

    id: int
    name: str
    planned: date | None
    actual: date | None
    note: str
    standing: Standing

    @property
    def shown_date(self) -> date | None:
        """The actual date once done, the planned date otherwise."""
        return self.actual if self.standing.done else self.planned


@dataclass
class ChartRow:
    project: ProjectRow
    cells: dict[int, Cell]  # template milestone id → cell
    own: list[Cell]  # the project's own milestones
    three_nots: list[ThreeNot]


@dataclass
class WallChart:
    columns: list[MilestoneTemplate]
    rows: list[ChartRow]
    counts: Counter  # Status → cells shown with it (all pages)
    total: int
    page: int
    pages: int
    node: MilestoneTemplate | None = None
    templates: list[MilestoneTemplate] = field(default_factory=list)  # every active one


def _node(columns: list[MilestoneTemplate], text: str) -> MilestoneTemplate | None:
    number = whole_number(text)
    for t in columns:
        if (number is not None and t.id == number) or t.name == text:
            return t
    return None


def wall_chart(filters: ChartFilters, day: date, due_days: int, paginate: bool = True) -> WallChart:
    """Projects × milestones on ``day``, filtered; a fixed number of statements."""
    ensure_rows()
    columns = every = templates()
    keys = {t.id: t.key for t in columns if t.key is not None}
    node = _node(columns, filters.node) if filters.node else None
    if node is not None:
        columns = [node]
    where = where_clauses(filters)
    projects = sorted(project_rows(*where), key=lambda p: (p.level.order, p.code))
    pm = ProjectMilestone
    stmt = (
        select(pm.id, pm.project_id, pm.template_id, pm.name, pm.planned_on, pm.actual_on,
               pm.not_applicable, pm.note)
        .where(pm.project_id.in_(select(Project.id).where(*where)))
        .order_by(pm.id)
    )
    shown = {t.id for t in columns}
    names = {t.id: t.name for t in columns}
    cells: dict[int, dict[int, Cell]] = {}
    own: dict[int, list[Cell]] = {}
    keyed: dict[int, dict[Key, Standing]] = {}
    for mid, pid, tid, name, planned, actual, na, note in db.session.execute(stmt):
        standing = standing_on(day, planned, actual, not_applicable=na, due_days=due_days)
        if tid in keys:
            keyed.setdefault(pid, {})[keys[tid]] = standing
        if tid is None:
            own.setdefault(pid, []).append(Cell(mid, name, planned, actual, note, standing))
        elif tid in shown:
            cells.setdefault(pid, {})[tid] = Cell(mid, names[tid], planned, actual, note, standing)
    rows = [
        ChartRow(p, cells.get(p.id, {}), own.get(p.id, []) if node is None else [],
                 three_nots(keyed.get(p.id, {})))
        for p in projects
    ]
    if filters.status in THREE_NOT_CHOICES:
        rows = [r for r in rows if ThreeNot(filters.status) in r.three_nots]
    elif filters.status:
        rows = [r for r in rows if any(matches(c.standing, filters.status)
                                       for c in [*r.cells.values(), *r.own])]
    counts = Counter(c.standing.status for r in rows for c in [*r.cells.values(), *r.own])
    page = http.paginate(len(rows), filters.page, PAGE_SIZE)
    if paginate:
        rows = rows[page.offset: page.offset + page.size]
    return WallChart(columns, rows, counts, page.total, page.number, page.pages, node, every)
