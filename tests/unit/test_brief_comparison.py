"""The brief's second-edition sentences (DESIGN.md section 12), to the character."""

from decimal import Decimal

import pytest

from tracker.narrative import LightChange, comparison_sentence, lights_sentence
from tracker.progress import Light

G, Y, R = Light.GREEN, Light.YELLOW, Light.RED


def test_lights_sentence_with_and_without_projects_lacking_a_plan():
    assert lights_sentence(21, 9, 6, 4, 2) == (
        "园区21个重点项目中，绿灯项目9个，黄灯项目6个，红灯项目4个，另有2个项目未下达年度计划。")
    assert lights_sentence(3, 1, 1, 1, 0) == "园区3个重点项目中，绿灯项目1个，黄灯项目1个，红灯项目1个。"


@pytest.mark.parametrize(("now", "before", "clause"), [
    ("60.0", "55.0", "省市重点项目完成率提高5.0个百分点"),
    ("55.04", "55.0", "省市重点项目完成率持平"),  # 0.04 shows as 0.0
    ("55.05", "55.0", "省市重点项目完成率提高0.1个百分点"),  # half up
    ("50.0", "55.05", "省市重点项目完成率下降5.1个百分点"),  # −5.05 → 下降5.1
])
def test_the_rate_clause_reads_the_difference_as_shown(now, before, clause):
    assert comparison_sentence(Decimal(now), Decimal(before), []) == (
        f"与上月相比，{clause}，各项目预警等级无变化。")


def test_upgrades_are_named_at_most_five_then_deng_improvements_only_counted():
    changes = [LightChange(f"{c}项目", G, R) for c in "甲乙丙丁戊己庚辛"]
    changes += [LightChange("好转项目", R, Y), LightChange("持平项目", Y, Y)]
    assert comparison_sentence(Decimal(70), Decimal(65), changes) == (
        "与上月相比，省市重点项目完成率提高5.0个百分点，8个项目预警升级（甲项目、乙项目、丙项目、丁项目、戊项目等），"
        "1个项目预警好转。")
    five = [LightChange(f"{c}项目", Y, R) for c in "甲乙丙丁戊"]
    assert "5个项目预警升级（甲项目、乙项目、丙项目、丁项目、戊项目），" not in comparison_sentence(
        Decimal(1), Decimal(1), five)
    assert comparison_sentence(Decimal(1), Decimal(1), five).endswith(
        "5个项目预警升级（甲项目、乙项目、丙项目、丁项目、戊项目）。")


def test_a_clause_with_no_project_is_left_out():
    assert comparison_sentence(Decimal(40), Decimal(45), [LightChange("乙项目", R, G)]) == (
        "与上月相比，省市重点项目完成率下降5.0个百分点，1个项目预警好转。")
    assert comparison_sentence(Decimal(40), Decimal(40), [LightChange("甲项目", G, Y)]) == (
        "与上月相比，省市重点项目完成率持平，1个项目预警升级（甲项目）。")


def test_a_project_without_a_light_in_either_month_counts_in_neither():
    changes = [LightChange("新项目", None, R), LightChange("停报项目", G, None)]
    assert comparison_sentence(Decimal(40), Decimal(40), changes) == (
        "与上月相比，省市重点项目完成率持平，各项目预警等级无变化。")


def test_without_a_rate_in_one_month_the_sentence_starts_with_the_lights():
    assert comparison_sentence(None, Decimal(40), [LightChange("甲项目", G, Y)]) == (
        "与上月相比，1个项目预警升级（甲项目）。")


def test_late_reports_sentence_names_at_most_ten():
    from datetime import date

    from tracker.narrative import late_reports_sentence

    assert late_reports_sentence(3, date(2026, 4, 5), []) is None
    assert late_reports_sentence(3, date(2026, 4, 5), ["甲项目", "乙项目"]) == (
        "3月进展报送迟于4月5日的项目：甲项目、乙项目。")
    names = [f"项目{i}" for i in range(12)]
    assert late_reports_sentence(12, date(2027, 1, 5), names) == (
        "12月进展报送迟于1月5日的项目：" + "、".join(names[:10]) + "等12个项目。")
