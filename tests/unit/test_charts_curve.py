"""The project page's charts: the investment curve against the even plan line, and the milestone
timeline on the same months (pure SVG, drawn by the app)."""

import re
from datetime import date
from decimal import Decimal as D
from xml.etree import ElementTree

from tracker.charts import (
    AXIS_LEFT,
    AXIS_RIGHT,
    CURVE_WIDTH,
    Mark,
    investment_curve,
    milestone_timeline,
)

SVG = "{http://www.w3.org/2000/svg}"
PLOT = CURVE_WIDTH - AXIS_LEFT - AXIS_RIGHT


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # well-formed, or this raises


def test_the_completed_line_climbs_month_by_month_from_the_start_of_the_year():
    root = parse(investment_curve([D(1000), D(2500), D(4000)], D(12000)))
    points = [tuple(map(float, p.split(",")))
              for p in root.find(f"{SVG}polyline").get("points").split()]
    assert len(points) == 4  # the origin, then the end of months 1, 2, 3
    assert points[0][0] == AXIS_LEFT
    assert [round(x - AXIS_LEFT, 1) for x, _ in points[1:]] == [round(PLOT * m / 12, 1) for m in (1, 2, 3)]
    ys = [y for _, y in points]
    assert ys == sorted(ys, reverse=True)  # higher figures are higher up the chart
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert "1-3月累计 4000.00 万元" in titles


def test_the_plan_line_runs_from_nothing_to_the_annual_plan_at_years_end():
    root = parse(investment_curve([D(1000)], D(12000)))
    line = next(e for e in root.iter(f"{SVG}line") if e.get("stroke-dasharray") == "6 4"
                and e.find(f"{SVG}title") is not None)
    assert float(line.get("x1")) == AXIS_LEFT and float(line.get("x2")) == AXIS_LEFT + PLOT
    # The axis tops at a round figure at or above the plan: 12000 → 20000, so the plan line ends
    # at 12/20 of the plot's height, and a month's share of it is month/12 of the plan.
    top, bottom = 24, 220 - 28
    assert float(line.get("y2")) == round(bottom - 0.6 * (bottom - top), 1)
    assert "年度计划 12000.00 万元 × 月份/12" in line.find(f"{SVG}title").text
    ticks = [t.text for t in root.iter(f"{SVG}text")]
    assert {"0", "5000", "10000", "15000", "20000"} <= set(ticks)


def test_without_a_plan_there_is_no_plan_line_and_the_chart_says_so():
    svg = investment_curve([D(300), D(300)], None)
    assert "未下达年度计划，无均衡计划线" in svg and "<title>均衡计划线" not in svg
    assert "<polyline" in svg


def test_a_year_not_started_draws_no_completed_line():
    svg = investment_curve([], D(5000))
    assert "<polyline" not in svg and "<title>均衡计划线" in svg
    parse(svg)


def test_completed_beyond_the_plan_stretches_the_axis():
    ticks = [t.text for t in parse(investment_curve([D(26000)], D(12000))).iter(f"{SVG}text")]
    assert "50000" in ticks  # 26000 → 50000


def test_the_timeline_shares_the_curves_months():
    curve = parse(investment_curve([D(1)], D(12)))
    line = parse(milestone_timeline([Mark("开工建设", date(2026, 3, 1), None)], 2026))
    months = lambda root: [t.get("x") for t in root.iter(f"{SVG}text") if (t.text or "").endswith("月")]  # noqa: E731
    assert months(curve)[-12:] == months(line)[-12:]


def test_planned_is_a_hollow_diamond_actual_a_dot_overdue_in_red():
    svg = milestone_timeline([
        Mark("土地供应", date(2026, 2, 1), date(2026, 1, 20)),  # done on time: green dot
        Mark("开工建设", date(2026, 3, 1), None, overdue=True),  # overdue: red name and diamond
        Mark("施工许可", date(2026, 2, 1), date(2026, 4, 1)),  # done late: red dot
    ], 2026)
    root = parse(svg)
    names = {t.text: t.get("fill") for t in root.iter(f"{SVG}text")}
    assert names["开工建设"] == "#c62828" and names["土地供应"] == "#333"
    diamonds = [p for p in root.iter(f"{SVG}path")]
    assert len(diamonds) == 3 and all(p.get("fill") == "#fff" for p in diamonds)
    assert diamonds[1].get("stroke") == "#c62828"
    dots = {c.find(f"{SVG}title").text: c.get("fill") for c in root.iter(f"{SVG}circle")}
    assert dots == {"土地供应 实际 2026-01-20": "#2e7d32", "施工许可 实际 2026-04-01": "#c62828"}
    # 1 March sits at day 59 of 365 on the year's axis.
    x = float(re.match(r"M([\d.]+)", diamonds[1].get("d")).group(1))
    assert abs(x - (AXIS_LEFT + PLOT * 59 / 365)) < 0.1


def test_dates_outside_the_year_unplanned_and_not_applicable_are_written_not_drawn():
    svg = milestone_timeline([
        Mark("立项备案", date(2025, 11, 3), date(2025, 12, 1)),
        Mark("竣工验收", date(2027, 6, 30), None),
        Mark("主体完工", None, None),
        Mark("用地预审", date(2026, 5, 1), None, not_applicable=True),
    ], 2026)
    root = parse(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "计划2025-11-03，实际2025-12-01" in texts and "计划2027-06-30" in texts
    assert "未计划" in texts and "不适用" in texts
    assert root.find(f"{SVG}path") is None and root.find(f"{SVG}circle") is None


def test_names_are_escaped_and_shortened():
    svg = milestone_timeline([Mark("<b>很长很长的自定节点名称超过十个字</b>", None, None)], 2026)
    assert "<b>" not in svg and "&lt;b&gt;很长很长的自…" in svg
    parse(svg)
