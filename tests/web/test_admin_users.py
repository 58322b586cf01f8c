"""Admins manage users, units and settings in the browser; every change is in the trail."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tracker.audit.models import AuditEntry
from tracker.auth.models import Role, Unit, User
from tracker.extensions import db
from tracker.issues.models import Category, Issue
from tracker.projects.models import Project


def second_browser(app):
    """Another person's browser: its requests run in app contexts of their own, so that
    nothing cached on ``g`` by the test's context (the signed-in user, the CSRF token) leaks."""
    base = type(app.test_client())

    class OwnContextClient(base):
        def open(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            with self.application.app_context():
                return super().open(*args, **kwargs)

    return OwnContextClient(app, app.response_class, use_cookies=True)


def errors_in(response) -> list[str]:
    return re.findall(r'class="field-error"[^>]*>([^<]*)<', response.get_data(as_text=True))


def trail(**where) -> list[tuple]:
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(AuditEntry, key) == value)
    return [(e.field, e.old, e.new) for e in db.session.scalars(stmt)]


@pytest.fixture
def admin(users, login):
    login(users["admin"])
    return users["admin"]


def test_the_users_page_lists_people_with_role_unit_and_state(client, admin, users):
    users["viewer"].active = False
    db.session.commit()
    html = client.get("/admin/users").get_data(as_text=True)
    assert "张伟" in html and "园区经济发展局" in html and "项目负责人" in html
    assert "王主任" not in html  # inactive ones are listed on request
    assert "王主任" in client.get("/admin/users?state=inactive").get_data(as_text=True)
    only_members = client.get("/admin/users?role=member").get_data(as_text=True)
    assert "张伟" in only_members and "陈督查" not in only_members


def test_a_new_user_must_change_the_password_at_first_sign_in(app, client, admin, make_unit):
    unit = make_unit("园区招商服务中心")
    response = client.post("/admin/users/new", data={
        "login": "liuyang", "name": "刘洋", "role": "member", "unit_id": str(unit.id),
        "password": "temporary-1"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.login == "liuyang"))
    assert (user.name, user.role, user.unit.name, user.must_change_password) == (
        "刘洋", Role.MEMBER, "园区招商服务中心", True)
    assert ("role", None, "项目负责人") in trail(table_name="users", record_id=user.id)
    # The new user signs in and is sent to /account until the password is changed.
    other = second_browser(app)
    assert other.post("/login", data={"login": "liuyang", "password": "temporary-1"}).status_code == 302
    forced = other.get("/")
    assert forced.status_code == 302 and forced.headers["Location"].endswith("/account")
    changed = other.post("/account", data={"new": "my-own-secret-9", "confirm": "my-own-secret-9"})
    assert changed.status_code == 302
    assert other.get("/").status_code == 200


def test_user_form_refusals_are_next_to_each_field(client, admin, users):
    response = client.post("/admin/users/new", data={
        "login": "lead1", "name": "", "role": "boss", "unit_id": "abc", "password": "short"})
    assert response.status_code == 422
    messages = errors_in(response)
    assert "请填写姓名" in messages
    assert any(m.startswith("角色只能是") for m in messages)
    assert "单位选择无效，请从列表中选择" in messages
    again = client.post("/admin/users/new", data={
        "login": "LEAD1", "name": "重名", "role": "viewer", "password": "short"})
    assert "账号“LEAD1”已存在" in errors_in(again) and "密码至少 8 位" in errors_in(again)
    member = client.post("/admin/users/new", data={
        "login": "nounit", "name": "无单位", "role": "member", "password": "long-enough"})
    assert "项目负责人须属于一个单位" in errors_in(member)
    assert db.session.scalar(select(func.count(User.id))) == 5


def test_edit_changes_name_role_and_unit_with_old_and_new_in_the_trail(client, admin, users, make_unit):
    member = users["member"]
    unit = make_unit("园区规划建设局")
    response = client.post(f"/admin/users/{member.id}/edit", data={
        "name": "张伟（规划）", "role": "supervisor", "unit_id": str(unit.id), "active": "1"})
    assert response.status_code == 302
    db.session.refresh(member)
    assert (member.name, member.role, member.unit.name) == ("张伟（规划）", Role.SUPERVISOR, "园区规划建设局")
    assert trail(table_name="users", record_id=member.id) == [
        ("name", "张伟", "张伟（规划）"),
        ("role", "项目负责人", "督查室"),
        ("unit_id", "园区经济发展局", "园区规划建设局"),
    ]


def test_reset_password_forces_a_change_and_is_audited_without_the_password(
    app, client, admin, users
):
    member = users["member"]
    short = client.post(f"/admin/users/{member.id}/password", data={"password": "short", "confirm": "short"})
    assert short.status_code == 422 and "密码至少 8 位" in errors_in(short)
    ok = client.post(f"/admin/users/{member.id}/password",
                     data={"password": "reset-pass-1", "confirm": "reset-pass-1"})
    assert ok.status_code == 302
    db.session.refresh(member)
    assert member.must_change_password and member.check_password("reset-pass-1")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "password"))
    assert entry.record_id == member.id and entry.old is None and entry.new is None
    assert "reset-pass-1" not in (entry.note or "")


def test_deactivating_ends_sign_in_and_the_open_session_but_keeps_the_user(
    app, client, admin, users
):
    member = users["member"]
    theirs = second_browser(app)
    theirs.post("/login", data={"login": "lead1", "password": "correct-horse-9"})
    assert theirs.get("/").status_code == 200
    response = client.post(f"/admin/users/{member.id}/active", data={"active": "0"})
    assert response.status_code == 302
    assert db.session.get(User, member.id).active is False  # never deleted
    assert theirs.get("/").status_code == 302  # their open session ends
    again = theirs.post("/login", data={"login": "lead1", "password": "correct-horse-9"})
    assert "账号或密码不正确" in again.get_data(as_text=True)
    assert trail(table_name="users", field="active") == [("active", "是", "否")]


def test_an_admin_cannot_lock_themselves_out(client, admin):
    demote = client.post(f"/admin/users/{admin.id}/edit",
                         data={"name": "管理员", "role": "viewer", "active": "1"})
    assert demote.status_code == 422 and "不能取消自己的管理员角色" in errors_in(demote)
    off = client.post(f"/admin/users/{admin.id}/edit", data={"name": "管理员", "role": "admin"})
    assert "不能停用自己的账号" in errors_in(off)
    reset = client.post(f"/admin/users/{admin.id}/password",
                        data={"password": "long-enough-1", "confirm": "long-enough-1"})
    assert reset.status_code == 422
    db.session.refresh(admin)
    assert admin.active and admin.role is Role.ADMIN


def test_units_are_created_renamed_and_deactivated(client, admin, make_unit):
    assert client.post("/admin/units", data={"name": "园区应急管理局"}).status_code == 302
    unit = db.session.scalar(select(Unit).where(Unit.name == "园区应急管理局"))
    duplicate = client.post("/admin/units", data={"name": "园区应急管理局"})
    assert duplicate.status_code == 422 and "单位“园区应急管理局”已存在" in errors_in(duplicate)
    make_unit("园区安全监管局")
    clash = client.post(f"/admin/units/{unit.id}/rename", data={"name": "园区安全监管局"})
    assert clash.status_code == 422 and "请使用“合并”" in errors_in(clash)[0]
    assert client.post(f"/admin/units/{unit.id}/rename", data={"name": "园区应急局"}).status_code == 302
    assert client.post(f"/admin/units/{unit.id}/active", data={"active": "0"}).status_code == 302
    db.session.refresh(unit)
    assert (unit.name, unit.active) == ("园区应急局", False)
    assert trail(table_name="units", record_id=unit.id) == [
        ("name", None, "园区应急管理局"), ("name", "园区应急管理局", "园区应急局"), ("active", "是", "否")]
    # A deactivated unit is no longer offered in forms.
    client.get("/admin/units")  # the flash message is shown here
    assert "园区应急局" not in client.get("/admin/users/new").get_data(as_text=True)


def test_merging_moves_every_reference_and_records_each(client, admin, users, make_unit, make_project):
    old, new = make_unit("园区经发局"), make_unit("园区经济发展局")
    member = users["member"]
    member.unit = old
    project = make_project("A1")
    project.owner_unit, project.responsible_unit = old, old
    issue = Issue(number="DB-2026-0001", project_id=project.id, category=Category.FUNDING,
                  description="资金缺口", responsible_unit=old, raised_on=project.created_at.date())
    db.session.add(issue)
    db.session.commit()
    version = project.version
    response = client.post(f"/admin/units/{old.id}/merge", data={"target_id": str(new.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, member.id).unit_id == new.id
    project = db.session.get(Project, project.id)
    assert (project.owner_unit_id, project.responsible_unit_id) == (new.id, new.id)
    assert project.version > version  # a form opened before the merge meets a conflict
    assert db.session.get(Issue, issue.id).responsible_unit_id == new.id
    assert db.session.get(Unit, old.id).active is False
    moved = trail(action="merge")
    assert ("unit_id", "园区经发局", "园区经济发展局") in moved
    assert ("owner_unit_id", "园区经发局", "园区经济发展局") in moved
    assert ("responsible_unit_id", "园区经发局", "园区经济发展局") in moved
    assert len(moved) == 5  # user, two project fields, issue, and the unit itself
    itself = client.post(f"/admin/units/{new.id}/merge", data={"target_id": str(new.id)})
    assert itself.status_code == 422 and "请选择另一个要并入的单位" in errors_in(itself)


def test_settings_are_validated_saved_and_audited(client, admin):
    bad = client.post("/admin/settings", data={"park_name": "", "issuing_body": "x" * 61,
                                               "yellow_threshold": "-1", "red_threshold": "abc"})
    assert bad.status_code == 422
    messages = errors_in(bad)
    assert "请填写园区名称" in messages and "发文单位不能超过 60 个字符" in messages
    assert len(messages) == 4
    inverted = client.post("/admin/settings", data={"park_name": "湾区产业园", "issuing_body": "湾区产业园管委会督查室",
                                                    "yellow_threshold": "20", "red_threshold": "10"})
    assert "红灯阈值不能小于黄灯阈值" in errors_in(inverted)
    ok = client.post("/admin/settings", data={"park_name": "湾区产业园", "issuing_body": "湾区产业园管委会督查室",
                                              "yellow_threshold": "10", "red_threshold": "30"})
    assert ok.status_code == 302
    assert "湾区产业园 · 重点项目督办" in client.get("/").get_data(as_text=True)
    assert ("park_name", "示范产业园区", "湾区产业园") in trail(table_name="settings")
    assert ("red_threshold", "10", "30") in trail(table_name="settings")


def test_every_problem_of_a_new_user_is_shown_at_once_each_next_to_its_field(client, admin, users):
    response = client.post("/admin/users/new", data={
        "login": "LEAD1", "name": "无单位", "role": "member", "password": "short"})
    messages = errors_in(response)
    assert response.status_code == 422
    assert "项目负责人须属于一个单位" in messages
    assert "账号“LEAD1”已存在" in messages and "密码至少 8 位" in messages
    assert len(messages) == len(set(messages)) == 3


def test_a_new_users_first_sign_in_is_not_called_a_reset(app, client, admin, users):
    client.post("/admin/users/new", data={"login": "sunxin", "name": "孙欣", "role": "viewer",
                                          "password": "temporary-pass-1"})
    client.post(f"/admin/users/{users['viewer'].id}/password",
                data={"password": "temporary-pass-2", "confirm": "temporary-pass-2"})
    client.post("/logout")
    for login, password, said in (("sunxin", "temporary-pass-1", "欢迎首次登录"),
                                  (users["viewer"].login, "temporary-pass-2", "管理员已重置您的密码")):
        other = app.test_client()
        other.post("/login", data={"login": login, "password": password,
                                   "csrf_token": other.csrf_token()})
        page = other.get("/", follow_redirects=True).get_data(as_text=True)
        assert said in page, login
