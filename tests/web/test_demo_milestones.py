"""The demo park's milestone plans: the wall chart and the "三未" lists are not empty, and last
year's key-project list differs from this year's."""

from __future__ import annotations

import re
import time

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.http import park_today
from tracker.milestones.models import ProjectMilestone
from tracker.periods import last_completed_month


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_demo_park_has_milestones_in_every_state_and_each_three_not_list(
        app, runner, client, make_user, login):
    started = time.perf_counter()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert time.perf_counter() - started < 20  # make run's demo load stays quick
    assert db.session.scalar(select(func.count(ProjectMilestone.id))) >= 30 * 9
    login(make_user("office", "supervisor", name="督查员"))
    chart = text(client.get("/milestones").get_data(as_text=True))
    for status in ("按期完成", "逾期完成", "逾期", "临期", "未到期", "不适用"):
        assert f" {status} " in chart, status
    lists = {
        "供地未开工": "铝合金+汽车零部件产业园项目",
        "开工未竣工逾期": "园区主干道路改造工程",
        "竣工未投产": "分布式光伏发电项目",
    }
    for name, project in lists.items():
        page = text(client.get(f"/milestones?status={name}").get_data(as_text=True))
        assert project in page, name
        assert "独立储能电站项目" not in page, name
    with app.test_request_context():
        last_year = last_completed_month(park_today()).year - 1
    unlisted = text(client.get(f"/projects?level=不列入&period={last_year}-12").get_data(as_text=True))
    assert "园区消防站建设项目" in unlisted and "独立储能电站项目" not in unlisted
