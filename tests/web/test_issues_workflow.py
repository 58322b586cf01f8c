"""Opening an issue and moving it through its workflow: rights per role, the log, the audit
trail, optimistic locking."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.web import test_issues as _shared
from tracker.audit.models import AuditEntry
from tracker.extensions import db
from tracker.issues.models import EventKind, Issue, IssueEvent, IssueState

make_issue = _shared.make_issue  # fixtures shared with the list's tests


def _form(**overrides) -> dict:
    data = {
        "project": "", "category": "资金不足", "title": "",
        "description": "项目二期建设资金缺口约1.2亿元，银行贷款审批进度慢，影响设备采购。",
        "unit": "", "person": "张伟", "level": "重点督办",
        "deadline": (date.today() + timedelta(days=30)).isoformat(),
    }
    data.update(overrides)
    return data


def _issue(number: str) -> Issue:
    db.session.expire_all()
    return db.session.scalar(select(Issue).where(Issue.number == number))


def _act(client, issue: Issue, action: str, comment: str = "说明", version: int | None = None,
         **extra):
    data = {"action": action, "comment": comment,
            "version": issue.version if version is None else version}
    data.update(extra)
    return client.post(f"/issues/{issue.number}/act", data=data, **({} if "csrf" not in extra else {}))


# --- opening --------------------------------------------------------------------------


def test_a_supervisor_opens_an_issue_on_a_project(client, login, users, make_project, make_unit,
                                                  today):
    p = make_project("A2", name="新材料产业园项目")
    unit = make_unit("园区经济发展局")
    login(users["supervisor"])
    assert "交办督办事项" in client.get("/issues/new").get_data(as_text=True)
    response = client.post("/issues/new", data=_form(project="A2", unit=str(unit.id)))
    assert response.status_code == 302
    number = f"DB-{today.year}-0001"
    assert response.headers["Location"].endswith(f"/issues/{number}")
    issue = _issue(number)
    assert issue.project_id == p.id and issue.state is IssueState.OPEN
    assert issue.display_title == "项目二期建设资金缺口约1.2亿元，银行贷款审批进度慢，影响设"
    assert issue.raised_on == today and issue.level.value == "重点督办"
    [event] = issue.events
    assert event.kind is EventKind.RAISED and event.user_id == users["supervisor"].id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.table_name == "issues"))
    assert entry.action == "create" and entry.record_label == number
    assert entry.user_id == users["supervisor"].id and entry.project_id == p.id
    page = client.get(f"/issues/{number}").get_data(as_text=True)
    assert "新材料产业园项目" in page and "重点督办" in page and "交办" in page


def test_numbers_run_per_year_and_skip_imported_ones(app, make_issue, today):
    assert make_issue(raised_on=date(2025, 12, 30)).number == "DB-2025-0001"
    assert make_issue(raised_on=today).number == f"DB-{today.year}-0001"
    make_issue(number=f"DB-{today.year}-0005", raised_on=date(2025, 3, 1))  # imported
    make_issue(number="SZ-07")  # imported, another shape
    assert make_issue(raised_on=today).number == f"DB-{today.year}-0006"
    assert make_issue(raised_on=date(2025, 6, 1)).number == "DB-2025-0002"


def test_bad_input_is_refused_next_to_the_field_and_nothing_is_created(client, login, users,
                                                                       make_unit, today):
    unit = make_unit("园区经济发展局")
    login(users["admin"])
    cases = {
        "办结时限不能早于今天": _form(unit=str(unit.id), deadline=(today - timedelta(days=1)).isoformat()),
        "请填写问题描述": _form(unit=str(unit.id), description="  "),
        "请选择责任单位": _form(),
        "日期格式不正确": _form(unit=str(unit.id), deadline="2026-13-45"),
        "请填写办结时限": _form(unit=str(unit.id), deadline=""),
        "所选项目不存在": _form(unit=str(unit.id), project="NOPE"),
        "问题类别不存在": _form(unit=str(unit.id), category="天灾"),
        "所选责任单位不存在": _form(unit="99999"),
    }
    for message, data in cases.items():
        response = client.post("/issues/new", data=data)
        assert response.status_code == 422, message
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Issue.id)) is None
    assert db.session.scalar(select(AuditEntry.id)) is None


def test_only_supervisors_and_admins_open_issues(client, login, users, make_unit):
    unit = make_unit("园区经济发展局")
    for role in ("member", "other_member", "viewer"):
        login(users[role])
        assert client.get("/issues/new").status_code == 403
        assert client.post("/issues/new", data=_form(unit=str(unit.id))).status_code == 403
        client.post("/logout")
    assert db.session.scalar(select(Issue.id)) is None


def test_every_form_needs_its_csrf_token(client, login, users, make_unit, make_issue):
    issue = make_issue()
    login(users["supervisor"])
    unit = make_unit("园区经济发展局")
    assert client.post("/issues/new", data=_form(unit=str(unit.id)), csrf=False).status_code == 400
    response = client.post(f"/issues/{issue.number}/act", csrf=False,
                           data={"action": "urge", "comment": "请加快", "version": issue.version})
    assert response.status_code == 400
    assert len(_issue(issue.number).events) == 1


# --- the workflow through the pages ------------------------------------------------------


def test_the_unit_works_it_and_the_supervisor_confirms_it(client, login, users, make_issue, today):
    issue = make_issue()
    login(users["member"])
    assert _act(client, issue, "start", "已接收，正在对接银行").status_code == 302
    issue = _issue(issue.number)
    assert issue.state is IssueState.IN_PROGRESS
    assert _act(client, issue, "progress", "已完成贷款材料报送").status_code == 302
    issue = _issue(issue.number)
    # 办结需佐证 (on by default): the move to 待确认 carries the approval as a PDF.
    assert _act(client, issue, "submit", "贷款已获批",
                evidence=(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "贷款批复.pdf")).status_code == 302
    issue = _issue(issue.number)
    assert issue.state is IssueState.AWAITING_CONFIRMATION
    page = client.get(f"/issues/{issue.number}").get_data(as_text=True)
    assert 'value="confirm"' not in page and 'value="progress"' in page
    client.post("/logout")

    login(users["supervisor"])
    assert _act(client, issue, "confirm", "经核实已办结").status_code == 302
    issue = _issue(issue.number)
    assert issue.state is IssueState.CLOSED and issue.closed_on == today
    kinds = [(e.kind.value, e.to_state.value if e.to_state else None) for e in issue.events]
    assert kinds == [("交办", "待办理"), ("状态变更", "办理中"), ("办理进展", None),
                     ("状态变更", "待确认"), ("状态变更", "已办结")]
    assert [e.user.login for e in issue.events[1:]] == ["lead1"] * 3 + ["super1"]
    states = db.session.scalars(
        select(AuditEntry.new).where(AuditEntry.table_name == "issues", AuditEntry.field == "state")
        .order_by(AuditEntry.id)
    ).all()
    assert states == ["办理中", "待确认", "已办结"]
    assert db.session.scalar(
        select(AuditEntry.new).where(AuditEntry.field == "办理进展")) == "已完成贷款材料报送"

    assert _act(client, issue, "reopen", "复查发现仍未到位").status_code == 302
    issue = _issue(issue.number)
    assert issue.state is IssueState.IN_PROGRESS and issue.closed_on is None


def test_another_unit_and_a_viewer_can_neither_move_nor_comment(client, login, users, make_issue):
    issue = make_issue()
    for role in ("other_member", "viewer"):
        login(users[role])
        page = client.get(f"/issues/{issue.number}").get_data(as_text=True)
        assert 'name="action"' not in page and "只能查看" in page or "您可以查看" in page
        for action in ("progress", "start", "urge", "confirm"):
            assert _act(client, issue, action, "试图操作").status_code == 403, (role, action)
        client.post("/logout")
    issue = _issue(issue.number)
    assert issue.state is IssueState.OPEN and len(issue.events) == 1


def test_the_projects_lead_may_act_though_of_another_unit(client, login, users, make_issue,
                                                          make_project):
    p = make_project("C1", lead=users["other_member"])
    issue = make_issue(project=p, unit="园区经济发展局")
    login(users["other_member"])
    assert _act(client, issue, "start", "已协调").status_code == 302
    assert _issue(issue.number).state is IssueState.IN_PROGRESS


def test_a_member_cannot_confirm_and_a_wrong_move_is_refused_with_a_message(client, login, users,
                                                                          make_issue):
    issue = make_issue(state="待确认")
    login(users["member"])
    response = _act(client, issue, "confirm", "自行办结")
    assert response.status_code == 422
    assert "只能由督查室操作" in response.get_data(as_text=True)
    client.post("/logout")
    login(users["supervisor"])
    response = _act(client, issue, "start", "重新开始")
    assert response.status_code == 422
    assert "当前状态为“待确认”，不能“开始办理”" in response.get_data(as_text=True)
    response = _act(client, issue, "fly", "乱操作")
    assert response.status_code == 422 and "未知的操作" in response.get_data(as_text=True)
    assert _issue(issue.number).state is IssueState.AWAITING_CONFIRMATION


def test_every_move_needs_a_comment(client, login, users, make_issue):
    issue = make_issue()
    login(users["member"])
    response = _act(client, issue, "start", "   ")
    assert response.status_code == 422
    assert "请填写说明" in response.get_data(as_text=True)
    assert _issue(issue.number).state is IssueState.OPEN


def test_a_stale_form_gets_the_conflict_screen_not_an_overwrite(client, login, users, make_issue):
    issue = make_issue(state="待确认")
    seen = issue.version
    login(users["member"])
    assert _act(client, issue, "progress", "补充：设备款已付清").status_code == 302
    client.post("/logout")
    login(users["supervisor"])
    response = _act(client, issue, "confirm", "确认办结", version=seen, seen="2")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "此事项已被他人更新，您的操作未保存" in html
    assert "补充：设备款已付清" in html and 'class="is-new"' in html
    assert "确认办结</textarea>" in html  # what they typed is kept
    current = _issue(issue.number)
    assert current.state is IssueState.AWAITING_CONFIRMATION
    assert re.search(rf'name="version" value="{current.version}"', html)
    assert _act(client, current, "confirm", "确认办结").status_code == 302
    assert _issue(issue.number).state is IssueState.CLOSED


def test_extending_a_deadline_needs_a_reason_and_a_later_date(client, login, users, make_issue,
                                                              today):
    issue = make_issue(deadline=today - timedelta(days=3))
    login(users["supervisor"])
    later = (today + timedelta(days=20)).isoformat()
    response = _act(client, issue, "extend", "", new_deadline=later)
    assert response.status_code == 422 and "请填写说明" in response.get_data(as_text=True)
    response = _act(client, issue, "extend", "征地补偿未谈妥", new_deadline="")
    assert response.status_code == 422 and "请填写新的办结时限" in response.get_data(as_text=True)
    response = _act(client, issue, "extend", "征地补偿未谈妥",
                    new_deadline=(today - timedelta(days=1)).isoformat())
    assert response.status_code == 422 and "不能早于今天" in response.get_data(as_text=True)
    assert _act(client, issue, "extend", "征地补偿未谈妥", new_deadline=later).status_code == 302
    issue = _issue(issue.number)
    assert issue.deadline.isoformat() == later and issue.state is IssueState.OPEN
    assert issue.events[-1].kind is EventKind.EXTEND and issue.events[-1].new_deadline == issue.deadline
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.field == "deadline"))
    assert entry.old == (today - timedelta(days=3)).isoformat() and entry.new == later
    assert "逾期" not in client.get(f"/issues/{issue.number}").get_data(as_text=True)


def test_cancel_with_a_reason_and_restore_to_the_previous_state(client, login, users, make_issue):
    issue = make_issue(state="待确认")
    login(users["member"])
    assert _act(client, issue, "cancel", "误交办").status_code == 422
    client.post("/logout")
    login(users["supervisor"])
    assert _act(client, issue, "cancel", "与 DB-2026-0003 重复，交办有误").status_code == 302
    issue = _issue(issue.number)
    assert issue.state is IssueState.CANCELLED
    page = client.get(f"/issues/{issue.number}").get_data(as_text=True)
    assert "恢复（回到待确认）" in page
    assert _act(client, issue, "restore", "确认并非重复").status_code == 302
    issue = _issue(issue.number)
    assert issue.state is IssueState.AWAITING_CONFIRMATION
    assert [e.kind for e in issue.events[-2:]] == [EventKind.CANCEL, EventKind.RESTORE]


def test_htmx_actions_answer_the_issue_panel(client, login, users, make_issue):
    issue = make_issue()
    login(users["member"])
    response = client.post(f"/issues/{issue.number}/act", headers={"HX-Request": "true"},
                           data={"action": "start", "comment": "开始", "version": issue.version})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<article id="issue"') and "已开始办理" in html
    response = client.post(f"/issues/{issue.number}/act", headers={"HX-Request": "true"},
                           data={"action": "submit", "comment": "", "version": 999})
    assert response.status_code == 422 and "请填写说明" in response.get_data(as_text=True)


def test_log_entries_are_never_edited_or_deleted(client, login, users, make_issue):
    issue = make_issue()
    login(users["supervisor"])
    _act(client, issue, "urge", "请本周内反馈")
    first = [(e.id, e.comment, e.effective_on) for e in _issue(issue.number).events]
    issue = _issue(issue.number)
    _act(client, issue, "urge", "再次催办")
    after = [(e.id, e.comment, e.effective_on) for e in _issue(issue.number).events]
    assert after[: len(first)] == first and len(after) == len(first) + 1
    # no route edits or deletes an entry
    for method in ("put", "delete", "patch"):
        assert getattr(client, method)(f"/issues/{issue.number}/act").status_code == 405


def test_state_on_reads_the_log_as_of_a_day(app, users, make_issue):
    from tracker.issues.queries import state_on
    from tracker.issues.service import move

    issue = make_issue(raised_on=date(2026, 1, 10), deadline=date(2026, 2, 28))
    sup = users["supervisor"]
    for action, on in (("start", date(2026, 1, 20)), ("submit", date(2026, 2, 20)),
                       ("confirm", date(2026, 3, 1)), ("reopen", date(2026, 9, 1))):
        move(sup, issue, action, comment="—", version=issue.version, effective_on=on)
        db.session.commit()
    assert state_on(issue, date(2026, 1, 1)) is None
    assert state_on(issue, date(2026, 2, 25)) is IssueState.AWAITING_CONFIRMATION
    assert state_on(issue, date(2026, 7, 31)) is IssueState.CLOSED
    assert state_on(issue, date(2026, 9, 30)) is IssueState.IN_PROGRESS


def test_the_service_refuses_a_member_opening_an_issue(app, users, make_unit):
    from tracker.errors import Forbidden
    from tracker.issues.models import Category
    from tracker.issues.service import create_issue

    with pytest.raises(Forbidden):
        create_issue(users["member"], category=Category.OTHER, description="x",
                     responsible_unit=make_unit(), deadline=None, raised_on=date(2026, 1, 1))
    assert db.session.scalar(select(IssueEvent.id)) is None


def test_signed_out_visitors_are_sent_to_sign_in_and_change_nothing(client, make_issue):
    issue = make_issue()
    assert client.get("/issues/new").status_code == 302
    assert client.post("/issues/new", data=_form()).status_code == 302
    response = client.post(f"/issues/{issue.number}/act",
                           data={"action": "start", "comment": "x", "version": issue.version})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get(f"/issues/{issue.number}/notice.pdf").status_code == 302
    assert len(_issue(issue.number).events) == 1


def test_an_admin_does_what_a_supervisor_does(client, login, users, make_issue):
    issue = make_issue(state="待确认")
    login(users["admin"])
    assert _act(client, issue, "confirm", "管理员确认").status_code == 302
    assert _issue(issue.number).state is IssueState.CLOSED
