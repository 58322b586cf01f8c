"""Events reach people at once: 交办 to the unit's members, 退回 to the lead, a 待确认 sent back
or confirmed to the unit; e-mails of events go out through the worker after the commit."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.web import test_issues as _shared
from tests.web.notify_servers import smtp_server  # noqa: F401  (fixture)
from tracker.extensions import db
from tracker.issues.models import Issue
from tracker.notify.models import Channel, Notification

make_issue = _shared.make_issue
HX = {"HX-Request": "true"}


def inbox(user) -> list[str]:
    db.session.expire_all()
    return [n.text for n in db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.channel == Channel.APP).order_by(Notification.id))]


def test_a_raised_issue_reaches_the_units_members_and_not_others(client, login, users, make_unit):
    unit = make_unit("园区经济发展局")
    login(users["supervisor"])
    response = client.post("/issues/new", data={
        "project": "", "category": "资金不足", "title": "二期资金缺口",
        "description": "项目二期建设资金缺口约1.2亿元。", "unit": str(unit.id), "person": "张伟",
        "level": "重点督办", "deadline": (date.today() + timedelta(days=30)).isoformat()})
    assert response.status_code == 302
    number = db.session.scalar(select(Issue.number))
    [text] = inbox(users["member"])
    assert text.startswith(f"【交办】督查室交办督办事项{number}「二期资金缺口」，责任单位：园区经济发展局，办结时限：")
    assert inbox(users["other_member"]) == []
    client.post("/logout")
    login(users["member"])
    html = client.get("/notifications").get_data(as_text=True)
    assert "1 条未读" in html and "二期资金缺口" in html
    n = db.session.scalar(select(Notification))
    assert n.link == f"http://localhost/issues/{number}"  # the request's host without PUBLIC_URL


def test_a_sent_back_and_a_confirmed_issue_reach_the_unit(client, login, users, make_issue):
    from tracker.settings import set_setting

    set_setting("evidence_required", "0")  # evidence has tests of its own
    db.session.commit()
    issue = make_issue()
    login(users["member"])
    for action in ("start", "submit"):
        db.session.expire_all()
        issue = db.session.get(Issue, issue.id)
        client.post(f"/issues/{issue.number}/act", data={"action": action, "comment": "已办", "version": issue.version})
    assert [t[:4] for t in inbox(users["member"])] == ["【交办】"]  # moves of its own: nothing new
    client.post("/logout")
    login(users["supervisor"])
    db.session.expire_all()
    issue = db.session.get(Issue, issue.id)
    client.post(f"/issues/{issue.number}/act", data={"action": "send_back", "comment": "材料不全", "version": issue.version})
    texts = inbox(users["member"])
    assert len(texts) == 2 and "的办结申请被督查室退回：材料不全。请继续办理" in texts[1]
    client.post("/logout")
    login(users["member"])
    db.session.expire_all()
    issue = db.session.get(Issue, issue.id)
    client.post(f"/issues/{issue.number}/act", data={"action": "submit", "comment": "已补", "version": issue.version})
    client.post("/logout")
    login(users["supervisor"])
    db.session.expire_all()
    issue = db.session.get(Issue, issue.id)
    client.post(f"/issues/{issue.number}/act", data={"action": "confirm", "comment": "已核实", "version": issue.version})
    assert "已由督查室确认办结" in inbox(users["member"])[-1]


def test_a_returned_report_reaches_its_lead_each_time(client, login, users, make_project):
    make_project("A1", name="储能电站项目", lead=users["member"], months={m: 500 for m in range(1, 7)})

    def submit_and_return(comment: str) -> None:
        login(users["member"])
        client.post("/report/2026-07/A1", data={"amount": "100", "progress_text": "施工", "next_steps": "",
                                                "version": str(_version())}, headers=HX)
        client.post("/report/2026-07/A1/submit", data={"reply": "已修改"}, headers=HX)
        client.post("/logout")
        login(users["supervisor"])
        client.post("/report/2026-07/A1/return", data={"comment": comment}, headers=HX)
        client.post("/logout")

    submit_and_return("请补充形象进度")
    submit_and_return("金额有误")
    texts = inbox(users["member"])
    assert texts == ["【退回】储能电站项目2026年7月进展被督查室退回：请补充形象进度。请修改后重新报送：{link}",
                     "【退回】储能电站项目2026年7月进展被督查室退回：金额有误。请修改后重新报送：{link}"]
    assert inbox(users["other_member"]) == []


def _version() -> int:
    from tracker.projects.models import MonthlyReport

    db.session.expire_all()
    row = db.session.scalar(select(MonthlyReport).where(MonthlyReport.month == 7))
    return row.version if row else 0


def test_an_events_email_goes_out_through_the_worker_after_the_commit(
        app, client, login, users, make_unit, smtp_server, monkeypatch, request):  # noqa: F811
    url, box = smtp_server
    monkeypatch.setenv("SMTP_URL", url)
    app.config.update(SMTP_URL=url, PUBLIC_URL="https://duban.park.example")
    users["member"].email = "lead1@park.example"
    db.session.commit()
    request.getfixturevalue("worker")
    login(users["supervisor"])
    unit = make_unit("园区经济发展局")
    response = client.post("/issues/new", data={
        "project": "", "category": "资金不足", "title": "二期资金缺口", "description": "二期资金缺口。",
        "unit": str(unit.id), "person": "张伟", "level": "一般督办",
        "deadline": (date.today() + timedelta(days=30)).isoformat()})
    assert response.status_code == 302
    rows = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    assert [r.channel.value for r in rows] == ["站内", "邮件"]  # the request did not wait for mail
    [(rcpt, msg)] = box.wait_for(1)
    assert rcpt == ["lead1@park.example"] and msg["Subject"].startswith("【交办】督查室交办督办事项")
    assert "https://duban.park.example/issues/" in msg.get_body(("plain",)).get_content()
