"""A milestone's status on a day, the "三未" lists and stage advancement, as pure rules.

DESIGN.md section 11. Status of a milestone on day D:

- **不适用** when it is marked so (whatever its dates);
- **已完成** when its actual date ≤ D: **按期完成** when actual ≤ planned, **逾期完成** when
  actual > planned, plain 已完成 when it had no planned date to compare with;
- else **逾期** when its planned date < D (with the days overdue, D − planned);
- else **临期** when D ≤ planned ≤ D + N (N: the setting ``milestone_due_days``, default 15);
- else **未到期**; with no planned date **未计划**.

An actual date after D does not count on D (a status "as of" a past day ignores what was done
later). Milestones with a special meaning (土地供应, 开工建设, 竣工验收, 投产运营) are known by
their ``Key``, which a template milestone keeps when an admin renames it.

No Flask, no database: plain dates in, plain values out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

DEFAULT_DUE_DAYS = 15


class Status(StrEnum):
    """节点状态, in the order the legend lists them."""

    DONE_ON_TIME = "按期完成"
    DONE = "已完成"  # done, with no planned date to compare with
    DONE_LATE = "逾期完成"
    OVERDUE = "逾期"
    DUE_SOON = "临期"
    NOT_DUE = "未到期"
    UNPLANNED = "未计划"
    NOT_APPLICABLE = "不适用"

    @property
    def done(self) -> bool:
        return self in DONE_STATUSES

    @property
    def css(self) -> str:
        """The class suffix of the colour the wall chart and the workbook give it."""
        return _CSS[self]

    @property
    def colour(self) -> str:
        """The fill (RGB hex) of the status in the workbook; the stylesheet uses the same."""
        return _COLOURS[self]


DONE_STATUSES = frozenset({Status.DONE_ON_TIME, Status.DONE, Status.DONE_LATE})
_CSS = {
    Status.DONE_ON_TIME: "done", Status.DONE: "done", Status.DONE_LATE: "done-late",
    Status.OVERDUE: "overdue", Status.DUE_SOON: "due-soon", Status.NOT_DUE: "not-due",
    Status.UNPLANNED: "unplanned", Status.NOT_APPLICABLE: "na",
}
_COLOURS = {
    Status.DONE_ON_TIME: "C8E6C9", Status.DONE: "C8E6C9", Status.DONE_LATE: "DCE775",
    Status.OVERDUE: "EF9A9A", Status.DUE_SOON: "FFE082", Status.NOT_DUE: "BBDEFB",
    Status.UNPLANNED: "ECEFF1", Status.NOT_APPLICABLE: "FAFAFA",
}

#: What the wall chart's ``status`` filter accepts besides a Status: any done one.
ANY_DONE = "已完成"


class Key(StrEnum):
    """Milestones the rules know by meaning; the value is the default template's name."""

    LAND_SUPPLY = "土地供应"
    CONSTRUCTION_START = "开工建设"
    COMPLETION = "竣工验收"
    OPERATION = "投产运营"


#: The default template (DESIGN.md section 11), in order, with the keys of the special ones.
DEFAULT_TEMPLATE: tuple[tuple[str, Key | None], ...] = (
    ("立项备案", None),
    ("用地预审", None),
    ("土地供应", Key.LAND_SUPPLY),
    ("规划许可", None),
    ("施工许可", None),
    ("开工建设", Key.CONSTRUCTION_START),
    ("主体完工", None),
    ("竣工验收", Key.COMPLETION),
    ("投产运营", Key.OPERATION),
)


@dataclass(frozen=True)
class Standing:
    """A milestone as it stands on one day."""

    status: Status
    days_overdue: int = 0  # 逾期: D − planned; 逾期完成: actual − planned
    days_left: int | None = None  # 临期 and 未到期: planned − D

    @property
    def done(self) -> bool:
        return self.status.done

    @property
    def pending(self) -> bool:
        """Still to be done: neither done nor 不适用."""
        return not self.done and self.status is not Status.NOT_APPLICABLE

    @property
    def caption(self) -> str:
        """The words a cell of the wall chart shows under its date ("" for 未到期)."""
        if self.status is Status.OVERDUE:
            return f"逾期{self.days_overdue}天"
        if self.status is Status.DUE_SOON:
            return "今天到期" if self.days_left == 0 else f"临期（{self.days_left}天后）"
        if self.status is Status.NOT_DUE:
            return ""
        if self.status is Status.DONE_LATE:
            return f"逾期完成（晚{self.days_overdue}天）"
        return self.status.value


def standing_on(
    day: date,
    planned: date | None,
    actual: date | None,
    *,
    not_applicable: bool = False,
    due_days: int = DEFAULT_DUE_DAYS,
) -> Standing:
    """The status of one milestone on ``day`` (see the module docstring)."""
    if not_applicable:
        return Standing(Status.NOT_APPLICABLE)
    if actual is not None and actual <= day:
        if planned is None:
            return Standing(Status.DONE)
        if actual <= planned:
            return Standing(Status.DONE_ON_TIME)
        return Standing(Status.DONE_LATE, days_overdue=(actual - planned).days)
    if planned is None:
        return Standing(Status.UNPLANNED)
    if planned < day:
        return Standing(Status.OVERDUE, days_overdue=(day - planned).days)
    left = (planned - day).days
    if planned <= day + timedelta(days=due_days):
        return Standing(Status.DUE_SOON, days_left=left)
    return Standing(Status.NOT_DUE, days_left=left)


def matches(standing: Standing, wanted: str) -> bool:
    """Whether a milestone's standing is what the ``status`` filter asks for.

    ``已完成`` stands for every done status (按期完成, 逾期完成 and 已完成 without a plan).
    """
    if wanted == ANY_DONE:
        return standing.done
    return standing.status.value == wanted


# --- the "三未" lists -------------------------------------------------------------------


class ThreeNot(StrEnum):
    """三未: projects stuck between two milestones on day D (DESIGN.md section 11)."""

    LAND_NOT_STARTED = "供地未开工"  # 土地供应 done, 开工建设 not
    STARTED_COMPLETION_OVERDUE = "开工未竣工逾期"  # 开工建设 done, 竣工验收 逾期
    COMPLETED_NOT_OPERATING = "竣工未投产"  # 竣工验收 done, 投产运营 not


def three_nots(by_key: Mapping[Key, Standing]) -> list[ThreeNot]:
    """The 三未 lists one project is on, from the standings of its keyed milestones.

    "Not done" means still pending: a milestone marked 不适用 needs no doing, so a project
    without, say, 投产运营 is never 竣工未投产. A milestone the project does not have (its
    template milestone retired) puts it on no list that needs it.
    """
    def done(key: Key) -> bool:
        return key in by_key and by_key[key].done

    def pending(key: Key) -> bool:
        return key in by_key and by_key[key].pending

    found = []
    if done(Key.LAND_SUPPLY) and pending(Key.CONSTRUCTION_START):
        found.append(ThreeNot.LAND_NOT_STARTED)
    if done(Key.CONSTRUCTION_START) and Key.COMPLETION in by_key \
            and by_key[Key.COMPLETION].status is Status.OVERDUE:
        found.append(ThreeNot.STARTED_COMPLETION_OVERDUE)
    if done(Key.COMPLETION) and pending(Key.OPERATION):
        found.append(ThreeNot.COMPLETED_NOT_OPERATING)
    return found


# --- stage advancement ------------------------------------------------------------------

#: Mirror of ``projects.models.Stage``'s values, in order, so that this module needs no model.
STAGES = ("前期", "在建", "竣工", "投产")
STAGE_AFTER = {
    Key.CONSTRUCTION_START: "在建",
    Key.COMPLETION: "竣工",
    Key.OPERATION: "投产",
}


def stage_after(current: str, key: Key | str | None) -> str | None:
    """The stage a project moves to when the actual date of milestone ``key`` is recorded.

    开工建设 → 在建, 竣工验收 → 竣工, 投产运营 → 投产; never backward: None when the project is
    already there or beyond, or when the milestone moves no stage.
    """
    if key is None or key not in {k.value for k in STAGE_AFTER}:
        return None
    target = STAGE_AFTER[Key(key)]
    if current in STAGES and STAGES.index(target) <= STAGES.index(current):
        return None
    return target


# --- the brief's milestone figures ------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """The brief's milestone figures on day D (DESIGN.md section 11).

    ``planned`` ({a}): milestones planned in D's year on or before D; ``done`` ({b}): those of
    them done on or before D; ``overdue`` ({d}): planned before D and not done as of D, whatever
    the year; ``any_planned``: whether any milestone has a planned date at all.
    """

    planned: int
    done: int
    overdue: int
    any_planned: bool


def tally(milestones: Iterable[tuple[date | None, date | None, bool]], day: date) -> Tally:
    """The figures over (planned, actual, 不适用) triples; 不适用 ones count nowhere."""
    planned = done = overdue = 0
    any_planned = False
    for planned_on, actual_on, not_applicable in milestones:
        if not_applicable or planned_on is None:
            continue
        any_planned = True
        finished = actual_on is not None and actual_on <= day
        if planned_on.year == day.year and planned_on <= day:
            planned += 1
            done += finished
        if planned_on < day and not finished:
            overdue += 1
    return Tally(planned, done, overdue, any_planned)


# --- an overdue milestone as a blocking issue ---------------------------------------------

#: The 问题类别 (DESIGN.md section 2) closest to what holds each default milestone back; the keyed
#: ones go by key (they survive a rename), the others by name; anything else is 其他.
ISSUE_CATEGORY_BY_KEY = {
    Key.LAND_SUPPLY: "土地交付进度慢",
    Key.CONSTRUCTION_START: "施工组织",
    Key.COMPLETION: "施工组织",
    Key.OPERATION: "其他",
}
ISSUE_CATEGORY_BY_NAME = {
    "立项备案": "规划报建",
    "用地预审": "用地手续不完善",
    "规划许可": "规划报建",
    "施工许可": "规划报建",
    "主体完工": "施工组织",
}


def issue_category(name: str, key: Key | str | None = None) -> str:
    """The 问题类别 an overdue milestone's blocking issue starts with."""
    if key is not None and key in {k.value for k in ISSUE_CATEGORY_BY_KEY}:
        return ISSUE_CATEGORY_BY_KEY[Key(key)]
    return ISSUE_CATEGORY_BY_NAME.get(name, "其他")


def overdue_issue_title(name: str, days_overdue: int) -> str:
    """The blocking issue's title: ``{节点}逾期{n}天``."""
    return f"{name}逾期{days_overdue}天"
