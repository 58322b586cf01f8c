"""The brief's milestone sentence and overdue table in 二、项目进展 (DESIGN.md section 11):
as of the month's last day, over the key group, frozen once published."""

from __future__ import annotations

import subprocess
from datetime import date

import pytest

from tests.conftest import set_milestone
from tracker.briefs.service import build_snapshot, draft_for
from tracker.extensions import db
from tracker.milestones.queries import ensure_rows

TICK = {"accept_incomplete": "1"}
SENTENCE = "1-3月计划完成节点4个，已完成2个，节点完成率50.0%；截至3月底逾期未完成节点3个。"


def pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                         check=True).stdout.decode()
    return "".join(out.split())


@pytest.fixture
def park(make_project, make_unit, users):
    """March 2026. A1 (省重点) and B1 (市重点) are the key group; Q1 (区重点) is not."""
    make_project("A1", "储能电站项目", "省重点", 10000, {1: 1000})
    b1 = make_project("B1", "装备制造基地项目", "市重点", 20000, {1: 1000})
    b1.responsible_unit = make_unit("园区规划建设局")
    make_project("Q1", "污水处理厂改造项目", "区重点", 3000, {1: 300})
    db.session.commit()
    set_milestone("A1", "立项备案", date(2026, 1, 10), date(2026, 1, 8))  # a, b
    set_milestone("A1", "土地供应", date(2026, 2, 28), date(2026, 3, 20))  # a, b (late)
    set_milestone("A1", "开工建设", date(2026, 3, 15))  # a, overdue 16 days
    set_milestone("B1", "规划许可", date(2026, 3, 1), date(2026, 4, 3))  # a, done after D: 30 days
    set_milestone("B1", "施工许可", date(2025, 12, 1))  # last year's, overdue 120 days
    set_milestone("B1", "用地预审", date(2026, 2, 1), na=True)  # 不适用: nowhere
    set_milestone("A1", "竣工验收", date(2026, 9, 30))  # later: nowhere
    set_milestone("Q1", "开工建设", date(2026, 1, 5))  # 区重点: not in the key group


def test_the_draft_pdf_carries_the_sentence_and_the_overdue_table(park, users, login, client):
    login(users["supervisor"])
    response = client.get("/briefs/2026-03.pdf?draft=1")
    assert response.status_code == 200
    text = pdf_text(response.data)
    section = text.split("二、项目进展")[1].split("三、进度滞后项目")[0]
    assert SENTENCE in section
    assert "项目名称节点计划完成日期逾期天数责任单位" in section
    # Register order (level, code), then each project's milestone order.
    assert "储能电站项目开工建设2026年3月15日16园区经济发展局" in section
    assert "装备制造基地项目规划许可2026年3月1日30园区规划建设局" in section
    assert "装备制造基地项目施工许可2025年12月1日120园区规划建设局" in section
    assert section.index("储能电站项目开工建设") < section.index("装备制造基地项目规划许可") \
        < section.index("装备制造基地项目施工许可")
    assert "污水处理厂改造项目开工建设" not in section  # 区重点


def test_a_park_without_planned_milestones_has_no_sentence(make_project, users, login, client):
    make_project("A1", "储能电站项目", "省重点", 10000, {1: 1000})
    ensure_rows()
    login(users["supervisor"])
    page = client.get("/briefs/2026-03").get_data(as_text=True)
    assert "计划完成节点" not in page and "逾期未完成节点" not in page
    assert "brief-milestones" not in page


def test_a_published_brief_keeps_its_milestones_whatever_changes_later(park, users, login, client):
    login(users["supervisor"])
    assert client.post("/briefs/2026-03/publish", data=TICK).status_code == 302
    first = client.get("/briefs/2026-03.pdf")
    assert SENTENCE in pdf_text(first.data)

    # The office moves A1's start to April and records B1's old permit: today's draft changes…
    set_milestone("A1", "开工建设", date(2026, 4, 15))
    set_milestone("B1", "施工许可", date(2025, 12, 1), date(2026, 2, 1))
    db.session.commit()
    live = build_snapshot(2026, 3, draft_for(2026, 3), date(2026, 4, 5))
    assert live["milestone_sentence"] == (
        "1-3月计划完成节点3个，已完成2个，节点完成率66.7%；截至3月底逾期未完成节点1个。")

    # …but the published brief, its page and its PDF do not.
    assert client.get("/briefs/2026-03.pdf").data == first.data
    login(users["viewer"])
    page = client.get("/briefs/2026-03").get_data(as_text=True)
    assert SENTENCE in page and "2026年3月15日" in page


def test_the_brief_reads_milestones_in_a_fixed_number_of_queries(make_project, users, login,
                                                               client, count_queries):
    login(users["supervisor"])

    def queries(n: int) -> int:
        for i in range(n):
            make_project(f"N{n}-{i}", plan=1000, months={1: 100}, level=["省重点", "市重点"][i % 2])
            set_milestone(f"N{n}-{i}", "开工建设", date(2026, 1, 1 + i % 28))
        db.session.expire_all()
        with count_queries() as q:
            assert client.get("/briefs/2026-03").status_code == 200
        return q.count

    assert queries(3) == queries(40)
