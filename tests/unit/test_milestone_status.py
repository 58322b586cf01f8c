"""A milestone's status on day D, the 三未 lists and stage advancement (DESIGN.md section 11)."""

from datetime import date, timedelta

import pytest

from tracker.milestones.status import (
    Key,
    Standing,
    Status,
    ThreeNot,
    matches,
    stage_after,
    standing_on,
    three_nots,
)

D = date(2026, 3, 31)
N = 15


def on(planned=None, actual=None, na=False, due_days=N):
    return standing_on(D, planned, actual, not_applicable=na, due_days=due_days)


def test_planned_on_the_day_itself_is_due_soon_not_overdue():
    assert on(planned=D) == Standing(Status.DUE_SOON, days_left=0)


def test_planned_the_day_before_is_one_day_overdue():
    assert on(planned=D - timedelta(days=1)) == Standing(Status.OVERDUE, days_overdue=1)


def test_planned_n_days_ahead_is_still_due_soon_and_one_more_is_not_due():
    assert on(planned=D + timedelta(days=N)).status is Status.DUE_SOON
    later = on(planned=D + timedelta(days=N + 1))
    assert later.status is Status.NOT_DUE and later.days_left == N + 1


def test_the_due_soon_window_follows_the_setting():
    assert on(planned=D + timedelta(days=20), due_days=30).status is Status.DUE_SOON
    assert on(planned=D + timedelta(days=1), due_days=0).status is Status.NOT_DUE
    assert on(planned=D, due_days=0).status is Status.DUE_SOON


def test_done_on_the_planned_day_is_on_time():
    assert on(planned=date(2026, 3, 10), actual=date(2026, 3, 10)).status is Status.DONE_ON_TIME


def test_done_before_the_planned_day_is_on_time():
    assert on(planned=date(2026, 5, 1), actual=date(2026, 3, 10)).status is Status.DONE_ON_TIME


def test_done_after_the_planned_day_is_done_late_with_the_days_late():
    late = on(planned=date(2026, 3, 10), actual=date(2026, 3, 13))
    assert late == Standing(Status.DONE_LATE, days_overdue=3)
    assert late.done and not late.pending


def test_done_on_day_d_counts_as_done():
    assert on(planned=D, actual=D).status is Status.DONE_ON_TIME


def test_an_actual_date_after_day_d_does_not_count_yet():
    assert on(planned=D - timedelta(days=5), actual=D + timedelta(days=1)) == Standing(
        Status.OVERDUE, days_overdue=5)


def test_no_planned_date_is_unplanned_and_done_without_plan_is_plain_done():
    assert on().status is Status.UNPLANNED
    assert on(actual=date(2026, 1, 5)).status is Status.DONE


def test_not_applicable_wins_over_any_dates():
    for planned, actual in ((None, None), (D - timedelta(days=100), None), (D, D)):
        standing = on(planned=planned, actual=actual, na=True)
        assert standing == Standing(Status.NOT_APPLICABLE)
        assert not standing.done and not standing.pending


def test_the_filter_value_done_covers_every_done_status():
    assert matches(on(planned=D, actual=D), "已完成")
    assert matches(on(planned=date(2026, 3, 1), actual=D), "已完成")
    assert matches(on(planned=date(2026, 3, 1), actual=D), "逾期完成")
    assert not matches(on(planned=D), "已完成")
    assert matches(on(planned=D), "临期")


DONE = Standing(Status.DONE_ON_TIME)
LATE_DONE = Standing(Status.DONE_LATE, days_overdue=3)
OVERDUE = Standing(Status.OVERDUE, days_overdue=10)
NOT_DUE = Standing(Status.NOT_DUE, days_left=40)
NA = Standing(Status.NOT_APPLICABLE)


@pytest.mark.parametrize(
    ("standings", "lists"),
    [
        ({Key.LAND_SUPPLY: DONE, Key.CONSTRUCTION_START: NOT_DUE}, [ThreeNot.LAND_NOT_STARTED]),
        ({Key.LAND_SUPPLY: LATE_DONE, Key.CONSTRUCTION_START: OVERDUE}, [ThreeNot.LAND_NOT_STARTED]),
        ({Key.LAND_SUPPLY: DONE, Key.CONSTRUCTION_START: DONE}, []),
        ({Key.LAND_SUPPLY: DONE, Key.CONSTRUCTION_START: NA}, []),
        ({Key.LAND_SUPPLY: NOT_DUE, Key.CONSTRUCTION_START: NOT_DUE}, []),
        ({Key.LAND_SUPPLY: DONE}, []),  # 开工建设 retired from the template: no list needs it
        ({Key.CONSTRUCTION_START: DONE, Key.COMPLETION: OVERDUE},
         [ThreeNot.STARTED_COMPLETION_OVERDUE]),
        ({Key.CONSTRUCTION_START: DONE, Key.COMPLETION: NOT_DUE}, []),
        ({Key.CONSTRUCTION_START: NOT_DUE, Key.COMPLETION: OVERDUE}, []),
        ({Key.COMPLETION: DONE, Key.OPERATION: NOT_DUE}, [ThreeNot.COMPLETED_NOT_OPERATING]),
        ({Key.COMPLETION: DONE, Key.OPERATION: DONE}, []),
        ({Key.COMPLETION: DONE, Key.OPERATION: NA}, []),
        ({Key.LAND_SUPPLY: DONE, Key.CONSTRUCTION_START: DONE, Key.COMPLETION: OVERDUE,
          Key.OPERATION: NOT_DUE}, [ThreeNot.STARTED_COMPLETION_OVERDUE]),
    ],
)
def test_three_nots(standings, lists):
    assert three_nots(standings) == lists


@pytest.mark.parametrize(
    ("current", "key", "after"),
    [
        ("前期", Key.CONSTRUCTION_START, "在建"),
        ("前期", Key.COMPLETION, "竣工"),
        ("在建", Key.COMPLETION, "竣工"),
        ("竣工", Key.OPERATION, "投产"),
        ("前期", Key.OPERATION, "投产"),
        ("在建", Key.CONSTRUCTION_START, None),  # already there
        ("竣工", Key.CONSTRUCTION_START, None),  # never backward
        ("投产", Key.COMPLETION, None),
        ("前期", Key.LAND_SUPPLY, None),  # moves no stage
        ("前期", None, None),
        ("前期", "开工建设", "在建"),  # the stored key, a plain string
    ],
)
def test_stage_moves_forward_only(current, key, after):
    assert stage_after(current, key) == after


def test_a_cell_says_how_late_or_how_soon():
    assert on(planned=D - timedelta(days=12)).caption == "逾期12天"
    assert on(planned=D).caption == "今天到期"
    assert on(planned=D + timedelta(days=3)).caption == "临期（3天后）"
    assert on(planned=D + timedelta(days=30)).caption == ""
    assert on(planned=date(2026, 3, 1), actual=date(2026, 3, 4)).caption == "逾期完成（晚3天）"
    assert on(planned=D, actual=D).caption == "按期完成"
    assert on().caption == "未计划" and on(na=True).caption == "不适用"
