"""The issue workflow's pure rules: who may move what, the state and deadline as of a day."""

from datetime import date

import pytest

from tracker.issues.workflow import (
    Action,
    Capacity,
    LogEntry,
    MoveRefused,
    State,
    allowed_actions,
    capacities,
    check,
    deadline_on,
    default_title,
    due_within,
    next_number,
    standing_on,
    state_on,
    target_state,
)

R, S = Capacity.RESPONSIBLE, Capacity.SUPERVISOR


def test_the_responsible_side_moves_forward_one_step_at_a_time():
    assert allowed_actions(State.OPEN, {R}) == [Action.PROGRESS, Action.START]
    assert allowed_actions(State.IN_PROGRESS, {R}) == [Action.PROGRESS, Action.SUBMIT]
    assert allowed_actions(State.AWAITING_CONFIRMATION, {R}) == [Action.PROGRESS]
    assert allowed_actions(State.CLOSED, {R}) == []
    assert allowed_actions(State.CANCELLED, {R}) == []


def test_a_supervisor_confirms_sends_back_reopens_extends_cancels_and_restores():
    awaiting = allowed_actions(State.AWAITING_CONFIRMATION, {S})
    assert awaiting == [Action.URGE, Action.CONFIRM, Action.SEND_BACK, Action.EXTEND, Action.CANCEL]
    assert allowed_actions(State.CLOSED, {S}) == [Action.REOPEN]
    assert allowed_actions(State.CANCELLED, {S}) == [Action.RESTORE]


def test_moves_land_where_the_design_says():
    assert target_state(Action.START, State.OPEN) is State.IN_PROGRESS
    assert target_state(Action.SUBMIT, State.IN_PROGRESS) is State.AWAITING_CONFIRMATION
    assert target_state(Action.CONFIRM, State.AWAITING_CONFIRMATION) is State.CLOSED
    assert target_state(Action.SEND_BACK, State.AWAITING_CONFIRMATION) is State.IN_PROGRESS
    assert target_state(Action.REOPEN, State.CLOSED) is State.IN_PROGRESS
    assert target_state(Action.CANCEL, State.IN_PROGRESS) is State.CANCELLED
    assert target_state(Action.PROGRESS, State.IN_PROGRESS) is State.IN_PROGRESS
    assert target_state(Action.EXTEND, State.OPEN) is State.OPEN


def test_restoring_returns_to_the_state_before_cancelling():
    assert target_state(Action.RESTORE, State.CANCELLED, State.AWAITING_CONFIRMATION) is (
        State.AWAITING_CONFIRMATION
    )
    assert target_state(Action.RESTORE, State.CANCELLED, None) is State.OPEN


def test_a_refused_move_says_why_in_chinese():
    with pytest.raises(MoveRefused, match="当前状态为“待办理”，不能“确认办结”"):
        check(Action.CONFIRM, State.OPEN, {S, R})
    with pytest.raises(MoveRefused, match="只能由督查室操作"):
        check(Action.CONFIRM, State.AWAITING_CONFIRMATION, {R})
    with pytest.raises(MoveRefused, match="只能由责任单位或项目负责人操作"):
        check(Action.START, State.OPEN, {})
    with pytest.raises(MoveRefused, match="未知的操作"):
        check("delete", State.OPEN, {S})
    assert check("confirm", State.AWAITING_CONFIRMATION, {S}) is Action.CONFIRM


def test_capacities_by_unit_lead_and_role():
    base = dict(user_unit_id=1, issue_unit_id=1, user_id=7, project_lead_id=None)
    assert capacities(is_supervisor=False, is_member=True, **base) == {R}
    other = dict(base, user_unit_id=2)
    assert capacities(is_supervisor=False, is_member=True, **other) == frozenset()
    lead = dict(other, project_lead_id=7)
    assert capacities(is_supervisor=False, is_member=True, **lead) == {R}
    assert capacities(is_supervisor=False, is_member=False, **base) == frozenset()  # a viewer
    assert capacities(is_supervisor=True, is_member=False, **other) == {R, S}


def test_no_unit_on_either_side_is_not_a_match():
    caps = capacities(is_supervisor=False, is_member=True, user_unit_id=None, issue_unit_id=None,
                      user_id=3, project_lead_id=None)
    assert caps == frozenset()


# --- as of a day -------------------------------------------------------------------

CLOSED_AND_REOPENED = [
    LogEntry(date(2026, 1, 10), State.OPEN, date(2026, 2, 28)),
    LogEntry(date(2026, 1, 20), State.IN_PROGRESS),
    LogEntry(date(2026, 2, 20), State.AWAITING_CONFIRMATION),
    LogEntry(date(2026, 3, 1), State.CLOSED),
    LogEntry(date(2026, 9, 1), State.IN_PROGRESS),
]


def test_state_as_of_a_day_follows_the_log():
    raised = date(2026, 1, 10)
    assert state_on(raised, CLOSED_AND_REOPENED, date(2026, 1, 9)) is None
    assert state_on(raised, CLOSED_AND_REOPENED, date(2026, 1, 10)) is State.OPEN
    assert state_on(raised, CLOSED_AND_REOPENED, date(2026, 2, 28)) is State.AWAITING_CONFIRMATION
    assert state_on(raised, CLOSED_AND_REOPENED, date(2026, 7, 31)) is State.CLOSED
    assert state_on(raised, CLOSED_AND_REOPENED, date(2026, 9, 30)) is State.IN_PROGRESS


def test_closed_in_march_and_reopened_in_september_was_not_overdue_in_july():
    raised = date(2026, 1, 10)
    july = standing_on(raised, date(2026, 2, 28), CLOSED_AND_REOPENED, date(2026, 7, 31))
    assert not july.is_open and july.days_overdue == 0
    sept = standing_on(raised, date(2026, 2, 28), CLOSED_AND_REOPENED, date(2026, 9, 30))
    assert sept.is_open and sept.days_overdue == 214  # 2月28日 → 9月30日


def test_deadline_as_of_a_day_ignores_later_extensions():
    entries = [
        LogEntry(date(2026, 2, 10), State.OPEN, date(2026, 3, 15)),
        LogEntry(date(2026, 4, 2), None, date(2026, 6, 30)),  # 延期 in April
    ]
    assert deadline_on(date(2026, 6, 30), entries, date(2026, 3, 31)) == date(2026, 3, 15)
    assert deadline_on(date(2026, 6, 30), entries, date(2026, 4, 30)) == date(2026, 6, 30)
    march = standing_on(date(2026, 2, 10), date(2026, 6, 30), entries, date(2026, 3, 31))
    assert march.days_overdue == 16
    assert deadline_on(date(2026, 5, 1), [], date(2026, 3, 31)) == date(2026, 5, 1)


def test_worked_example_e1_is_overdue_at_the_end_of_march():
    e1 = [LogEntry(date(2026, 2, 10), State.OPEN), LogEntry(date(2026, 2, 20), State.IN_PROGRESS)]
    s = standing_on(date(2026, 2, 10), date(2026, 3, 15), e1, date(2026, 3, 31))
    assert s.state is State.IN_PROGRESS and s.is_overdue and s.days_overdue == 16


def test_due_within_seven_days_counts_both_ends():
    today = date(2026, 11, 25)
    assert due_within(date(2026, 11, 25), today)
    assert due_within(date(2026, 12, 2), today)
    assert not due_within(date(2026, 12, 3), today)
    assert not due_within(date(2026, 11, 24), today)
    assert not due_within(None, today)


def test_next_number_skips_numbers_taken_in_that_year():
    assert next_number(2026, []) == "DB-2026-0001"
    taken = ["DB-2026-0001", "DB-2026-0007", "DB-2025-0042", "SZ-01", "DB-2026-x"]
    assert next_number(2026, taken) == "DB-2026-0008"
    assert next_number(2025, taken) == "DB-2025-0043"
    assert next_number(2027, taken) == "DB-2027-0001"


def test_default_title_is_the_first_thirty_characters():
    text = "项目二期建设资金缺口约1.2亿元，银行贷款审批进度慢，影响设备采购。"
    assert default_title(text) == text[:30]
    assert len(default_title(text)) == 30
    assert default_title("  短  ") == "短"


def test_an_issue_without_state_moves_stands_as_it_is_now_once_closed():
    raised, closed = date(2026, 1, 10), date(2026, 3, 20)
    before = standing_on(raised, date(2026, 2, 28), [], date(2026, 3, 10),
                         current_state=State.CLOSED, current_closed_on=closed)
    assert before.state is State.IN_PROGRESS and before.is_open and before.days_overdue == 10
    after = standing_on(raised, date(2026, 2, 28), [], date(2026, 3, 31),
                        current_state=State.CLOSED, current_closed_on=closed)
    assert after.state is State.CLOSED and not after.is_open and after.closed_on == closed
    assert after.closed_within_month(date(2026, 3, 31))
    assert not after.closed_within_month(date(2026, 4, 30))


def test_a_backdated_entry_counts_by_its_effective_date():
    entries = [LogEntry(date(2026, 1, 10), State.OPEN), LogEntry(date(2026, 3, 1), State.CLOSED),
               LogEntry(date(2026, 2, 1), State.IN_PROGRESS)]  # added last, effective earlier
    s = standing_on(date(2026, 1, 10), None, entries, date(2026, 3, 31))
    assert s.state is State.CLOSED and not s.is_open
