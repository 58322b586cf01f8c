"""The daily pass reads the park as it is: 节点提醒 from milestones, 督办周报 on Mondays, 催办
of open issues only; and the worker's hourly task runs it at 09:00 park time only."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from tests.web import test_issues as _shared
from tracker.extensions import db
from tracker.milestones.models import ProjectMilestone
from tracker.notify.models import Channel, Notification

make_issue = _shared.make_issue


def texts(user) -> list[str]:
    db.session.expire_all()
    return [n.text for n in db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.channel == Channel.APP).order_by(Notification.id))]


def test_a_milestone_reminds_its_lead_when_due_soon_and_on_its_first_overdue_day(runner, users, make_project):
    project = make_project("A1", name="储能电站项目", lead=users["member"])
    db.session.add(ProjectMilestone(project_id=project.id, name="设备进场", planned_on=date(2026, 12, 31)))
    db.session.commit()
    soon = runner.invoke(args=["remind", "--date", "2026-12-16", "--dry-run"]).output
    assert "【节点提醒】储能电站项目的节点「设备进场」计划于12月31日完成（还有15天）" in soon
    assert "节点提醒" not in runner.invoke(args=["remind", "--date", "2026-12-17", "--dry-run"]).output
    runner.invoke(args=["remind", "--date", "2027-01-01"])
    assert texts(users["member"]) == [
        "【节点提醒】储能电站项目的节点「设备进场」计划于12月31日完成，已逾期，请及时推进并登记：{link}"]


def test_mondays_bring_the_weekly_digest_and_closed_issues_are_not_chased(runner, users, make_issue):
    late = make_issue("管线迁改滞后", deadline=date(2026, 11, 20), title="管线迁改")
    closed = make_issue("已解决的问题", deadline=date(2026, 11, 23), title="已解决", state="已办结",
                        closed_on=date(2026, 11, 22))
    assert late.number != closed.number
    runner.invoke(args=["remind", "--date", "2026-11-30"])  # a Monday, 10 days after the deadline
    [digest] = texts(users["supervisor"])
    assert digest.startswith("【督办周报】11月30日：逾期督办事项1项，逾期节点0个。")
    assert "「管线迁改」逾期10天" in digest and "已解决" not in digest
    runner.invoke(args=["remind", "--date", "2026-11-27"])  # 7 days overdue: 催办
    chased = [t for t in texts(users["member"]) if t.startswith("【催办】")]
    assert chased == [f"【催办】督办事项{late.number}「管线迁改」已逾期7天（11月20日到期），请及时办理并反馈：{{link}}"]


def test_the_hourly_task_runs_the_pass_at_nine_park_time_only(app, users, make_issue):
    from tracker.reminders.jobs import run_at

    make_issue("管线迁改滞后", deadline=date(2026, 12, 5), title="管线迁改")
    assert run_at(datetime(2026, 12, 5, 0, 0, tzinfo=UTC)) is None  # 08:00 in Shanghai
    assert run_at(datetime(2026, 12, 5, 1, 0, tzinfo=UTC)) == 1  # 09:00: the unit's member
    assert any("今天到期" in t for t in texts(users["member"]))
    assert run_at(datetime(2026, 12, 5, 1, 59, tzinfo=UTC)) == 0  # again: nothing new
    assert len([t for t in texts(users["member"]) if "今天到期" in t]) == 1
