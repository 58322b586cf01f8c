"""The work report's sentences (DESIGN.md section 15), to the character."""

from __future__ import annotations

from decimal import Decimal as D

from tracker.workreport.sentences import (
    Figure,
    Intended,
    Signed,
    economy_sentence,
    investment_paragraph,
    label,
    land_sentence,
    pipeline_sentence,
    signed_sentence,
)

FULL = {
    "output": Figure(D("45.6"), D("38")),
    "value_added": Figure(D("9.87"), D("9.87")),
    "investment": Figure(D("30.5"), D("33")),
    "tax": Figure(D("4.2"), D("4")),
    "refund": Figure(D("1.05")),
}


def test_the_period_reads_first_month_half_year_or_months():
    assert [label(1), label(2), label(6), label(7), label(12)] == [
        "1月", "1-2月", "上半年", "1-7月", "1-12月"]


def test_the_economy_sentence_with_growth_fall_and_level():
    assert economy_sentence(6, FULL) == (
        "上半年园区共实现规上工业总产值45.60亿元，增长20.0%；规上工业增加值9.87亿元，与上年同期持平；"
        "全社会固定资产投资总额30.50亿元，下降7.6%；全口径税收4.20亿元，增长5.0%，"
        "退税1.05亿元，占比25.0%。")


def test_a_growth_that_rounds_to_zero_reads_level():
    assert economy_sentence(1, {"output": Figure(D("100.04"), D("100"))}) == (
        "1月园区共实现规上工业总产值100.04亿元，与上年同期持平。")


def test_a_clause_without_last_year_drops_its_growth():
    figures = {**FULL, "output": Figure(D("45.6"))}
    assert economy_sentence(7, figures).startswith(
        "1-7月园区共实现规上工业总产值45.60亿元；规上工业增加值9.87亿元，与上年同期持平；")


def test_a_missing_indicator_drops_its_clause():
    figures = {k: v for k, v in FULL.items() if k not in ("output", "tax")}
    assert economy_sentence(3, figures) == (
        "1-3月园区共实现规上工业增加值9.87亿元，与上年同期持平；"
        "全社会固定资产投资总额30.50亿元，下降7.6%；退税1.05亿元。")


def test_no_indicator_no_economy_sentence():
    assert economy_sentence(6, {}) is None


def test_signed_projects_against_the_target():
    signed = [Signed("甲铝合金项目", D("3")), Signed("乙独立储能电站项目", D("12.5")),
              Signed("丙安防科技项目", D("2.25"))]
    assert signed_sentence(7, signed, D("50")) == (
        "1-7月，园区共签约引进3个项目，计划总投资17.75亿元，完成年度任务的35.5%，"
        "其中乙独立储能电站项目计划投资12.50亿元，其余2个项目计划投资5.25亿元。")


def test_one_signed_project_has_no_other_clause():
    assert signed_sentence(6, [Signed("储能项目", D("8"))], D("20")) == (
        "上半年，园区共签约引进1个项目，计划总投资8.00亿元，完成年度任务的40.0%，"
        "其中储能项目计划投资8.00亿元。")


def test_without_a_target_the_task_clause_is_left_out():
    signed = [Signed("甲", D("1")), Signed("乙", D("2"))]
    assert signed_sentence(1, signed, None) == (
        "1月，园区共签约引进2个项目，计划总投资3.00亿元，其中乙计划投资2.00亿元，"
        "其余1个项目计划投资1.00亿元。")
    assert signed_sentence(1, [], D("5")) is None


def test_the_pipeline_ranks_industries_by_investment_and_names_four():
    pipeline = [Intended("新材料", D("3")), Intended("金属智造", D("5")), Intended("新材料", D("4")),
                Intended("机械装备", D("2")), Intended("绿色能源", D("1.5")), Intended("电子信息", D("1"))]
    assert pipeline_sentence(pipeline) == (
        "还储备了6个有较强投资落户意向项目，涉及新材料、金属智造、机械装备、绿色能源等相关行业领域，"
        "总投资约16.50亿元。")
    assert pipeline_sentence([]) is None


def test_the_investment_paragraph_joins_signed_and_pipeline():
    text = investment_paragraph(2, [Signed("甲", D("1"))], None, [Intended("新材料", D("2"))])
    assert text == ("1-2月，园区共签约引进1个项目，计划总投资1.00亿元，其中甲计划投资1.00亿元。"
                    "还储备了1个有较强投资落户意向项目，涉及新材料等相关行业领域，总投资约2.00亿元。")


def test_land_with_and_without_a_target():
    assert land_sentence(6, D("120"), D("300")) == "上半年完成新增收储土地120亩，完成年度任务的40.0%。"
    assert land_sentence(8, D("35.5"), None) == "1-8月完成新增收储土地35.5亩。"
    assert land_sentence(8, D("0"), None, entries=0) is None
    assert land_sentence(8, D("0"), D("100"), entries=0) == "1-8月完成新增收储土地0亩，完成年度任务的0.0%。"
