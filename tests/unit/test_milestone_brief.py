"""The brief's milestone sentence (DESIGN.md section 11), to the character, from plain dates."""

from datetime import date

import pytest

from tracker.milestones.status import Tally, tally
from tracker.narrative import milestone_sentence

D = date(2026, 3, 31)  # the brief of March 2026 is written as of its last day


def test_planned_done_and_overdue_are_counted_as_of_the_months_last_day():
    figures = tally([
        (date(2026, 1, 15), date(2026, 1, 10), False),  # planned in 1-3, done: a, b
        (date(2026, 2, 20), date(2026, 3, 5), False),  # planned in 1-3, done late: a, b
        (date(2026, 3, 10), None, False),  # planned in 1-3, not done: a, d
        (date(2026, 3, 31), None, False),  # planned on D itself: a, not yet overdue
        (date(2026, 3, 20), date(2026, 4, 2), False),  # done after D: a, d (not done on D)
        (date(2025, 11, 30), None, False),  # last year's, still open: d only
        (date(2025, 12, 1), date(2026, 1, 3), False),  # last year's, done: nothing
        (date(2026, 5, 1), date(2026, 3, 1), False),  # planned after D, done early: nothing
        (date(2026, 2, 1), None, True),  # 不适用 outranks its dates: nothing
        (None, date(2026, 2, 1), False),  # done without a plan: nothing
    ], D)
    assert figures == Tally(planned=5, done=2, overdue=3, any_planned=True)
    assert milestone_sentence(3, figures.planned, figures.done, figures.overdue) == (
        "1-3月计划完成节点5个，已完成2个，节点完成率40.0%；截至3月底逾期未完成节点3个。")


def test_january_reads_1yue_not_1_1yue():
    assert milestone_sentence(1, 4, 3, 1) == (
        "1月计划完成节点4个，已完成3个，节点完成率75.0%；截至1月底逾期未完成节点1个。")


def test_nothing_planned_in_the_months_so_far_reads_wu_jihua():
    figures = tally([(date(2026, 9, 30), None, False), (date(2025, 12, 20), None, False)], D)
    assert figures == Tally(0, 0, 1, True)
    assert milestone_sentence(3, *figures.__dict__.values()) == (
        "1-3月无计划完成节点；截至3月底逾期未完成节点1个。")


def test_january_with_nothing_planned_yet():
    assert milestone_sentence(1, 0, 0, 2) == "1月无计划完成节点；截至1月底逾期未完成节点2个。"


def test_a_park_without_any_planned_milestone_has_no_sentence():
    figures = tally([(None, None, False), (date(2026, 1, 5), None, True)], D)
    assert figures == Tally(0, 0, 0, False)
    assert milestone_sentence(3, 0, 0, 0, figures.any_planned) is None


@pytest.mark.parametrize(("done", "planned", "shown"), [
    (1, 16, "6.3"),  # 6.25 rounds half up, never to even
    (5, 16, "31.3"),  # 31.25
    (1, 3, "33.3"),
    (2, 3, "66.7"),
    (0, 7, "0.0"),
    (7, 7, "100.0"),
])
def test_the_rate_is_shown_with_one_decimal_half_up(done, planned, shown):
    assert f"节点完成率{shown}%；" in milestone_sentence(6, planned, done, 0)
