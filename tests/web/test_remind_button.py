"""催报 now: the supervisors' button on the dashboard's 未报送 card reaches a lead (or all) at
once, at most once a day, and says through which channels; the card shows the 报送率."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.http import park_today
from tracker.notify.models import Notification

OCT = "2026-10"


@pytest.fixture
def late_park(users, make_project):
    """October: 张伟 owes A1 and B1, 李娜 owes C1; D1 was reported."""
    users["member"].email = "lead1@example.com"
    projects = [make_project("A1", name="人才公寓项目", lead=users["member"]),
                make_project("B1", name="标准厂房项目", lead=users["member"]),
                make_project("C1", name="消防站项目", lead=users["other_member"]),
                make_project("D1", name="储能电站项目", lead=users["other_member"], months={10: 100},
                             state="已报送")]
    for p in projects:
        p.created_at = datetime(2026, 1, 1)
    db.session.commit()
    return projects


def test_the_card_shows_the_report_rate_and_each_late_lead_with_a_button(app, client, login, users, late_park):
    login(users["supervisor"])
    html = client.get(f"/?period={OCT}").get_data(as_text=True)
    card = html[html.index('id="not-submitted"'):]
    assert "报送率 <strong>25.0%</strong>" in card and "11月5日前按期报送 1 个 / 应报 4 个项目" in card
    late = (park_today() - date(2026, 11, 5)).days
    assert "张伟" in card and f"逾期{late}天" in card
    assert f'name="lead" value="{users["member"].id}"' in card and 'value="all"' in card


def test_a_lead_reminded_now_sees_the_bell_and_gets_an_eml_once_a_day(app, client, login, users, late_park):
    outbox = Path(app.instance_path, "outbox")
    before = set(outbox.glob("*.eml"))
    login(users["supervisor"])
    answer = client.post(f"/remind/{OCT}", data={"lead": str(users["member"].id)}, follow_redirects=True)
    html = answer.get_data(as_text=True)
    assert "已催报：张伟（lead1）（站内、邮件）。" in html
    [eml] = set(outbox.glob("*.eml")) - before
    assert b"lead1@example.com" in eml.read_bytes()
    again = client.post(f"/remind/{OCT}", data={"lead": str(users["member"].id)}, follow_redirects=True)
    assert "今天已催报过，未重复发送：张伟（lead1）。" in again.get_data(as_text=True)
    assert set(outbox.glob("*.eml")) - before == {eml}
    client.post("/logout")
    login(users["member"])
    page = client.get("/notifications").get_data(as_text=True)
    assert "1 条未读" in page and "【催报】督查室提醒：您负责的2个项目尚未报送2026年10月进展" in page
    assert "通知（1条未读）" in client.get("/").get_data(as_text=True)


def test_all_late_leads_at_once_and_only_supervisors_may(client, login, users, late_park):
    login(users["member"])
    assert client.post(f"/remind/{OCT}", data={"lead": "all"}).status_code == 403
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    client.post("/logout")
    login(users["supervisor"])
    html = client.post(f"/remind/{OCT}", data={"lead": "all"}, follow_redirects=True).get_data(as_text=True)
    assert "张伟（lead1）（站内、邮件）" in html and "李娜（lead2）（站内）" in html
    recipients = set(db.session.scalars(select(Notification.user_id)))
    assert recipients == {users["member"].id, users["other_member"].id}


def test_a_month_not_over_or_with_nobody_late_is_refused_with_a_message(client, login, users, late_park):
    login(users["supervisor"])
    now = park_today()
    html = client.post(f"/remind/{now:%Y-%m}", data={"lead": "all"}, follow_redirects=True).get_data(as_text=True)
    assert f"{now.year}年{now.month}月尚未结束，还不能催报。" in html
    html = client.post("/remind/2026-10", data={"lead": str(users["viewer"].id)},
                       follow_redirects=True).get_data(as_text=True)
    assert "该负责人的项目均已报送。" in html
    assert db.session.scalar(select(func.count(Notification.id))) == 0
