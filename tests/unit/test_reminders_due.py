"""The daily pass decides who is reminded of what on a day: the boundaries of DESIGN.md
section 13 (R − 3, R, R + 2; 3 days before a deadline, on it, every 7 days overdue; Mondays)."""

from __future__ import annotations

from datetime import date

from tracker.periods import Period
from tracker.reminders.due import (
    DueReport,
    OpenIssue,
    PlannedMilestone,
    Rules,
    due_day,
    issue_reminders,
    milestone_reminders,
    reminders_due,
    report_reminders,
    report_steps,
    robot_reminders,
    weekly_digest,
)

NOV = Period(2026, 11)
RULES = Rules()
LEAD, LIAISON, OTHER, SUPER = 11, 12, 13, 99


def report(code: str, state: str | None = None, period: Period = NOV, who=(LEAD,)) -> DueReport:
    return DueReport(code, f"{code}项目", period, state, tuple(who), lead_name="张伟")


def test_the_november_report_is_reminded_on_december_2_5_and_7():
    assert due_day(NOV, RULES) == date(2026, 12, 5)
    assert report_steps(date(2026, 12, 2), RULES) == [(NOV, "R-3")]
    assert report_steps(date(2026, 12, 5), RULES) == [(NOV, "R")]
    assert report_steps(date(2026, 12, 7), RULES) == [(NOV, "R+2")]
    for quiet in (1, 3, 4, 6, 8):
        assert report_steps(date(2026, 12, quiet), RULES) == []


def test_a_due_day_past_the_month_end_falls_on_its_last_day_and_r_minus_3_in_the_month_before():
    rules = Rules(report_day=31)
    assert due_day(Period(2026, 1), rules) == date(2026, 2, 28)
    assert report_steps(date(2026, 2, 25), rules) == [(Period(2026, 1), "R-3")]
    early = Rules(report_day=1)  # R − 3 of the November report is in November itself
    assert report_steps(date(2026, 11, 28), early) == [(NOV, "R-3")]
    assert report_steps(date(2026, 12, 3), early) == [(NOV, "R+2")]
    # December's report is due in January of the next year.
    assert due_day(Period(2026, 12), RULES) == date(2027, 1, 5)
    assert report_steps(date(2027, 1, 2), RULES) == [(Period(2026, 12), "R-3")]


def test_a_lead_gets_one_message_naming_every_unreported_project_whatever_its_unit():
    reports = [report("A1"), report("B2", "草稿"), report("C3", "退回"), report("D4", "已报送"),
               report("E5", "已审核"), report("F6", None, Period(2026, 10))]
    sent = report_reminders(date(2026, 12, 5), RULES, reports, [SUPER])
    assert [(r.kind, r.subject, r.recipient_id, r.step) for r in sent] == [("催报", "2026-11", LEAD, "R")]
    assert sent[0].text == ("【催报】您负责的3个项目尚未报送2026年11月进展（12月5日截止）："
                            "A1项目、B2项目、C3项目。请登录填报：{link}")
    assert sent[0].path == "/report/2026-11"


def test_a_report_submitted_the_day_before_is_not_reminded():
    assert report_reminders(date(2026, 12, 5), RULES, [report("A1", "已报送")], [SUPER]) == []


def test_liaisons_are_reminded_too_and_on_r_plus_2_the_supervisors_get_the_digest():
    reports = [report("A1", who=(LEAD, LIAISON)), report("B2", who=(OTHER,))]
    sent = report_reminders(date(2026, 12, 7), RULES, reports, [SUPER])
    assert [(r.kind, r.recipient_id) for r in sent] == [
        ("催报", LEAD), ("催报", LIAISON), ("催报", OTHER), ("催报汇总", SUPER)]
    assert "已逾期未报送" in sent[0].text
    assert sent[-1].text.startswith("【催报汇总】截至12月7日，2个项目2026年11月进展逾期未报送")
    assert "A1项目（张伟）" in sent[-1].text


def test_nobody_late_on_r_plus_2_means_no_digest():
    assert report_reminders(date(2026, 12, 7), RULES, [report("A1", "已审核")], [SUPER]) == []


def test_many_projects_are_listed_with_a_count():
    reports = [report(f"P{i}") for i in range(7)]
    text = report_reminders(date(2026, 12, 2), RULES, reports, [])[0].text
    assert "您负责的7个项目" in text and "P4项目等7个项目。" in text and "P5项目" not in text


def issue(deadline: date | None, state: str = "办理中", number: str = "DB-2026-0001") -> OpenIssue:
    return OpenIssue(number, "土地未交付", state, deadline, (LEAD, OTHER))


def test_an_issue_is_chased_3_days_before_on_the_day_and_every_7_days_overdue():
    deadline = date(2026, 12, 10)
    steps = {}
    for offset in range(-5, 30):
        day = date.fromordinal(deadline.toordinal() + offset)
        sent = issue_reminders(day, RULES, [issue(deadline)])
        if sent:
            steps[offset] = {r.step for r in sent}
            assert {r.recipient_id for r in sent} == {LEAD, OTHER}
    assert steps == {-3: {"D-3"}, 0: {"D"}, 7: {"D+7"}, 14: {"D+14"}, 21: {"D+21"}, 28: {"D+28"}}
    text = issue_reminders(date(2026, 12, 17), RULES, [issue(deadline)])[0].text
    assert text == "【催办】督办事项DB-2026-0001「土地未交付」已逾期7天（12月10日到期），请及时办理并反馈：{link}"


def test_a_closed_or_cancelled_issue_is_not_chased_and_an_extended_one_starts_again():
    day = date(2026, 12, 10)
    assert issue_reminders(day, RULES, [issue(day, "已办结"), issue(day, "已撤销"), issue(None)]) == []
    before = issue_reminders(day, RULES, [issue(day)])
    after = issue_reminders(date(2026, 12, 17), RULES, [issue(date(2026, 12, 20))])
    assert before[0].subject == "DB-2026-0001@2026-12-10"
    assert after[0].subject == "DB-2026-0001@2026-12-20" and after[0].step == "D-3"


def test_the_weekly_digest_goes_out_on_mondays_only_when_something_is_overdue():
    monday = date(2026, 12, 7)
    node = PlannedMilestone(1, "A1", "A1项目", "开工建设", date(2026, 12, 1), False, LEAD)
    sent = weekly_digest(monday, [issue(date(2026, 12, 4))], [node], [SUPER])
    assert [(r.kind, r.recipient_id, r.subject) for r in sent] == [("督办周报", SUPER, "2026-12-07")]
    assert "逾期督办事项1项，逾期节点1个" in sent[0].text and "A1项目·开工建设逾期6天" in sent[0].text
    assert weekly_digest(date(2026, 12, 8), [issue(date(2026, 12, 4))], [node], [SUPER]) == []
    assert weekly_digest(monday, [issue(date(2026, 12, 9))], [], [SUPER]) == []


def test_a_milestone_reminds_its_lead_when_it_becomes_due_soon_and_on_its_first_overdue_day():
    node = PlannedMilestone(5, "A1", "A1项目", "开工建设", date(2026, 12, 31), False, LEAD)
    assert [r.step for r in milestone_reminders(date(2026, 12, 16), RULES, [node])] == ["临期"]
    assert [r.step for r in milestone_reminders(date(2027, 1, 1), RULES, [node])] == ["逾期"]
    assert milestone_reminders(date(2027, 1, 2), RULES, [node]) == []
    done = PlannedMilestone(5, "A1", "A1项目", "开工建设", date(2026, 12, 31), True, LEAD)
    assert milestone_reminders(date(2027, 1, 1), RULES, [done]) == []


def test_the_pass_gathers_every_kind():
    day = date(2026, 12, 7)  # a Monday and R + 2
    found = reminders_due(day, RULES, reports=[report("A1")], issues=[issue(date(2026, 11, 30))],
                          milestones=[], supervisors=[SUPER])
    assert sorted({r.kind for r in found}) == ["催办", "催报", "催报汇总", "督办周报"]


def test_group_robots_hear_of_their_units_late_projects_and_issues_and_the_office_of_the_digest():
    a = DueReport("A1", "A1项目", NOV, None, (LEAD,), "张伟", unit_id=1)
    b = DueReport("B2", "B2项目", NOV, "草稿", (OTHER,), "李娜", unit_id=2)
    assert robot_reminders(date(2026, 12, 2), RULES, [a, b], []) == []  # R − 3: people only
    on_r = robot_reminders(date(2026, 12, 5), RULES, [a, b], [])
    assert [(r.unit_id, r.step) for r in on_r] == [(1, "R"), (2, "R")]
    assert on_r[0].text.startswith("【催报】本单位1个项目尚未报送2026年11月进展（12月5日截止）：A1项目（张伟）")
    late = robot_reminders(date(2026, 12, 7), RULES, [a, b], [])
    assert [(r.kind, r.unit_id) for r in late] == [("催报", 1), ("催报", 2), ("催报汇总", None)]
    chased = OpenIssue("DB-2026-0002", "管线迁改", "待办理", date(2026, 12, 5), (), unit_id=2)
    sent = robot_reminders(date(2026, 12, 5), RULES, [], [chased])
    assert [(r.kind, r.unit_id, r.recipient_id, r.step) for r in sent] == [("催办", 2, None, "D")]
