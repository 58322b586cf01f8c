"""The blocking issue's workflow, as pure rules: no Flask, no database.

States (DESIGN.md section 2): 待办理 → 办理中 → 待确认 → 已办结, 已撤销 for an issue raised in
error. Who may do what is expressed as *capacities* a user holds on one issue:

- ``RESPONSIBLE``: a member of the responsible unit, or the lead of the issue's project.
  Adds progress entries (办理进展) and moves 待办理 → 办理中 → 待确认.
- ``SUPERVISOR``: supervisors and admins. Urges (催办), confirms (已办结), sends 待确认 back,
  reopens 已办结, extends deadlines (延期), cancels (已撤销) and restores.

Decisions where the design is silent:

- Supervisors also hold ``RESPONSIBLE`` on every issue: the office often records progress a
  unit reported by phone, and may move an issue on a unit's behalf; the log says who did it.
- Only an open issue (待办理 / 办理中 / 待确认) can be cancelled, extended, urged or get
  progress; a closed one must be reopened first.
- Restoring a cancelled issue returns it to the state it had when it was cancelled.
- The path is one step at a time (待办理 cannot jump to 待确认), so the log always shows
  that work started.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from tracker import progress


class State(StrEnum):
    """Mirror of ``IssueState``'s values, so that this module needs no model import."""

    OPEN = "待办理"
    IN_PROGRESS = "办理中"
    AWAITING_CONFIRMATION = "待确认"
    CLOSED = "已办结"
    CANCELLED = "已撤销"


OPEN_STATES = (State.OPEN, State.IN_PROGRESS, State.AWAITING_CONFIRMATION)
DONE_STATES = (State.CLOSED, State.CANCELLED)


class Capacity(StrEnum):
    RESPONSIBLE = "responsible"
    SUPERVISOR = "supervisor"


class Action(StrEnum):
    """What a user can do to an issue; each one adds a follow-up log entry."""

    PROGRESS = "progress"
    START = "start"
    SUBMIT = "submit"
    URGE = "urge"
    CONFIRM = "confirm"
    SEND_BACK = "send_back"
    REOPEN = "reopen"
    EXTEND = "extend"
    CANCEL = "cancel"
    RESTORE = "restore"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.PROGRESS: "填报办理进展",
    Action.START: "开始办理",
    Action.SUBMIT: "办结，申请确认",
    Action.URGE: "催办",
    Action.CONFIRM: "确认办结",
    Action.SEND_BACK: "退回继续办理",
    Action.REOPEN: "重新打开",
    Action.EXTEND: "延期",
    Action.CANCEL: "撤销",
    Action.RESTORE: "恢复",
}


@dataclass(frozen=True)
class Rule:
    """One action: who may take it, from which states, and to which state."""

    capacity: Capacity
    from_states: tuple[State, ...]
    to_state: State | None  # None: no state change (a comment, an extension) or "previous"
    comment_required: bool = True


RULES: dict[Action, Rule] = {
    Action.PROGRESS: Rule(Capacity.RESPONSIBLE, OPEN_STATES, None),
    Action.START: Rule(Capacity.RESPONSIBLE, (State.OPEN,), State.IN_PROGRESS),
    Action.SUBMIT: Rule(Capacity.RESPONSIBLE, (State.IN_PROGRESS,), State.AWAITING_CONFIRMATION),
    Action.URGE: Rule(Capacity.SUPERVISOR, OPEN_STATES, None),
    Action.CONFIRM: Rule(Capacity.SUPERVISOR, (State.AWAITING_CONFIRMATION,), State.CLOSED),
    Action.SEND_BACK: Rule(
        Capacity.SUPERVISOR, (State.AWAITING_CONFIRMATION,), State.IN_PROGRESS
    ),
    Action.REOPEN: Rule(Capacity.SUPERVISOR, (State.CLOSED,), State.IN_PROGRESS),
    Action.EXTEND: Rule(Capacity.SUPERVISOR, OPEN_STATES, None),
    Action.CANCEL: Rule(Capacity.SUPERVISOR, OPEN_STATES, State.CANCELLED),
    Action.RESTORE: Rule(Capacity.SUPERVISOR, (State.CANCELLED,), None),
}

#: Actions whose log entry is a state move (the others only comment or extend).
STATE_MOVES = frozenset(
    {Action.START, Action.SUBMIT, Action.CONFIRM, Action.SEND_BACK, Action.REOPEN,
     Action.CANCEL, Action.RESTORE}
)


class MoveRefused(ValueError):
    """A move the rules do not allow; the message is for the user (Chinese)."""


def capacities(
    *,
    is_supervisor: bool,
    is_member: bool,
    user_unit_id: int | None,
    issue_unit_id: int | None,
    user_id: int,
    project_lead_id: int | None,
) -> frozenset[Capacity]:
    """The capacities a user holds on one issue (see the module docstring)."""
    if is_supervisor:
        return frozenset({Capacity.SUPERVISOR, Capacity.RESPONSIBLE})
    if is_member and (
        (user_unit_id is not None and user_unit_id == issue_unit_id)
        or (project_lead_id is not None and project_lead_id == user_id)
    ):
        return frozenset({Capacity.RESPONSIBLE})
    return frozenset()


def allowed_actions(state: State | str, held: Iterable[Capacity]) -> list[Action]:
    """The actions open to someone holding ``held`` on an issue in ``state``, in form order."""
    state = State(state)
    held = frozenset(held)
    return [a for a, r in RULES.items() if r.capacity in held and state in r.from_states]


def check(action: Action | str, state: State | str, held: Iterable[Capacity]) -> Action:
    """The action if allowed; raises ``MoveRefused`` with a message otherwise."""
    try:
        action = Action(action)
    except ValueError:
        raise MoveRefused("未知的操作。") from None
    state = State(state)
    rule = RULES[action]
    if rule.capacity not in frozenset(held):
        who = "督查室" if rule.capacity is Capacity.SUPERVISOR else "责任单位或项目负责人"
        raise MoveRefused(f"“{action.label}”只能由{who}操作。")
    if state not in rule.from_states:
        allowed = "、".join(s.value for s in rule.from_states)
        raise MoveRefused(f"当前状态为“{state.value}”，不能“{action.label}”（仅限{allowed}）。")
    return action


def target_state(action: Action, state: State | str, previous: State | str | None = None) -> State:
    """The state after ``action``; ``previous`` is the state before cancelling (for RESTORE)."""
    state = State(state)
    if action is Action.RESTORE:
        if previous is None or State(previous) in DONE_STATES:
            return State.OPEN
        return State(previous)
    to = RULES[action].to_state
    return state if to is None else to


# --- the log, read as of a day -------------------------------------------------


@dataclass(frozen=True)
class LogEntry:
    """What the pure functions need of an ``IssueEvent``."""

    effective_on: date
    to_state: State | None = None
    new_deadline: date | None = None


def _in_effect_order(entries: Sequence[LogEntry]) -> list[LogEntry]:
    """Entries by effective date; entries of one day keep the order they were added."""
    return sorted(entries, key=lambda e: e.effective_on)


def state_on(raised_on: date, entries: Sequence[LogEntry], day: date) -> State | None:
    """The state an issue had as of ``day``; ``None`` before it was raised.

    Entries are in the order they were added; the last state move effective on or before
    ``day`` decides (like ``progress.is_open_on``).
    """
    if raised_on > day:
        return None
    state = State.OPEN
    for e in _in_effect_order(entries):
        if e.to_state is not None and e.effective_on <= day:
            state = State(e.to_state)
    return state


def closures(entries: Sequence[LogEntry]) -> list[tuple[date, bool]]:
    """The (effective date, closed after) pairs ``progress.is_open_on`` expects."""
    return [(e.effective_on, State(e.to_state) in DONE_STATES)
            for e in _in_effect_order(entries) if e.to_state]


def deadline_on(current: date | None, entries: Sequence[LogEntry], day: date) -> date | None:
    """The deadline in force on ``day``: the last one set (on raising or by 延期) by then.

    Falls back to the current deadline when the log sets none on or before ``day``
    (e.g. issues whose raising entry does not carry the deadline).
    """
    found = None
    for e in _in_effect_order(entries):
        if e.new_deadline is not None and e.effective_on <= day:
            found = e.new_deadline
    return found if found is not None else current


@dataclass(frozen=True)
class Standing:
    """An issue as it stood on one day: its state, whether open, the deadline in force,
    how many days overdue, and when it was closed (已办结 or 已撤销) if it was by then."""

    state: State | None
    is_open: bool
    deadline: date | None
    days_overdue: int
    closed_on: date | None = None

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue > 0

    def closed_within_month(self, day: date) -> bool:
        """已办结 as of ``day``, the closing move effective in ``day``'s month (本月办结)."""
        return (not self.is_open and self.state is State.CLOSED and self.closed_on is not None
                and day.replace(day=1) <= self.closed_on <= day)


def standing_on(
    raised_on: date,
    current_deadline: date | None,
    entries: Sequence[LogEntry],
    day: date,
    *,
    current_state: State | str | None = None,
    current_closed_on: date | None = None,
) -> Standing:
    """The one "issue as of day D" (DESIGN.md section 2), for the pages and the brief.

    An issue whose log holds no state move (kept before the log recorded moves) stands
    as it does now when it was closed by ``day`` (``current_closed_on``, else raised), and
    as 办理中 before that; pass its ``current_state`` for it.
    """
    moves = [e for e in _in_effect_order(entries) if e.to_state is not None]
    deadline = deadline_on(current_deadline, entries, day)
    if moves or current_state is None:
        state = state_on(raised_on, moves, day)
        closed_on = None
        for e in moves:
            if e.effective_on <= day:
                closed_on = e.effective_on if State(e.to_state) in DONE_STATES else None
        shut = closures(moves)
    else:
        now = State(current_state)
        shut_on = (current_closed_on or raised_on) if now in DONE_STATES else None
        shut = [(shut_on, True)] if shut_on else []
        if shut_on and shut_on <= day:
            state, closed_on = now, shut_on
        else:
            state = now if now not in DONE_STATES else State.IN_PROGRESS
            closed_on = None
        if raised_on > day:
            state = None
    is_open = progress.is_open_on(raised_on, day, shut)
    late = progress.days_overdue(deadline, day) if is_open else 0
    return Standing(state, is_open, deadline, late, closed_on)


def due_within(deadline: date | None, day: date, days: int = 7) -> bool:
    """Deadline falls between ``day`` and ``days`` later (inclusive): due soon (临期)."""
    return deadline is not None and day <= deadline <= day + timedelta(days=days)


# --- numbers --------------------------------------------------------------------

NUMBER_RE = re.compile(r"^DB-(\d{4})-(\d{4,})$")


def next_number(year: int, taken: Iterable[str]) -> str:
    """``DB-YYYY-NNNN``: one past the highest number of ``year`` already taken.

    Imported issues keep their own numbers; any of them that looks like ours counts as
    taken, so the sequence skips it. Numbers of other shapes are ignored.
    """
    highest = 0
    for number in taken:
        m = NUMBER_RE.match(number)
        if m and int(m.group(1)) == year:
            highest = max(highest, int(m.group(2)))
    return f"DB-{year}-{highest + 1:04d}"


def default_title(description: str, limit: int = 30) -> str:
    """The short title shown when none was given: the description's first 30 characters."""
    return description.strip()[:limit]
