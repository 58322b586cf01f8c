"""Monthly reporting: who may write, validation, the review flow, conflicts, the audit trail."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from tracker.audit.models import AuditEntry
from tracker.extensions import db
from tracker.projects.models import MonthlyReport, ReportState

HX = {"HX-Request": "true"}


@pytest.fixture
def park(users, make_project):
    """A1 led by the member (plan 10000, Jan–Jun approved 500 each); B1 led by the other member."""
    a1 = make_project("A1", name="储能电站项目", plan=10000, lead=users["member"],
                      months={m: 500 for m in range(1, 7)}, total=50000)
    b1 = make_project("B1", name="装备制造基地项目", level="市重点", plan=20000,
                      lead=users["other_member"], months={1: 1000})
    return {"A1": a1, "B1": b1}


def report(code_id, month=7):
    return db.session.scalar(select(MonthlyReport).where(
        MonthlyReport.project_id == code_id, MonthlyReport.year == 2026, MonthlyReport.month == month))


def save(client, code="A1", version=0, **fields):
    data = {"amount": "", "progress_text": "", "next_steps": "", "version": str(version)}
    data.update(fields)
    return client.post(f"/report/2026-07/{code}", data=data, headers=HX)


def test_lead_sees_only_the_projects_they_lead(client, park, users, login):
    login(users["member"])
    page = client.get("/report/2026-07").get_data(as_text=True)
    assert "储能电站项目" in page and "装备制造基地项目" not in page


def test_lead_saves_a_draft_and_sees_cumulative_including_this_row(client, park, users, login):
    login(users["member"])
    response = save(client, amount="1000.5", progress_text="主体封顶")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # 6 × 500 + 1000.5 = 4000.50; 40.0 % of 10000; labelled 含本次填报
    assert "含本次填报" in html and "4,000.50" in html and "40.0%" in html
    row = report(park["A1"].id)
    assert row.amount == Decimal("1000.50") and row.state is ReportState.DRAFT


def test_a_draft_does_not_count_on_the_dashboard_until_submitted(client, park, users, login):
    login(users["member"])
    save(client, amount="1000")
    login(users["supervisor"])
    before = client.get("/?period=2026-07").get_data(as_text=True)
    assert "储能电站项目" in before.split('id="not-submitted"')[1].split("</section>")[0]
    login(users["member"])
    assert client.post("/report/2026-07/A1/submit", headers=HX).status_code == 200
    assert report(park["A1"].id).state is ReportState.SUBMITTED
    login(users["supervisor"])
    after = client.get("/?period=2026-07").get_data(as_text=True)
    assert "储能电站项目" not in after.split('id="not-submitted"')[1].split("</section>")[0]


@pytest.mark.parametrize(
    ("amount", "message"),
    [("-1", "不能为负数"), ("abc", "须为数字"), ("1.234", "最多两位小数"), ("1e30", "过大"), ("NaN", "须为数字")],
)
def test_bad_amounts_get_a_message_next_to_the_field_and_change_nothing(client, park, users, login, amount, message):
    login(users["member"])
    response = save(client, amount=amount)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert report(park["A1"].id) is None


def test_validation_while_typing_warns_when_the_plan_would_be_passed(client, park, users, login):
    login(users["member"])
    response = client.post("/report/2026-07/A1/validate", data={"amount": "8000"}, headers=HX)
    html = response.get_data(as_text=True)
    assert "将超过年度计划" in html and "11,000.00" in html  # a warning, not a refusal
    assert report(park["A1"].id) is None
    bad = client.post("/report/2026-07/A1/validate", data={"amount": "-5"}, headers=HX)
    assert "不能为负数" in bad.get_data(as_text=True)


def test_stale_save_is_a_conflict_that_shows_the_current_value_and_who_saved_it(client, park, users, login):
    login(users["member"])
    save(client, amount="100")
    seen = report(park["A1"].id).version  # what the lead's browser holds
    login(users["supervisor"])
    save(client, version=seen, amount="200")  # the supervisor saves on the lead's behalf
    login(users["member"])
    stale = save(client, version=seen, amount="300")
    assert stale.status_code == 409
    html = stale.get_data(as_text=True)
    assert "保存冲突" in html and "陈督查" in html and "200.00" in html
    db.session.expire_all()
    assert report(park["A1"].id).amount == Decimal("200.00")
    # The lead keeps theirs explicitly: the conflict form carries the current version.
    current = report(park["A1"].id).version
    assert f'name="version" value="{current}"' in html
    assert save(client, version=current, amount="300").status_code == 200
    db.session.expire_all()
    assert report(park["A1"].id).amount == Decimal("300.00")


def test_every_change_is_in_the_audit_trail_and_on_the_project_page(client, park, users, login):
    login(users["member"])
    save(client, amount="100", progress_text="开工")
    save(client, version=report(park["A1"].id).version, amount="150", progress_text="开工")
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.field == "amount").order_by(AuditEntry.id)).all()
    assert [(e.old, e.new) for e in entries] == [(None, "100.00"), ("100.00", "150.00")]
    assert all(e.user_id == users["member"].id for e in entries)
    page = client.get("/projects/A1").get_data(as_text=True)
    assert "变更记录" in page and "150.00" in page and "张伟" in page


def test_submitted_row_is_locked_for_the_lead_until_withdrawn(client, park, users, login):
    login(users["member"])
    save(client, amount="100")
    client.post("/report/2026-07/A1/submit", headers=HX)
    refused = save(client, version=report(park["A1"].id).version, amount="999")
    assert refused.status_code == 422 and "先撤回" in refused.get_data(as_text=True)
    client.post("/report/2026-07/A1/withdraw", headers=HX)
    assert report(park["A1"].id).state is ReportState.DRAFT
    assert save(client, version=report(park["A1"].id).version, amount="999").status_code == 200


def test_supervisor_returns_with_a_comment_and_the_lead_sees_it(client, park, users, login):
    login(users["member"])
    save(client, amount="100")
    client.post("/report/2026-07/A1/submit", headers=HX)
    login(users["supervisor"])
    no_comment = client.post("/report/2026-07/A1/return", data={"comment": ""}, headers=HX)
    assert no_comment.status_code == 422 and "退回意见" in no_comment.get_data(as_text=True)
    client.post("/report/2026-07/A1/return", data={"comment": "请补充形象进度"}, headers=HX)
    assert report(park["A1"].id).state is ReportState.RETURNED
    login(users["member"])
    assert "退回意见：请补充形象进度" in client.get("/report/2026-07").get_data(as_text=True)
    save(client, version=report(park["A1"].id).version, amount="100", progress_text="已补充")
    assert report(park["A1"].id).state is ReportState.DRAFT
    client.post("/report/2026-07/A1/submit", headers=HX)
    login(users["supervisor"])
    client.post("/report/2026-07/all/approve")
    assert report(park["A1"].id).state is ReportState.APPROVED


def test_approved_row_changes_only_by_a_supervisor(client, park, users, login):
    login(users["member"])
    refused = client.post("/report/2026-06/A1", headers=HX, data={
        "amount": "1", "version": str(report(park["A1"].id, 6).version)})
    assert refused.status_code == 422 and "已审核" in refused.get_data(as_text=True)
    login(users["supervisor"])
    ok = client.post("/report/2026-06/A1", headers=HX, data={
        "amount": "1", "version": str(report(park["A1"].id, 6).version)})
    assert ok.status_code == 200
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.field == "amount").order_by(AuditEntry.id)).all()[-1]
    assert entry.note == "督查室代为填报"


WRITES = [
    ("post", "/report/2026-07/{code}", {"amount": "1", "version": "0"}),
    ("post", "/report/2026-07/{code}/validate", {"amount": "1"}),
    ("post", "/report/2026-07/{code}/submit", {}),
    ("post", "/report/2026-07/{code}/withdraw", {}),
    ("post", "/report/2026-07/{code}/approve", {}),
    ("post", "/report/2026-07/{code}/return", {"comment": "x"}),
]


@pytest.mark.parametrize(("method", "url", "data"), WRITES)
def test_write_routes_refuse_other_leads_and_viewers(client, park, users, login, method, url, data):
    for who in ("other_member", "viewer"):
        login(users[who])
        response = client.post(url.format(code="A1"), data=data, headers=HX)
        assert response.status_code == 403, (who, url)
        client.post("/logout")
    assert report(park["A1"].id) is None


def test_only_supervisors_approve(client, park, users, login):
    login(users["member"])
    save(client, amount="100")
    client.post("/report/2026-07/A1/submit", headers=HX)
    assert client.post("/report/2026-07/A1/approve", headers=HX).status_code == 403
    assert client.post("/report/2026-07/all/approve").status_code == 403
    assert report(park["A1"].id).state is ReportState.SUBMITTED


def test_viewer_cannot_open_the_grid_and_post_without_csrf_is_refused(client, park, users, login):
    login(users["viewer"])
    assert client.get("/report/2026-07").status_code == 403
    client.post("/logout")
    login(users["member"])
    response = client.post("/report/2026-07/A1", data={"amount": "5", "version": "0"}, csrf=False)
    assert response.status_code == 400
    assert report(park["A1"].id) is None


def test_future_period_is_refused(client, park, users, login):
    login(users["member"])
    assert client.get("/report/2099-01").status_code == 400
    assert client.post("/report/2099-01/A1", data={"amount": "1", "version": "0"}).status_code == 400


def test_grid_downloads_as_excel(client, park, users, login):
    login(users["member"])
    response = client.get("/report/2026-07?format=xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    from io import BytesIO

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(response.data)).active
    assert ws["A2"].value == "A1" and ws["B2"].value == "储能电站项目"


def test_bond_spending_is_entered_with_the_row(client, park, users, login):
    from tracker.projects.models import Bond, BondSpending

    db.session.add(Bond(project_id=park["A1"].id, year=2026, amount=Decimal(5000)))
    db.session.commit()
    login(users["member"])
    assert "专项债当月支出" in client.get("/report/2026-07").get_data(as_text=True)
    assert save(client, amount="10", bond_spent="400").status_code == 200
    assert db.session.scalar(select(BondSpending.amount)) == Decimal("400.00")
    assert save(client, version=report(park["A1"].id).version, bond_version="1", amount="10",
                bond_spent="-3").status_code == 422


def test_grid_runs_a_fixed_number_of_queries(client, users, login, make_project, count_queries):
    def grid_queries(n):
        for i in range(n):
            make_project(f"Q{n}-{i}", plan=1000, lead=users["member"], months={1: 10, 2: 20})
        login(users["member"])
        with count_queries() as q:
            assert client.get("/report/2026-07").status_code == 200
        return q.count

    assert grid_queries(10) == grid_queries(300)


def test_a_published_month_is_locked_until_a_supervisor_unlocks_it(client, park, users, login, runner):
    from tracker.reports.locks import unlock

    assert runner.invoke(args=["brief", "publish", "--period", "2026-06"]).exit_code == 0
    login(users["supervisor"])
    june = report(park["A1"].id, 6)
    page = client.get("/report/2026-06").get_data(as_text=True)
    assert "数据已锁定" in page
    refused = client.post("/report/2026-06/A1", headers=HX, data={"amount": "1", "version": str(june.version)})
    assert refused.status_code == 422 and "已锁定" in refused.get_data(as_text=True)
    assert report(park["A1"].id, 6).amount == 500
    unlock(2026, 6, "更正录入错误", users["supervisor"], project_id=park["A1"].id)
    ok = client.post("/report/2026-06/A1", headers=HX, data={"amount": "1", "version": str(june.version)})
    assert ok.status_code == 200
    assert report(park["A1"].id, 6).amount == 1


def test_grid_download_rounds_rates_half_up(client, users, login, make_project):
    from io import BytesIO

    from openpyxl import load_workbook

    make_project("R1", plan=10000, lead=users["member"], months={1: 1865})  # 18.65 %
    login(users["member"])
    ws = load_workbook(BytesIO(client.get("/report/2026-07?format=xlsx").data)).active
    assert ws["H2"].value == pytest.approx(18.7)  # banker's rounding would give 18.6
