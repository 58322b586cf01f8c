"""The figures of DESIGN.md section 3, on plain values."""

from datetime import date
from decimal import Decimal as D

import pytest

from tracker import periods
from tracker import progress as p


def test_half_up_rounds_point_05_up_not_to_even():
    assert p.fmt_pct(D("0.05")) == "0.1"
    assert p.fmt_pct(D("0.25")) == "0.3"  # banker's rounding would say 0.2
    assert p.fmt_wan(D("2.675")) == "2.68"
    assert p.fmt_yi(D("12345")) == "1.23"
    assert p.fmt_yi(D("12350")) == "1.24"


def test_negative_half_rounds_away_from_zero_and_never_shows_minus_zero():
    assert p.fmt_points(D("-6.25")) == "-6.3"
    assert p.fmt_points(D("-0.04")) == "0.0"
    assert p.fmt_decimal(D("-0.001"), 2) == "0.00"


def test_time_progress_is_month_over_twelve():
    assert p.time_progress(3) == D(25)
    assert p.fmt_pct(p.time_progress(7)) == "58.3"
    with pytest.raises(ValueError):
        p.time_progress(13)


def test_ytd_counts_months_one_to_m_of_the_year_only():
    monthly = {(2026, 1): D(100), (2026, 3): D(50), (2026, 4): D(999), (2025, 2): D(7)}
    assert p.ytd_completed(monthly, 2026, 3) == D(150)
    assert p.cumulative_completed(monthly, 2026, 3) == D(157)
    assert p.ytd_completed(monthly, 2026, 4) == D(1149)


def test_rate_is_none_without_plan_or_with_zero_plan():
    assert p.completion_rate(D(10), None) is None
    assert p.completion_rate(D(10), D(0)) is None
    assert p.completion_rate(D(1500), D(8000)) == D("18.75")


def test_worked_example_project_a2():
    f = p.project_figures({(2026, 1): D(500), (2026, 2): D(500), (2026, 3): D(500)}, D(8000), 2026, 3)
    assert p.fmt_pct(f.rate) == "18.8"
    assert p.fmt_points(f.deviation) == "-6.3"
    assert p.deviation_words(f.deviation) == "比时间进度慢6.3个百分点"
    assert f.light is p.Light.YELLOW


def test_deviation_words_follow_the_shown_value():
    assert p.deviation_words(D("10")) == "比时间进度快10.0个百分点"
    assert p.deviation_words(D("0.04")) == "与时间进度持平"
    assert p.deviation_words(D("-0.04")) == "与时间进度持平"
    assert p.deviation_words(D("-0.05")) == "比时间进度慢0.1个百分点"


@pytest.mark.parametrize(
    ("deviation", "light"),
    [
        ("0", p.Light.GREEN),
        ("-0.04", p.Light.GREEN),  # shows 0.0
        ("-0.05", p.Light.YELLOW),  # shows -0.1
        ("-10.0", p.Light.YELLOW),
        ("-10.04", p.Light.YELLOW),  # shows -10.0
        ("-10.05", p.Light.RED),
        ("5", p.Light.GREEN),
    ],
)
def test_warning_light_is_decided_on_the_shown_deviation(deviation, light):
    assert p.warning_light(D(deviation)) is light


def test_thresholds_are_configurable():
    wide = p.Thresholds(yellow=D(10), red=D(30))
    assert p.warning_light(D("-9"), wide) is p.Light.GREEN
    assert p.warning_light(D("-25"), wide) is p.Light.YELLOW
    assert p.warning_light(D("-31"), wide) is p.Light.RED
    assert p.warning_light(None) is None


def test_group_rate_and_mean_leave_out_projects_without_plan():
    assert p.overall_rate([(D(3500), D(10000)), (D(1500), D(8000)), (D(0), None)]) == (
        D(5000) * 100 / D(18000)
    )
    assert p.mean_rate([D(35), D("18.75"), None]) == D("26.875")
    assert p.mean_rate([None]) is None


def test_worked_example_group_summary():
    def member(name, level, plan, ytd):
        return p.GroupMember(name, level, p.figures_from(D(ytd), D(ytd), D(plan) if plan else None, 3))

    s = p.summarize_group(
        [
            member("储能电站项目", "省重点", 10000, 3500),
            member("新材料产业园项目", "省重点", 8000, 1500),
            member("装备制造基地项目", "市重点", 20000, 4100),
            member("标准厂房项目", "市重点", None, 0),
        ],
        3,
    )
    assert (s.count, s.provincial, s.municipal) == (4, 2, 2)
    assert p.fmt_yi(s.plan) == "3.80" and p.fmt_yi(s.done) == "0.91"
    assert p.fmt_pct(s.rate) == "23.9"
    assert p.deviation_words(s.deviation) == "比时间进度慢1.1个百分点"
    assert p.fmt_pct(s.provincial_average) == "26.9"
    assert s.without_plan == ("标准厂房项目",)


def test_bond_progress():
    assert p.fmt_pct(p.bond_progress(D(5000), D(1200))) == "24.0"
    assert p.bond_progress(D(0), D(0)) is None


def test_overdue_days_and_open_on_a_day():
    assert p.days_overdue(date(2026, 3, 15), date(2026, 3, 31)) == 16
    assert p.days_overdue(date(2026, 3, 31), date(2026, 3, 31)) == 0
    assert p.days_overdue(None, date(2026, 3, 31)) == 0
    # Closed on 3月1日, reopened on 9月1日: closed as of 7月31日, open again in September.
    moves = [(date(2026, 3, 1), True), (date(2026, 9, 1), False)]
    assert not p.is_open_on(date(2026, 1, 5), date(2026, 7, 31), moves)
    assert p.is_open_on(date(2026, 1, 5), date(2026, 9, 30), moves)
    assert p.is_open_on(date(2026, 1, 5), date(2026, 2, 28), moves)
    assert not p.is_open_on(date(2026, 4, 1), date(2026, 3, 31))


def test_periods_and_dates():
    assert periods.last_completed_month(date(2026, 1, 10)) == (2025, 12)
    assert periods.last_completed_month(date(2026, 8, 5)) == (2026, 7)
    assert periods.month_end(2026, 2) == date(2026, 2, 28)
    assert periods.period_label(1) == "1月" and periods.period_label(7) == "1-7月"
    assert p.fmt_month_day(date(2026, 9, 3)) == "9月3日"
    assert p.fmt_date_cn(date(2026, 8, 5)) == "2026年8月5日"


def test_float_noise_does_not_reach_decimals():
    assert p.to_decimal(1470.3700000001) == D("1470.3700000001")
    assert p.to_decimal(0.1) == D("0.1")
