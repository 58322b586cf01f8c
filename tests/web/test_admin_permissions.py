"""Every admin and audit route, for every role: 403 without the right, CSRF on every POST.

The routes are read from the app's url_map, so a route added later is covered
(and must be classified below).
"""

from __future__ import annotations

import pytest
from flask import url_for
from sqlalchemy import func, select

from tracker.audit.models import AuditEntry
from tracker.extensions import db

ADMIN_ONLY = {
    "admin.users", "admin.user_new", "admin.user_edit", "admin.user_password",
    "admin.user_active", "admin.user_sessions", "admin.units", "admin.unit_edit", "admin.unit_rename",
    "admin.unit_merge", "admin.unit_active", "admin.settings",
    "milestoneadmin.templates", "milestoneadmin.template_rename", "milestoneadmin.template_move",
    "milestoneadmin.template_retire", "notify.admin", "notify.unit_robots", "notify.reminder_settings",
    "notify.user_preferences",
}
SUPERVISORS = {
    "projectadmin.projects", "projectadmin.project_new", "projectadmin.project_edit",
    "projectadmin.project_plans", "projectadmin.project_bonds", "projectadmin.project_archive",
    "audit.index", "audit.export_csv", "audit.export_xlsx",
}
ROLES = ("admin", "supervisor", "member", "viewer")


def admin_rules(app):
    return sorted(
        (r for r in app.url_map.iter_rules() if r.rule.startswith("/admin/")),
        key=lambda r: r.rule,
    )


@pytest.fixture
def situation(users, make_project, make_unit):
    project = make_project("A1", name="储能电站项目", plan=1000)
    unit = make_unit("园区财政金融局")
    from tracker.milestones.models import MilestoneTemplate

    template = db.session.scalar(select(MilestoneTemplate).order_by(MilestoneTemplate.position))
    return {"code": project.code, "user_id": users["other_member"].id, "unit_id": unit.id,
            "template_id": template.id}


def url(app, rule, situation) -> str:
    with app.test_request_context():
        return url_for(rule.endpoint, **{a: situation[a] for a in rule.arguments})


def audit_count() -> int:
    return db.session.scalar(select(func.count(AuditEntry.id)))


def test_every_admin_route_is_classified(app):
    endpoints = {r.endpoint for r in admin_rules(app)}
    assert endpoints == ADMIN_ONLY | SUPERVISORS


@pytest.mark.parametrize("role", ROLES)
def test_get_pages_answer_by_role(app, client, users, login, situation, role):
    login(users[role])
    for rule in admin_rules(app):
        if "GET" not in rule.methods:
            continue
        allowed = role == "admin" or (role == "supervisor" and rule.endpoint in SUPERVISORS)
        response = client.get(url(app, rule, situation))
        assert response.status_code == (200 if allowed else 403), (role, rule.rule)
        if not allowed:
            assert "无权操作" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
def test_posts_without_the_right_are_refused_and_change_nothing(
    app, client, users, login, situation, role
):
    login(users[role])
    before = audit_count()
    for rule in admin_rules(app):
        if "POST" not in rule.methods:
            continue
        allowed = role == "admin" or (role == "supervisor" and rule.endpoint in SUPERVISORS)
        if allowed:
            continue
        response = client.post(url(app, rule, situation), data={"name": "x", "active": "0"})
        assert response.status_code == 403, (role, rule.rule)
    assert audit_count() == before


def test_signed_out_visitors_are_sent_to_sign_in(app, client, situation):
    for rule in admin_rules(app):
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url(app, rule, situation), method=method, csrf=False)
        if method == "POST":
            # CSRF is checked first: without a session there is no token either.
            assert response.status_code in (302, 400), rule.rule
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ("admin", "supervisor"))
def test_posts_without_csrf_token_are_refused_and_change_nothing(
    app, client, users, login, situation, role
):
    login(users[role])
    before = audit_count()
    data = {"name": "改名", "code": "A1", "level": "省重点", "stage": "在建", "year": "2026",
            "amount": "5", "target_id": "1", "active": "0", "password": "long-enough-1",
            "confirm": "long-enough-1", "park_name": "新园区", "issuing_body": "x",
            "yellow_threshold": "0", "red_threshold": "10", "archived_on": "2026-11-01"}
    for rule in admin_rules(app):
        if "POST" not in rule.methods:
            continue
        response = client.post(url(app, rule, situation), data=data, csrf=False)
        assert response.status_code in (400, 403), (role, rule.rule)
        if role == "admin" or rule.endpoint in SUPERVISORS:
            assert response.status_code == 400
            assert "安全令牌" in response.get_data(as_text=True)
    assert audit_count() == before
