"""The monthly brief through the browser's eyes: the sentences in the PDF, publishing,
frozen bytes, corrections, numbering, locks, permissions (DESIGN.md sections 4 and 9)."""

from __future__ import annotations

import hashlib
import re
import subprocess
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tracker.audit.models import AuditEntry
from tracker.briefs.models import Brief
from tracker.extensions import db
from tracker.issues.models import Category, EventKind, Issue, IssueEvent, IssueState
from tracker.projects.models import Bond, BondSpending, MonthlyReport, ReportState
from tracker.reports import locks
from tracker.reports.models import PeriodUnlock

WORKED_SENTENCES = [
    "截至3月底，园区共有4个省市重点项目，其中省重点项目2个，市重点项目2个，年度计划投资3.80亿元，"
    "1-3月完成投资0.91亿元，完成23.9%，比时间进度慢1.1个百分点，其中省重点项目平均投资进度为26.9%。",
    "另有1个项目未下达年度计划：标准厂房项目。",
    "今年共获政府专项债5000.00万元，目前已支出1200.00万元，进度为24.0%，预计9月30日前可全部支出完毕。",
    "当前在督问题2项，其中资金不足1项、土地交付进度慢1项；本月新增1项、办结1项，逾期未办结1项。",
    "有关省市项目建设还客观存在资金不足、土地交付进度慢等问题，不同程度影响了建设进度。",
]

# Parks of these tests still have unreported rows: publishing them needs the tick (发布前检查).
TICK = {"accept_incomplete": "1"}


def pdf_text(data: bytes) -> str:
    """The PDF's text as pdftotext extracts it, every whitespace removed."""
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True,
                         check=True).stdout.decode()
    return "".join(out.split())


def add_issue(number, project, category, raised, deadline=None, moves=(), extend=None):
    """An issue with its follow-up log: ``moves`` are (effective date, to state)."""
    state = moves[-1][1] if moves else IssueState.OPEN
    closed = moves[-1][0] if moves and state is IssueState.CLOSED else None
    issue = Issue(number=number, project=project, category=category,
                  description=f"{number}的问题描述", raised_on=raised, deadline=deadline,
                  state=state, closed_on=closed)
    db.session.add(issue)
    db.session.flush()
    db.session.add(IssueEvent(issue_id=issue.id, kind=EventKind.RAISED, to_state=IssueState.OPEN,
                              effective_on=raised))
    before = IssueState.OPEN
    for on, after in moves:
        db.session.add(IssueEvent(issue_id=issue.id, kind=EventKind.MOVE, from_state=before,
                                  to_state=after, effective_on=on))
        before = after
    if extend:
        db.session.add(IssueEvent(issue_id=issue.id, kind=EventKind.EXTEND, effective_on=extend[0],
                                  new_deadline=extend[1]))
    db.session.commit()
    return issue


@pytest.fixture
def worked_park(make_project, users):
    """DESIGN.md section 9 (March 2026), plus later and other data that must not count."""
    lead = users["member"]
    a1 = make_project("A1", "储能电站项目", "省重点", 10000, {1: 1000, 2: 1200, 3: 1300}, lead=lead)
    a2 = make_project("A2", "新材料产业园项目", "省重点", 8000, {1: 500, 2: 500, 3: 500}, lead=lead)
    b1 = make_project("B1", "装备制造基地项目", "市重点", 20000, {1: 1300, 2: 1400, 3: 1400})
    b2 = make_project("B2", "标准厂房项目", "市重点", None, {})
    make_project("Q1", "污水处理厂改造项目", "区重点", 3000, {1: 300, 2: 300, 3: 300})
    # Not counted: April figures, a draft and a returned March row, last year's figures.
    for project, amount in ((a1, 5000), (a2, 4000), (b1, 3000)):
        db.session.add(MonthlyReport(project_id=project.id, year=2026, month=4,
                                     amount=Decimal(amount), state=ReportState.APPROVED))
    db.session.add(MonthlyReport(project_id=b2.id, year=2026, month=3, amount=Decimal(777),
                                 state=ReportState.DRAFT))
    db.session.add(MonthlyReport(project_id=b2.id, year=2025, month=12, amount=Decimal(999),
                                 state=ReportState.APPROVED))
    bond = Bond(project_id=a1.id, year=2026, amount=Decimal(5000), expected_on=date(2026, 9, 30))
    db.session.add(bond)
    db.session.flush()
    for month, amount in ((1, 400), (2, 300), (3, 500), (4, 900)):
        db.session.add(BondSpending(bond_id=bond.id, month=month, amount=Decimal(amount)))
    db.session.commit()
    add_issue("E1", a2, Category.FUNDING, date(2026, 2, 10), date(2026, 3, 15),
              moves=[(date(2026, 2, 12), IssueState.IN_PROGRESS),
                     (date(2026, 4, 10), IssueState.CLOSED)])  # closed after D: open on D
    add_issue("E2", b1, Category.LAND_DELIVERY, date(2026, 3, 5), date(2026, 6, 30))
    add_issue("E3", a1, Category.LAND_PROCEDURES, date(2026, 1, 8), date(2026, 4, 30),
              moves=[(date(2026, 3, 20), IssueState.CLOSED)])
    add_issue("E4", b1, Category.PLANNING, date(2026, 4, 2), date(2026, 4, 20))  # after D
    return {"A1": a1, "A2": a2, "B1": b1, "B2": b2}


def test_worked_example_sentences_appear_in_the_draft_pdf(worked_park, users, login, client):
    login(users["supervisor"])
    response = client.get("/briefs/2026-03.pdf?draft=1")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for sentence in WORKED_SENTENCES:
        assert sentence in text
    assert "示范产业园区重点项目督办简报" in text and "〔2026〕第1期" in text
    assert "第1页共" in text  # page numbers, whatever pdftotext does to the spaces


def test_worked_example_tables_show_every_project_and_the_open_issues(worked_park, users, login,
                                                                      client):
    login(users["supervisor"])
    page = client.get("/briefs/2026-03").get_data(as_text=True)
    for sentence in WORKED_SENTENCES:
        assert sentence in page
    text = "".join(page.split())
    # 二: 区重点 included, with rate, deviation and light as words
    assert "污水处理厂改造项目" in text and "30.0%" in text and "快5.0" in text
    assert ("新材料产业园项目</td><tdclass=\"num\">8,000.00</td><tdclass=\"num\">500.00</td>"
            "<tdclass=\"num\">1,500.00") in text  # plan, 当月完成, 1-3月
    assert "18.8%" in text and "慢6.3" in text and "黄灯" in text
    # 三: yellow projects with their open issue; 四: E1 overdue 16 days on 3月31日, E2 not
    assert "E1的问题描述" in text and "E2的问题描述" in text
    assert "E3的问题描述" not in text and "E4的问题描述" not in text
    assert "2026年3月15日</td><tdclass=\"c\">办理中</td><tdclass=\"num\">16</td>" in text
    # 五: the bond as of March
    assert "5,000.00</td><tdclass=\"num\">1,200.00</td><tdclass=\"num\">24.0%" in text


def test_cli_renders_the_same_draft(worked_park, runner, tmp_path):
    out = tmp_path / "draft.pdf"
    result = runner.invoke(args=["brief", "render", "--period", "2026-03", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = pdf_text(out.read_bytes())
    for sentence in WORKED_SENTENCES:
        assert sentence in text
    assert "草稿（未发布）" in text


def test_published_brief_keeps_its_bytes_whatever_changes(worked_park, users, login, client,
                                                          runner, tmp_path):
    login(users["supervisor"])
    client.post("/briefs/2026-03", data={"next_steps": "加快A2项目资金到位。\n推进B1土地交付。",
                                         "send_to": "区委、区政府主要领导", "copy_to": "各责任单位"})
    response = client.post("/briefs/2026-03/publish", data=TICK)
    assert response.status_code == 302
    first = client.get("/briefs/2026-03.pdf")
    assert first.status_code == 200
    brief = db.session.scalar(select(Brief))
    assert brief.sha256 == hashlib.sha256(first.data).hexdigest()
    text = pdf_text(first.data)
    assert "加快A2项目资金到位。" in text and "报送：区委、区政府主要领导" in text
    assert "草稿" not in text
    for sentence in WORKED_SENTENCES:
        assert sentence in text

    # Everything changes afterwards: figures, plans, issues, the park's name.
    db.session.add(MonthlyReport(project_id=worked_park["B2"].id, year=2026, month=2,
                                 amount=Decimal(5000), state=ReportState.APPROVED))
    issue = db.session.scalar(select(Issue).where(Issue.number == "E2"))
    issue.description = "改写后的描述"
    from tracker.settings import set_setting

    set_setting("park_name", "改名后的园区")
    db.session.commit()

    again = client.get("/briefs/2026-03.pdf")
    assert again.data == first.data
    assert client.get("/briefs/2026-03.pdf?revision=1").data == first.data
    out = tmp_path / "got.pdf"
    result = runner.invoke(args=["brief", "get", "--period", "2026-03", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == first.data
    # The page shows the frozen text to a reader, not today's data.
    login(users["viewer"])
    page = client.get("/briefs/2026-03").get_data(as_text=True)
    assert "示范产业园区重点项目督办简报" in page and "改写后的描述" not in page


def test_publishing_a_published_month_is_refused_a_correction_is_a_new_revision(
    worked_park, users, login, client
):
    login(users["supervisor"])
    assert client.post("/briefs/2026-03/publish", data=TICK).status_code == 302
    original = client.get("/briefs/2026-03.pdf").data

    again = client.post("/briefs/2026-03/publish", data=TICK)
    assert again.status_code == 422
    assert "已发布" in again.get_data(as_text=True)
    no_reason = client.post("/briefs/2026-03/publish",
                            data={**TICK, "correction": "1", "reason": " "})
    assert no_reason.status_code == 422
    assert "须说明更正原因" in no_reason.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Brief.id)).where(Brief.state == "已发布")) == 1

    fixed = client.post("/briefs/2026-03/publish",
                        data={**TICK, "correction": "1", "reason": "更正B1项目完成投资"})
    assert fixed.status_code == 302
    corrected = client.get("/briefs/2026-03.pdf")
    assert corrected.data != original
    text = pdf_text(corrected.data)
    assert "〔2026〕第1期（更正）" in text and "更正说明：更正B1项目完成投资" in text
    assert client.get("/briefs/2026-03.pdf?revision=1").data == original
    assert client.get("/briefs/2026-03.pdf?revision=2").data == corrected.data
    assert client.get("/briefs/2026-03.pdf?revision=3").status_code == 404
    archive = client.get("/briefs").get_data(as_text=True)
    assert "〔2026〕第1期（更正）" in archive and "〔2026〕第1期</td>" in archive


def test_numbers_count_published_briefs_per_year_in_publishing_order(worked_park, runner):
    for period in ("2026-04", "2026-02", "2025-12"):
        result = runner.invoke(args=["brief", "publish", "--period", period])
        assert result.exit_code == 0, result.output
    labels = {(b.year, b.month): b.snapshot["issue_label"] for b in db.session.scalars(select(Brief))}
    assert labels == {(2026, 4): "〔2026〕第1期", (2026, 2): "〔2026〕第2期",
                      (2025, 12): "〔2025〕第1期"}
    fix = runner.invoke(args=["brief", "publish", "--period", "2026-04", "--correction",
                              "--reason", "数据有误"])
    assert fix.exit_code == 0, fix.output
    assert "〔2026〕第1期（更正）" in fix.output


def test_cli_refusals_and_usage(worked_park, runner, tmp_path):
    out = str(tmp_path / "x.pdf")
    nothing = runner.invoke(args=["brief", "get", "--period", "2026-03", "--out", out])
    assert nothing.exit_code == 1 and "尚未发布" in nothing.output
    lonely = runner.invoke(args=["brief", "publish", "--period", "2026-03", "--correction",
                                 "--reason", "x"])
    assert lonely.exit_code == 1 and "没有可更正的原版" in lonely.output
    assert runner.invoke(args=["brief", "publish", "--period", "2026-03"]).exit_code == 0
    twice = runner.invoke(args=["brief", "publish", "--period", "2026-03"])
    assert twice.exit_code == 1 and "已发布" in twice.output
    no_reason = runner.invoke(args=["brief", "publish", "--period", "2026-03", "--correction"])
    assert no_reason.exit_code == 1 and "更正原因" in no_reason.output
    missing = runner.invoke(args=["brief", "get", "--period", "2026-03", "--out", out,
                                  "--revision", "5"])
    assert missing.exit_code == 1
    assert runner.invoke(args=["brief", "render", "--period", "2026-3", "--out", out]).exit_code == 2
    assert runner.invoke(args=["brief", "render", "--out", out]).exit_code == 2
    assert runner.invoke(args=["brief", "get", "--period", "2026-03"]).exit_code == 2
    future = runner.invoke(args=["brief", "publish", "--period", "2099-01"])
    assert future.exit_code == 1
    assert db.session.scalar(select(func.count(Brief.id))) == 1


def test_an_issue_closed_then_reopened_was_closed_in_between(make_project, users, login, client):
    project = make_project("A1", "储能电站项目", "省重点", 12000, {m: 700 for m in range(1, 8)})
    add_issue("R1", project, Category.FUNDING, date(2026, 1, 5), date(2026, 2, 1),
              moves=[(date(2026, 3, 1), IssueState.CLOSED), (date(2026, 9, 1), IssueState.IN_PROGRESS)])
    add_issue("P1", None, Category.OTHER, date(2026, 7, 2), date(2026, 7, 10),
              extend=(date(2026, 7, 9), date(2026, 8, 30)))  # park-wide, extended before D
    login(users["supervisor"])
    july = "".join(client.get("/briefs/2026-07").get_data(as_text=True).split())
    assert "当前在督问题1项，其中其他1项；本月新增1项、办结0项，逾期未办结0项。" in july
    # P1 is neither 挂牌督办, 重点督办 nor overdue: it is left to the ledger beside the brief.
    assert "以下列示挂牌督办、重点督办及逾期未办结问题0项，其余1项见附件问题台账。" in july
    assert "R1的问题描述" not in july and "P1的问题描述" not in july
    ledger = client.get("/briefs/2026-07/ledger.xlsx?draft=1")
    rows = list(load_workbook(BytesIO(ledger.data)).active.iter_rows(values_only=True))
    assert rows[1][:3] == ("P1", None, "园区层面") and rows[1][-1] == 29  # open since 7月2日
    september = "".join(client.get("/briefs/2026-09").get_data(as_text=True).split())
    assert "当前在督问题2项，其中资金不足1项、其他1项；本月新增0项、办结0项，逾期未办结2项。" in september
    assert "园区层面" in september and "见附件问题台账" not in september  # both overdue: listed
    march = "".join(client.get("/briefs/2026-03").get_data(as_text=True).split())
    assert "本月新增0项、办结1项" in march


def test_draft_texts_are_saved_checked_and_default_to_the_previous_lists(worked_park, users,
                                                                         login, client):
    login(users["supervisor"])
    too_long = client.post("/briefs/2026-03", data={"next_steps": "字" * 5001, "send_to": "",
                                                    "copy_to": ""})
    assert too_long.status_code == 422
    assert "下步工作不能超过5000字" in too_long.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Brief.id))) == 0
    ok = client.post("/briefs/2026-03", data={"next_steps": "抓好项目调度。", "send_to": "市发改委",
                                              "copy_to": "各部门"}, headers={"HX-Request": "true"})
    assert ok.status_code == 200
    fragment = ok.get_data(as_text=True)
    assert 'id="draft"' in fragment and "<html" not in fragment and "抓好项目调度。" in fragment
    client.post("/briefs/2026-03/publish", data=TICK)
    april = client.get("/briefs/2026-04").get_data(as_text=True)
    assert 'value="市发改委"' in april and 'value="各部门"' in april
    assert "〔2026〕第2期" in april


def test_the_draft_is_saved_as_it_is_typed_once_in_the_trail_and_never_over_another(
        worked_park, users, login, client):
    login(users["supervisor"])
    first = client.post("/briefs/2026-03/autosave", data={"next_steps": "抓好", "version": ""},
                        headers={"HX-Request": "true"})
    assert first.status_code == 200 and "已自动保存" in first.get_data(as_text=True)
    version = re.search(r'id="draft-version" value="(\d+)" hx-swap-oob="true"',
                        first.get_data(as_text=True)).group(1)
    again = client.post("/briefs/2026-03/autosave", data={"next_steps": "抓好项目调度。",
                                                          "version": version})
    newer = re.search(r'value="(\d+)"', again.get_data(as_text=True)).group(1)
    assert int(newer) == int(version) + 1
    page = client.get("/briefs/2026-03").get_data(as_text=True)
    assert "抓好项目调度。</textarea>" in page
    # One sitting, one entry in the trail.
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.table_name == "briefs")) == 1
    # Someone else saved meanwhile: nothing is overwritten, the typist is told.
    stale = client.post("/briefs/2026-03/autosave", data={"next_steps": "旧稿", "version": version})
    assert stale.status_code == 409 and "草稿已被他人修改，未自动保存" in stale.get_data(as_text=True)
    too_long = client.post("/briefs/2026-03/autosave", data={"next_steps": "字" * 5001,
                                                             "version": newer})
    assert too_long.status_code == 422 and "下步工作不能超过5000字" in too_long.get_data(as_text=True)
    assert "抓好项目调度。</textarea>" in client.get("/briefs/2026-03").get_data(as_text=True)
    login(users["member"])
    assert client.post("/briefs/2026-03/autosave", data={"next_steps": "x", "version": newer}
                       ).status_code == 403


def test_archive_and_month_pages_by_role(worked_park, users, login, client):
    login(users["supervisor"])
    assert client.post("/briefs", data={"period": "2026-03"}).status_code == 302
    assert "2026年3月简报草稿" in client.get("/briefs").get_data(as_text=True)
    empty = client.post("/briefs", data={"period": ""})
    assert empty.status_code == 422 and "请选择简报月份" in empty.get_data(as_text=True)
    client.post("/logout")
    for role in ("viewer", "member"):
        login(users[role])
        assert client.get("/briefs").status_code == 200
        assert "2026年3月简报草稿" not in client.get("/briefs").get_data(as_text=True)
        assert client.get("/briefs/2026-03").status_code == 404
        assert client.get("/briefs/2026-03.pdf").status_code == 404
        assert client.get("/briefs/2026-03.pdf?draft=1").status_code == 403
        assert client.post("/briefs", data={"period": "2026-03"}).status_code == 403
        assert client.post("/briefs/2026-03", data={"next_steps": "x"}).status_code == 403
        assert client.post("/briefs/2026-03/publish", data=TICK).status_code == 403
        assert client.post("/briefs/2026-03/unlock", data={"unlock_reason": "x"}).status_code == 403
        assert client.post("/briefs/2026-03/relock").status_code == 403
        client.post("/logout")
    assert db.session.scalar(select(func.count(Brief.id)).where(Brief.state == "已发布")) == 0
    login(users["admin"])
    assert client.post("/briefs/2026-03/publish", data=TICK).status_code == 302
    client.post("/logout")
    for role in ("viewer", "member", "supervisor"):
        login(users[role])
        page = client.get("/briefs").get_data(as_text=True)
        assert "〔2026〕第1期" in page and "/briefs/2026-03.pdf?revision=1" in page
        assert client.get("/briefs/2026-03").status_code == 200
        assert client.get("/briefs/2026-03.pdf").status_code == 200
        client.post("/logout")
    assert client.get("/briefs").status_code == 302  # signed out: to the sign-in page
    assert client.get("/briefs/2026-03.pdf").status_code == 302


def test_malformed_or_future_periods_answer_400(users, login, client):
    login(users["supervisor"])
    for url in ("/briefs/2026-13", "/briefs/abc", "/briefs/2099-01", "/briefs/2026-3.pdf",
                "/briefs/2099-01.pdf?draft=1"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "期间" in response.get_data(as_text=True)
    assert client.post("/briefs", data={"period": "2099-01"}).status_code == 400
    assert client.get("/briefs/2026-03.pdf?revision=x").status_code == 400


def test_publishing_locks_months_one_to_m_until_a_supervisor_unlocks(worked_park, users, login,
                                                                     client):
    a1 = worked_park["A1"]
    assert not locks.is_locked(2026, 3)
    login(users["supervisor"])
    client.post("/briefs/2026-03/publish", data=TICK)
    assert locks.is_locked(2026, 1) and locks.is_locked(2026, 3, a1.id)
    assert not locks.is_locked(2026, 4) and not locks.is_locked(2025, 12)

    refused = client.post("/briefs/2026-02/unlock", data={"unlock_reason": "  "})
    assert refused.status_code == 422 and "解锁须说明原因" in refused.get_data(as_text=True)
    assert locks.is_locked(2026, 2)
    ok = client.post("/briefs/2026-02/unlock", data={"unlock_reason": "A1二月数据录入有误",
                                                     "project_id": str(a1.id)})
    assert ok.status_code == 302
    assert not locks.is_locked(2026, 2, a1.id)
    assert locks.is_locked(2026, 2, worked_park["A2"].id) and locks.is_locked(2026, 2)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "unlock"))
    assert entry.user_id == users["supervisor"].id and "A1二月数据录入有误" in entry.note
    assert "A1二月数据录入有误" in client.get("/briefs/2026-02").get_data(as_text=True)

    client.post("/briefs/2026-02/relock")
    assert locks.is_locked(2026, 2, a1.id)
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "relock")) == 1

    with pytest.raises(PermissionError):
        locks.unlock(2026, 2, "理由", users["member"])
    locks.unlock(2026, 1, "全月更正", users["supervisor"])
    assert not locks.is_locked(2026, 1, a1.id)
    # A correction publishes the month again and ends open unlocks.
    client.post("/briefs/2026-03/publish", data={**TICK, "correction": "1", "reason": "更正一月数据"})
    assert locks.is_locked(2026, 1)
    assert db.session.scalar(
        select(func.count(PeriodUnlock.id)).where(PeriodUnlock.relocked_at.is_(None))
    ) == 0


def test_the_draft_page_runs_the_same_queries_with_few_and_many_projects(
    make_project, users, login, client, count_queries
):
    login(users["supervisor"])
    for i in range(2):
        project = make_project(f"P{i}", plan=1000, months={1: 100, 2: 100}, lead=users["member"])
        add_issue(f"I{i}", project, Category.FUNDING, date(2026, 2, 1), date(2026, 2, 10))
    client.get("/briefs/2026-02")
    db.session.expire_all()  # both requests start from the same (empty) identity map
    with count_queries() as few:
        assert client.get("/briefs/2026-02").status_code == 200
    for i in range(2, 30):
        project = make_project(f"P{i}", plan=1000, months={1: 100, 2: 10}, level="市重点",
                               lead=users["other_member"])
        add_issue(f"I{i}", project, Category.OTHER, date(2026, 2, 1), date(2026, 2, 10),
                  moves=[(date(2026, 2, 3), IssueState.IN_PROGRESS)])
    db.session.expire_all()
    with count_queries() as many:
        assert client.get("/briefs/2026-02").status_code == 200
    assert many.count == few.count


def test_the_second_edition_compares_with_february_and_ranks(worked_park, users, login, client):
    """DESIGN.md section 12 on the worked park: February's key-group rate was 5,900 / 38,000,
    March's 9,100 / 38,000; A2 and B1 were yellow in both months (the unit tests vary lights)."""
    login(users["supervisor"])
    text = "".join(client.get("/briefs/2026-03").get_data(as_text=True).split())
    assert ("园区5个重点项目中，绿灯项目2个，黄灯项目2个，红灯项目0个，另有1个项目未下达年度计划。"
            "与上月相比，省市重点项目完成率提高8.4个百分点，各项目预警等级无变化。") in text
    # Three key projects with a plan: one each way.
    top = text.split("进度靠前项目")[1].split("</table>")[0]
    bottom = text.split("进度靠后项目")[1].split("</table>")[0]
    assert "储能电站项目" in top and "新材料产业园项目" not in top
    assert "新材料产业园项目" in bottom and "储能电站项目" not in bottom
    units = text.split("责任单位推进情况")[1].split("</table>")[0]
    assert units.count("<tr>") == 1 + len(re.findall(r"<tr><td>[^<]+</td><tdclass=\"num\">\d+</td>", units))
    january = "".join(client.get("/briefs/2026-01").get_data(as_text=True).split())
    assert "园区5个重点项目中" in january and "与上月相比" not in january  # m = 1: no comparison


def test_brief_names_the_projects_whose_report_came_after_day_r(worked_park, users, login, client):
    """R is the 5th (section 13): A2's March report came on 8 April; B2's is still a draft (B2 was
    entered after March, but with a March row, so it was due); Q1's came in time."""
    from datetime import datetime

    row = db.session.scalar(select(MonthlyReport).where(
        MonthlyReport.project_id == worked_park["A2"].id, MonthlyReport.month == 3))
    row.submitted_at = datetime(2026, 4, 8, 2, 0)  # 10:00 in the park
    db.session.commit()
    login(users["supervisor"])
    text = "".join(client.get("/briefs/2026-03").get_data(as_text=True).split())
    assert "3月进展报送迟于4月5日的项目：新材料产业园项目、标准厂房项目。" in text


def test_the_new_draft_form_proposes_the_last_completed_month(users, login, client, today):
    """A supervisor starting a brief finds the month it is usually written for already chosen,
    and can still pick another (no later than this month)."""
    from tracker.periods import Period

    login(users["supervisor"])
    page = client.get("/briefs").get_data(as_text=True)
    month = Period.last_completed(today)
    assert f'max="{today:%Y-%m}" value="{month}"' in page
    empty = client.post("/briefs", data={"period": ""}).get_data(as_text=True)
    assert "请选择简报月份" in empty and f'value="{month}"' in empty
