"""The brief's sentences (DESIGN.md section 4), to the character, from plain figures."""

from datetime import date
from decimal import Decimal as D

from tracker import narrative as n
from tracker import progress as p


def member(name, level, plan, ytd, month=3):
    figures = p.figures_from(D(ytd), D(ytd), D(plan) if plan is not None else None, month)
    return p.GroupMember(name, level, figures)


def worked_example_group(month=3):
    """DESIGN.md section 9: A1, A2 省重点; B1, B2 市重点 (B2 without a plan); Q1 is 区重点."""
    return p.summarize_group(
        [
            member("储能电站项目", "省重点", 10000, 3500, month),
            member("新材料产业园项目", "省重点", 8000, 1500, month),
            member("装备制造基地项目", "市重点", 20000, 4100, month),
            member("标准厂房项目", "市重点", None, 0, month),
        ],
        month,
    )


CATEGORY_ORDER = ["资金不足", "用地手续不完善", "土地交付进度慢", "规划报建", "环评能评", "施工组织",
                  "水电路配套", "其他"]


def counts(new=0, closed=0, overdue=0, **open_):
    """Open issues per category, given as keyword arguments, in the category order."""
    return n.IssueCounts([(c, open_.get(c, 0)) for c in CATEGORY_ORDER], new, closed, overdue)


def test_worked_example_to_the_character():
    summary = worked_example_group()
    bonds = [n.BondLine(D(5000), D(1200), date(2026, 9, 30))]
    assert n.overview_paragraph(summary, 3, bonds) == [
        "截至3月底，园区共有4个省市重点项目，其中省重点项目2个，市重点项目2个，年度计划投资3.80亿元，"
        "1-3月完成投资0.91亿元，完成23.9%，比时间进度慢1.1个百分点，其中省重点项目平均投资进度为26.9%。",
        "另有1个项目未下达年度计划：标准厂房项目。",
        "今年共获政府专项债5000.00万元，目前已支出1200.00万元，进度为24.0%，预计9月30日前可全部支出完毕。",
    ]
    issues = counts(new=1, closed=1, overdue=1, 资金不足=1, 土地交付进度慢=1)
    assert n.issues_paragraph(issues) == [
        "当前在督问题2项，其中资金不足1项、土地交付进度慢1项；本月新增1项、办结1项，逾期未办结1项。",
        "有关省市项目建设还客观存在资金不足、土地交付进度慢等问题，不同程度影响了建设进度。",
    ]


def test_ahead_of_time_progress_says_kuai():
    summary = p.summarize_group([member("甲项目", "省重点", 10000, 3500)], 3)
    assert n.overview_sentence(summary, 3) == (
        "截至3月底，园区共有1个省市重点项目，其中省重点项目1个，市重点项目0个，年度计划投资1.00亿元，"
        "1-3月完成投资0.35亿元，完成35.0%，比时间进度快10.0个百分点，其中省重点项目平均投资进度为35.0%。"
    )


def test_level_with_time_progress_says_chiping():
    summary = p.summarize_group([member("甲项目", "市重点", 12000, 6000, 6)], 6)
    assert n.overview_sentence(summary, 6) == (
        "截至6月底，园区共有1个省市重点项目，其中省重点项目0个，市重点项目1个，年度计划投资1.20亿元，"
        "1-6月完成投资0.60亿元，完成50.0%，与时间进度持平。"
    )


def test_behind_time_progress_says_man():
    summary = p.summarize_group([member("甲项目", "省重点", 10000, 1000)], 3)
    assert "完成10.0%，比时间进度慢15.0个百分点，其中省重点项目平均投资进度为10.0%。" in (
        n.overview_sentence(summary, 3)
    )


def test_point_05_boundary_rounds_half_up():
    # rate 49.95 % in June: shown 50.0; deviation −0.05 shows −0.1 → 慢0.1 (never 持平).
    summary = p.summarize_group([member("甲项目", "省重点", 20000, "9990", 6)], 6)
    sentence = n.overview_sentence(summary, 6)
    assert "完成50.0%，比时间进度慢0.1个百分点" in sentence
    # 0.04 points behind shows 0.0: 持平.
    summary = p.summarize_group([member("甲项目", "省重点", 100000, "49960", 6)], 6)
    assert "完成50.0%，与时间进度持平，其中省重点项目平均投资进度为50.0%。" in n.overview_sentence(summary, 6)
    # 亿元 half up at the 0.005 boundary: 12350 万元 → 1.24 亿元.
    summary = p.summarize_group([member("甲项目", "市重点", 12350, 0)], 3)
    assert "年度计划投资1.24亿元" in n.overview_sentence(summary, 3)


def test_month_one_reads_1yue_not_1_1yue():
    summary = p.summarize_group([member("甲项目", "省重点", 12000, 1000, 1)], 1)
    sentence = n.overview_sentence(summary, 1)
    assert "截至1月底" in sentence and "，1月完成投资0.10亿元，" in sentence
    assert "1-1月" not in sentence


def test_no_provincial_plan_leaves_the_average_clause_out():
    summary = p.summarize_group(
        [member("甲项目", "省重点", None, 0), member("乙项目", "市重点", 10000, 2500)], 3
    )
    assert n.overview_paragraph(summary, 3, []) == [
        "截至3月底，园区共有2个省市重点项目，其中省重点项目1个，市重点项目1个，年度计划投资1.00亿元，"
        "1-3月完成投资0.25亿元，完成25.0%，与时间进度持平。",
        "另有1个项目未下达年度计划：甲项目。",
    ]


def test_several_projects_without_plan_are_named_in_order():
    summary = p.summarize_group(
        [member("甲项目", "省重点", 100, 25), member("乙项目", "省重点", None, 0),
         member("丙项目", "市重点", 0, 10)],
        3,
    )
    assert n.without_plan_sentence(summary) == "另有2个项目未下达年度计划：乙项目、丙项目。"


def test_every_project_has_a_plan_no_second_sentence():
    summary = p.summarize_group([member("甲项目", "省重点", 100, 25)], 3)
    assert n.without_plan_sentence(summary) is None


def test_no_plan_at_all_states_only_the_counts():
    summary = p.summarize_group([member("甲项目", "省重点", None, 0)], 3)
    assert n.overview_paragraph(summary, 3, []) == [
        "截至3月底，园区共有1个省市重点项目，其中省重点项目1个，市重点项目0个。",
        "另有1个项目未下达年度计划：甲项目。",
    ]


def test_no_bonds_leaves_the_sentence_out():
    assert n.bonds_sentence([]) is None
    summary = worked_example_group()
    assert not any("专项债" in s for s in n.overview_paragraph(summary, 3, []))


def test_all_bonds_spent():
    bonds = [n.BondLine(D(3000), D(3000), date(2026, 6, 30)), n.BondLine(D(2000), D("2000.00"))]
    assert n.bonds_sentence(bonds) == (
        "今年共获政府专项债5000.00万元，目前已支出5000.00万元，进度为100.0%，已全部支出完毕。"
    )


def test_expected_date_is_the_latest_among_bonds_not_fully_spent():
    bonds = [
        n.BondLine(D(3000), D(3000), date(2026, 12, 31)),  # spent: its date does not count
        n.BondLine(D(2000), D(500), date(2026, 8, 18)),
        n.BondLine(D(1000), D(100), date(2026, 10, 5)),
    ]
    assert n.bonds_sentence(bonds) == (
        "今年共获政府专项债6000.00万元，目前已支出3600.00万元，进度为60.0%，预计10月5日前可全部支出完毕。"
    )


def test_no_issues_reads_the_zero_form():
    issues = counts(new=0, closed=2)
    assert n.issues_paragraph(issues) == ["当前在督问题0项；本月新增0项、办结2项，逾期未办结0项。"]


def test_one_category():
    issues = counts(new=1, 环评能评=3, overdue=2)
    assert n.issues_paragraph(issues) == [
        "当前在督问题3项，其中环评能评3项；本月新增1项、办结0项，逾期未办结2项。",
        "有关省市项目建设还客观存在环评能评等问题，不同程度影响了建设进度。",
    ]


def test_two_categories_listed_in_category_order_ranked_by_count():
    issues = counts(其他=1, 用地手续不完善=2)
    assert n.issues_sentence(issues).startswith("当前在督问题3项，其中用地手续不完善2项、其他1项；")
    assert n.obstacles_sentence(issues) == (
        "有关省市项目建设还客观存在用地手续不完善、其他等问题，不同程度影响了建设进度。"
    )


def test_obstacles_name_at_most_three_most_first_ties_in_category_order():
    issues = counts(资金不足=1, 土地交付进度慢=2, 规划报建=1, 施工组织=3, 其他=2)
    assert n.issues_sentence(issues) == (
        "当前在督问题9项，其中资金不足1项、土地交付进度慢2项、规划报建1项、施工组织3项、其他2项；"
        "本月新增0项、办结0项，逾期未办结0项。"
    )
    assert n.obstacles_sentence(issues) == (
        "有关省市项目建设还客观存在施工组织、土地交付进度慢、其他等问题，不同程度影响了建设进度。"
    )


def test_issue_label_counts_and_marks_corrections():
    assert n.issue_label(2026, 7) == "〔2026〕第7期"
    assert n.issue_label(2026, 7, correction=True) == "〔2026〕第7期（更正）"
