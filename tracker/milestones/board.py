"""The dashboard's milestone card: overdue and 临期 counts, the "三未" lists and the overdue
milestones a supervisor may turn into blocking issues, as of today (like the dashboard's issue
counts: what to chase now). Four statements whatever the number of projects.

Active projects only (an archived project is no longer chased); retired template milestones
are left out, as on the wall chart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, case, func, or_, select

from tracker.auth.models import Unit
from tracker.extensions import db
from tracker.milestones.models import MilestoneTemplate, ProjectMilestone
from tracker.milestones.status import (
    Key,
    Standing,
    ThreeNot,
    issue_category,
    overdue_issue_title,
    standing_on,
    three_nots,
)
from tracker.progress import fmt_date_cn
from tracker.projects.models import Project

SHOWN = 10  # overdue milestones listed, most overdue first; the wall chart holds the rest
LIST_SHOWN = 8  # projects named per 三未 list


@dataclass(frozen=True)
class ProjectRef:
    code: str
    name: str


@dataclass(frozen=True)
class Overdue:
    """A milestone overdue today, with the blocking issue it would become."""

    project: ProjectRef
    name: str
    planned: date
    days: int
    unit_id: int | None
    unit: str
    category: str

    @property
    def title(self) -> str:
        return overdue_issue_title(self.name, self.days)

    def issue_fields(self, today: date) -> dict[str, str]:
        """The new-issue form's fields (/issues/new?…), so that one click opens it filled in."""
        fields = {
            "project": self.project.code,
            "category": self.category,
            "title": self.title,
            "description": (f"{self.project.name}的“{self.name}”节点计划于{fmt_date_cn(self.planned)}"
                            f"完成，截至{fmt_date_cn(today)}已逾期{self.days}天仍未完成。"),
        }
        if self.unit_id is not None:
            fields["unit"] = str(self.unit_id)
        return fields


@dataclass
class Board:
    day: date
    overdue: int = 0
    due_soon: int = 0
    planned: int = 0  # milestones with a planned date (0: the park has no plan yet)
    overdue_list: list[Overdue] = field(default_factory=list)
    lists: dict[ThreeNot, list[ProjectRef]] = field(default_factory=dict)

    @property
    def list_counts(self) -> dict[ThreeNot, int]:
        return {t: len(self.lists.get(t, [])) for t in ThreeNot}


def _pending_on(day: date):  # noqa: ANN202
    """SQL: not 不适用 and not done on ``day`` (status.standing_on: done when actual ≤ D)."""
    pm = ProjectMilestone
    return and_(pm.not_applicable.is_(False), or_(pm.actual_on.is_(None), pm.actual_on > day))


def board(day: date, due_days: int) -> Board:
    """The milestone card of the dashboard on ``day``, in four statements.

    The counts and the overdue list are selected in SQL with the conditions of
    ``status.standing_on`` (逾期: pending and planned < D; 临期: pending and D ≤ planned ≤ D + N),
    so that a city's 18,000 milestones are not read one by one; the listed rows and the 三未
    lists (keyed milestones only) go through ``standing_on`` itself. It reads without
    ``ensure_rows`` (a page that only reads should not write): a project not yet given the
    template's milestones has no dates, so it counts nowhere either way.
    """
    pm, t = ProjectMilestone, MilestoneTemplate
    shown = and_(Project.archived_on.is_(None), or_(t.id.is_(None), t.retired.is_(False)))
    overdue_on = and_(_pending_on(day), pm.planned_on < day)
    soon = and_(_pending_on(day), pm.planned_on >= day,
                pm.planned_on <= day + timedelta(days=due_days))
    planned = and_(pm.planned_on.is_not(None), pm.not_applicable.is_(False))
    result = Board(day)
    counts = db.session.execute(
        select(func.sum(case((overdue_on, 1), else_=0)), func.sum(case((soon, 1), else_=0)),
               func.sum(case((planned, 1), else_=0)))
        .select_from(pm).join(Project, pm.project_id == Project.id)
        .outerjoin(t, pm.template_id == t.id).where(shown)
    ).one()
    result.overdue, result.due_soon, result.planned = (int(n or 0) for n in counts)

    rows = db.session.execute(
        select(Project.code, Project.name, Project.responsible_unit_id, Unit.name, pm.name,
               t.name, t.key, pm.planned_on, pm.actual_on)
        .select_from(pm).join(Project, pm.project_id == Project.id)
        .outerjoin(t, pm.template_id == t.id)
        .outerjoin(Unit, Project.responsible_unit_id == Unit.id)
        .where(shown, overdue_on)
        .order_by(pm.planned_on, Project.code, pm.id).limit(SHOWN)
    )
    for code, name, unit_id, unit, own, tname, key, planned_on, actual in rows:
        title = tname or own
        days = standing_on(day, planned_on, actual, due_days=due_days).days_overdue
        result.overdue_list.append(Overdue(ProjectRef(code, name), title, planned_on, days,
                                           unit_id, unit or "—", issue_category(title, key)))

    keyed: dict[int, dict[Key, Standing]] = {}
    refs: dict[int, tuple[tuple, ProjectRef]] = {}
    for pid, code, name, level, key, planned_on, actual, na in db.session.execute(
        select(Project.id, Project.code, Project.name, Project.level, t.key, pm.planned_on,
               pm.actual_on, pm.not_applicable)
        .select_from(pm).join(Project, pm.project_id == Project.id)
        .join(t, pm.template_id == t.id)
        .where(Project.archived_on.is_(None), t.retired.is_(False), t.key.is_not(None))
    ):
        refs[pid] = ((level.order, code), ProjectRef(code, name))
        keyed.setdefault(pid, {})[key] = standing_on(day, planned_on, actual, not_applicable=na,
                                                     due_days=due_days)
    for pid, (_order, ref) in sorted(refs.items(), key=lambda item: item[1][0]):
        for found in three_nots(keyed[pid]):
            result.lists.setdefault(found, []).append(ref)
    return result
