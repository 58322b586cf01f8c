"""The daily pass end to end: `flask remind` lists and sends, real SMTP and robot servers on
loopback receive, a refusing server is retried by a real worker and recorded, and two
processes running the same pass deliver each reminder once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from tests.web.notify_servers import robot_server, smtp_server  # noqa: F401  (fixtures)
from tracker.extensions import db
from tracker.notify.models import Channel, Delivery, Notification

DUE = "2026-12-05"  # day R of the November report


def park(make_user, make_project, make_unit, email: bool = True) -> dict:
    """Two leads of two units: 张伟 owes A1 (no row) and B2 (草稿), C3 is reported; 李娜 owes D4."""
    zhang = make_user("zhangwei", name="张伟")
    li = make_user("lina", unit="园区规划建设局", name="李娜")
    make_user("super1", "supervisor", "园区管委会督查室", name="陈督查")
    if email:
        zhang.email, li.email = "zhangwei@example.com", "lina@example.com"
    make_project("A1", name="人才公寓项目", lead=zhang)
    make_project("B2", name="标准厂房项目", lead=zhang, months={11: 100}, state="草稿")
    make_project("C3", name="储能电站项目", lead=zhang, months={11: 100}, state="已报送")
    d4 = make_project("D4", name="消防站项目", lead=li)
    d4.responsible_unit = make_unit("园区规划建设局")
    db.session.commit()
    return {"zhang": zhang, "li": li}


def test_remind_dry_run_lists_the_reminders_of_the_due_day_and_sends_nothing(
        app, runner, make_user, make_project, make_unit):
    park(make_user, make_project, make_unit)
    result = runner.invoke(args=["remind", "--date", DUE, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "2026-12-05 的提醒（演练，不发送）" in result.output
    assert "张伟（zhangwei） · 站内、邮件" in result.output
    assert ("【催报】您负责的2个项目尚未报送2026年11月进展（12月5日截止）：人才公寓项目、标准厂房项目。"
            "请登录填报：http://127.0.0.1:5000/report/2026-11") in result.output
    assert "李娜（lina）" in result.output and "储能电站项目" not in result.output
    assert "共 2 条提醒，4 条待发送" in result.output
    assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_remind_refuses_a_malformed_date_with_usage_exit_2(app, runner):
    result = runner.invoke(args=["remind", "--date", "2026-13-01"])
    assert result.exit_code == 2 and "--date" in result.output
    assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_remind_delivers_by_smtp_once_even_when_run_twice(
        app, runner, make_user, make_project, make_unit, smtp_server):  # noqa: F811
    url, box = smtp_server
    app.config.update(SMTP_URL=url, MAIL_FROM="duban@park.example", PUBLIC_URL="https://duban.park.example")
    park(make_user, make_project, make_unit)
    first = runner.invoke(args=["remind", "--date", DUE])
    assert first.exit_code == 0, first.output
    assert "已发送 4 条，0 条此前已发送" in first.output
    messages = box.wait_for(2)
    assert len(messages) == 2
    to_zhang = next(m for rcpt, m in messages if rcpt == ["zhangwei@example.com"])
    assert to_zhang["Subject"] == "【催报】您负责的2个项目尚未报送2026年11月进展（12月5日截止）"
    assert "=?utf-8?" in to_zhang.as_string().split("\n\n", 1)[0].lower()  # RFC 2047 on the wire
    assert to_zhang["To"].addresses[0].display_name == "张伟"
    plain = to_zhang.get_body(("plain",)).get_content()
    html = to_zhang.get_body(("html",)).get_content()
    assert "https://duban.park.example/report/2026-11" in plain
    assert 'href="https://duban.park.example/report/2026-11"' in html
    second = runner.invoke(args=["remind", "--date", DUE])
    assert "已发送 0 条，4 条此前已发送" in second.output
    time.sleep(0.3)
    assert len(box.messages) == 2


def test_without_smtp_url_mail_is_written_to_the_outbox(app, runner, make_user, make_project, make_unit):
    app.config.update(SMTP_URL="")
    park(make_user, make_project, make_unit)
    outbox = Path(app.instance_path, "outbox")
    before = set(outbox.glob("*.eml"))  # the instance folder is shared by this process's tests
    assert runner.invoke(args=["remind", "--date", DUE]).exit_code == 0
    files = sorted(set(outbox.glob("*.eml")) - before)
    texts = [f.read_bytes() for f in files]
    assert len(texts) == 2 and all(b"Subject: =?utf-8?" in t for t in texts)
    assert any(b"zhangwei@example.com" in t for t in texts) and any(b"lina@example.com" in t for t in texts)


def _wait(predicate, seconds: float = 40) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.commit()
        db.session.expire_all()
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_a_refusing_server_is_retried_three_times_then_recorded_as_failed(
        app, runner, make_user, make_project, make_unit, smtp_server, monkeypatch, request):  # noqa: F811
    url, box = smtp_server
    box.refuse = 10**6
    monkeypatch.setenv("SMTP_URL", url)
    monkeypatch.setenv("NOTIFY_RETRY_SECONDS", "0.2")
    app.config.update(SMTP_URL=url, NOTIFY_RETRY_SECONDS=0.2)
    people = park(make_user, make_project, make_unit)
    request.getfixturevalue("worker")
    result = runner.invoke(args=["remind", "--date", DUE])
    assert "张伟（zhangwei） · 站内、邮件(发送失败，将重试)" in result.output
    assert "已发送 2 条，0 条此前已发送" in result.output and "2 条发送失败，稍后由后台任务重试" in result.output
    mail = Notification.channel == Channel.EMAIL
    assert _wait(lambda: db.session.scalar(select(func.count(Notification.id)).where(
        mail, Notification.state == Delivery.FAILED)) == 2)
    row = db.session.scalar(select(Notification).where(mail, Notification.user_id == people["zhang"].id))
    assert row.attempts == 4 and "550" in row.error and "mailbox unavailable" in row.error
    assert box.messages == []
    app.config["SMTP_URL"] = url
    client = app.test_client()
    client.post("/login", data={"login": make_user("admin1", "admin").login, "password": "correct-horse-9"})
    html = client.get("/admin/notifications?state=失败").get_data(as_text=True)
    assert "共 2 条" in html and "mailbox unavailable" in html


def test_a_server_that_refuses_twice_delivers_on_a_retry(
        app, runner, make_user, make_project, make_unit, smtp_server, monkeypatch, request):  # noqa: F811
    url, box = smtp_server
    box.refuse = 2  # the first tries of both messages
    monkeypatch.setenv("SMTP_URL", url)
    monkeypatch.setenv("NOTIFY_RETRY_SECONDS", "0.2")
    app.config.update(SMTP_URL=url, NOTIFY_RETRY_SECONDS=0.2)
    park(make_user, make_project, make_unit)
    request.getfixturevalue("worker")
    runner.invoke(args=["remind", "--date", DUE])
    assert len(box.wait_for(2)) == 2
    assert _wait(lambda: db.session.scalar(select(func.count(Notification.id)).where(
        Notification.channel == Channel.EMAIL, Notification.state == Delivery.SENT)) == 2)
    assert {r.attempts for r in db.session.scalars(select(Notification).where(
        Notification.channel == Channel.EMAIL))} == {2}


def test_two_processes_running_the_same_pass_deliver_each_reminder_once(
        app, make_user, make_project, make_unit, smtp_server):  # noqa: F811
    url, box = smtp_server
    park(make_user, make_project, make_unit)
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], SMTP_URL=url,
               PUBLIC_URL="https://duban.park.example")
    command = [sys.executable, "-m", "flask", "--app", "tracker", "remind", "--date", DUE]
    procs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    sent = [int(out.split("已发送 ")[1].split(" 条")[0]) for out, _ in outputs]
    assert sorted(sent) in ([0, 4], [1, 3], [2, 2], [3, 1]) and sum(sent) == 4
    time.sleep(0.5)
    assert sorted(r[0] for r, _ in box.messages) == ["lina@example.com", "zhangwei@example.com"]
    assert db.session.scalar(select(func.count(Notification.id))) == 4


def test_group_robots_get_signed_markdown_and_a_500_is_retried(
        app, runner, make_user, make_project, make_unit, robot_server, monkeypatch, request):  # noqa: F811
    base, hook = robot_server
    people = park(make_user, make_project, make_unit, email=False)
    unit = people["zhang"].unit
    unit.wecom_webhook = f"{base}/wecom/send?key=abc"
    unit.dingtalk_webhook = f"{base}/dingtalk/robot/send?access_token=xyz"
    unit.dingtalk_secret = hook.secret
    db.session.commit()
    hook.fail = 1  # the first call (企业微信) answers 500
    monkeypatch.setenv("NOTIFY_RETRY_SECONDS", "0.2")
    app.config.update(NOTIFY_RETRY_SECONDS=0.2, PUBLIC_URL="https://duban.park.example")
    request.getfixturevalue("worker")
    result = runner.invoke(args=["remind", "--date", DUE])
    assert "园区经济发展局工作群 · 企业微信(发送失败，将重试)、钉钉" in result.output
    assert _wait(lambda: len(hook.bodies) == 2)
    assert hook.rejected == []
    paths = {path: body for path, body in hook.bodies}
    wecom = paths["/wecom/send"]["markdown"]["content"]
    assert wecom.startswith("【催报】本单位2个项目尚未报送2026年11月进展（12月5日截止）：人才公寓项目（张伟）")
    assert "[https://duban.park.example/report/2026-11](https://duban.park.example/report/2026-11)" in wecom
    ding = paths["/dingtalk/robot/send"]["markdown"]
    assert ding["title"].startswith("【催报】本单位2个项目") and "人才公寓项目" in ding["text"]
    def rows():  # the worker records a delivery just after the robot answered it
        return db.session.scalars(select(Notification).where(Notification.unit_id == unit.id)).all()

    assert _wait(lambda: {(r.channel.value, r.state.value) for r in rows()}
                 == {("企业微信", "已发送"), ("钉钉", "已发送")})
    assert next(r for r in rows() if r.channel is Channel.WECOM).attempts == 2


def test_a_wrong_dingtalk_secret_is_refused_by_the_robot_and_recorded(
        app, runner, make_user, make_project, make_unit, robot_server):  # noqa: F811
    base, hook = robot_server
    people = park(make_user, make_project, make_unit, email=False)
    unit = people["zhang"].unit
    unit.dingtalk_webhook, unit.dingtalk_secret = f"{base}/dingtalk/robot/send?access_token=xyz", "SECwrong"
    db.session.commit()
    runner.invoke(args=["remind", "--date", DUE])
    row = db.session.scalar(select(Notification).where(Notification.channel == Channel.DINGTALK))
    assert hook.rejected == ["bad signature"] and row.state is Delivery.RETRYING
    assert "sign not match" in row.error
