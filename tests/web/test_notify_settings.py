"""Where notifications are set: one's e-mail and preference on /account, a unit's group robots
and the reminder rules for admins. Bad input is refused next to the field and changes nothing;
every change is in the audit trail (a secret only as 已设置)."""

from __future__ import annotations

from sqlalchemy import select

from tracker.audit.models import AuditEntry
from tracker.extensions import db
from tracker.settings import Setting


def test_a_user_sets_an_email_and_turns_mail_off(client, login, users):
    login(users["member"])
    assert "邮箱：未填写" in client.get("/account").get_data(as_text=True)
    bad = client.post("/account/notifications", data={"email": "zhang wei@", "notify_email": "1"})
    assert bad.status_code == 422 and "邮箱地址格式不正确" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert users["member"].email == ""
    client.post("/account/notifications", data={"email": "zhangwei@park.example", "notify_email": "1"})
    assert "邮箱：zhangwei@park.example · 邮件提醒：开" in client.get("/account").get_data(as_text=True)
    client.post("/account/notifications", data={"email": "zhangwei@park.example"})
    db.session.expire_all()
    assert users["member"].notify_email is False
    fields = db.session.scalars(select(AuditEntry.field).where(AuditEntry.table_name == "users").order_by(AuditEntry.id)).all()
    assert fields == ["email", "notify_email"]


def test_an_admin_sets_a_units_robots_and_the_secret_stays_out_of_the_trail(client, login, users, make_unit):
    unit = make_unit("园区经济发展局")
    login(users["admin"])
    assert "工作群机器人" in client.get(f"/admin/units/{unit.id}").get_data(as_text=True)
    bad = client.post(f"/admin/units/{unit.id}/robots", data={"wecom_webhook": "qyapi.weixin.qq.com/send"})
    assert bad.status_code == 422 and "企业微信机器人地址应为 https:// 开头的完整地址" in bad.get_data(as_text=True)
    ok = client.post(f"/admin/units/{unit.id}/robots", data={
        "wecom_webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1",
        "dingtalk_webhook": "https://oapi.dingtalk.com/robot/send?access_token=t1",
        "dingtalk_secret": "SECabc123"}, follow_redirects=True)
    assert "已保存“园区经济发展局”的工作群机器人" in ok.get_data(as_text=True)
    page = client.get(f"/admin/units/{unit.id}/robots").get_data(as_text=True)
    assert "SECabc123" not in page and "已设置；留空则保持不变" in page
    client.post(f"/admin/units/{unit.id}/robots", data={
        "wecom_webhook": "", "dingtalk_webhook": "https://oapi.dingtalk.com/robot/send?access_token=t1",
        "dingtalk_secret": ""})
    db.session.expire_all()
    assert (unit.wecom_webhook, unit.dingtalk_secret) == ("", "SECabc123")  # the secret kept
    trail = db.session.scalars(select(AuditEntry).where(AuditEntry.table_name == "units")).all()
    assert "SECabc123" not in " ".join(f"{e.old} {e.new}" for e in trail)
    assert [(e.field, e.new) for e in trail if e.field == "dingtalk_secret"] == [("dingtalk_secret", "已设置")]


def test_reminder_rules_are_settings_the_daily_pass_follows(client, login, users, runner, make_project):
    login(users["admin"])
    bad = client.post("/admin/notifications/settings", data={
        "report_due_day": "40", "report_remind_before": "3", "report_remind_after": "2",
        "issue_remind_before": "3", "issue_remind_every": "7"})
    assert bad.status_code == 422 and "报送截止日（次月几日）应为 1 到 31 之间的整数" in bad.get_data(as_text=True)
    assert db.session.scalar(select(Setting).where(Setting.key == "report_due_day")) is None
    client.post("/admin/notifications/settings", data={
        "report_due_day": "10", "report_remind_before": "3", "report_remind_after": "2",
        "issue_remind_before": "3", "issue_remind_every": "7",
        "office_dingtalk_webhook": "https://oapi.dingtalk.com/robot/send?access_token=o1"})
    make_project("A1", name="人才公寓项目", lead=users["member"])
    moved = runner.invoke(args=["remind", "--date", "2026-12-10", "--dry-run"]).output
    assert "12月10日截止" in moved and "人才公寓项目" in moved
    assert "无。" in runner.invoke(args=["remind", "--date", "2026-12-05", "--dry-run"]).output
    labels = set(db.session.scalars(select(AuditEntry.record_label).where(AuditEntry.table_name == "settings")))
    assert labels == {"报送截止日（次月几日）", "督查室钉钉机器人地址"}


def test_user_set_gives_an_address_on_the_command_line_and_refuses_a_bad_one(runner, users):
    done = runner.invoke(args=["user", "set", "lead1", "--email", "lead1@park.example"])
    assert done.exit_code == 0 and "lead1：邮箱 lead1@park.example，邮件提醒开。" in done.output
    bad = runner.invoke(args=["user", "set", "lead1", "--email", "not-an-address"])
    assert bad.exit_code == 1 and "邮箱地址格式不正确" in bad.output
    assert runner.invoke(args=["user", "set", "nobody", "--email", "a@b.cn"]).exit_code == 1
    db.session.expire_all()
    assert users["member"].email == "lead1@park.example"


def test_an_admin_gives_a_user_an_address_and_a_supervisor_may_not(client, login, users):
    login(users["admin"])
    member = users["member"]
    assert "邮箱：未填写" in client.get(f"/admin/users/{member.id}/edit").get_data(as_text=True)
    client.post(f"/admin/users/{member.id}/notifications", data={"email": "lead1@park.example", "notify_email": "1"})
    db.session.expire_all()
    assert member.email == "lead1@park.example"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.field == "email"))
    assert (entry.user_id, entry.record_label, entry.new) == (users["admin"].id, "lead1", "lead1@park.example")
    client.post("/logout")
    login(users["supervisor"])
    assert client.post(f"/admin/users/{member.id}/notifications", data={"email": "x@y.cn"}).status_code == 403
