"""The monthly cycle without friction (issue 13): what leads and the office ran into."""

from __future__ import annotations

import re

import pytest

from tracker.timeutil import utcnow

HX = {"HX-Request": "true"}


@pytest.fixture
def month(users, make_project):
    """Three projects led by the member, none reported for July; two more by the other lead."""
    for code in ("A1", "A2", "A3"):
        make_project(code, plan=1000, lead=users["member"], months={m: 50 for m in range(1, 7)})
    for code in ("B1", "B2"):
        make_project(code, plan=1000, lead=users["other_member"], created=utcnow())


def summary_of(html: str) -> str:
    match = re.search(r'id="report-summary"[^>]*>\s*<p>([^<]*)', html)
    assert match, "no summary"
    return match.group(1)


def test_every_row_action_sends_the_summary_again(client, users, login, month):
    login(users["member"])
    assert "未填报 3" in summary_of(client.get("/report/2026-07").get_data(as_text=True))
    saved = client.post("/report/2026-07/A1", data={"amount": "10", "version": "0"}, headers=HX)
    html = saved.get_data(as_text=True)
    assert 'hx-swap-oob="true"' in html
    assert "草稿 1" in summary_of(html) and "未填报 2" in summary_of(html)
    submitted = client.post("/report/2026-07/A1/submit", headers=HX).get_data(as_text=True)
    assert "已报送 1" in summary_of(submitted) and "草稿 0" in summary_of(submitted)


def test_approve_all_names_its_count_and_the_count_follows_returns(client, users, login, month):
    for lead, codes in ((users["member"], ("A1", "A2", "A3")), (users["other_member"], ("B1",))):
        login(lead)
        for code in codes:
            client.post(f"/report/2026-07/{code}", data={"amount": "10", "version": "0"})
            client.post(f"/report/2026-07/{code}/submit")
    login(users["supervisor"])
    page = client.get("/report/2026-07").get_data(as_text=True)
    assert "全部审核通过（4）" in page and 'data-confirm="将审核通过 4 个项目的报送' in page
    returned = client.post("/report/2026-07/A2/return", data={"comment": "请补充形象进度"},
                           headers=HX).get_data(as_text=True)
    assert "全部审核通过（3）" in returned and "退回 1" in summary_of(returned)


def test_a_lead_sees_returned_rows_and_what_is_due_on_their_home(client, users, login, month):
    login(users["member"])
    client.post("/report/2026-07/A1", data={"amount": "10", "progress_text": "x", "version": "0"})
    client.post("/report/2026-07/A1/submit")
    login(users["supervisor"])
    client.post("/report/2026-07/A1/return", data={"comment": "形象进度过于简略"})
    login(users["member"])
    home = client.get("/").get_data(as_text=True)
    card = home.split('id="my-reports"')[1].split("</section>")[0]
    assert "我的填报" in home and "退回意见：形象进度过于简略" in card
    assert card.index("A1项目") < card.index("A2项目")  # the returned row first in its month
    # July to the last completed month, for three projects, all still owed.
    owed = len(re.findall(r'class="my-item', card))
    assert owed == 12 or "另有" in card
    badge = re.search(r'月度填报 <span class="count-badge"[^>]*>(\d+)<', home)
    assert badge and int(badge.group(1)) >= 12
    # /report opens the earliest month with work pending, not the last completed month.
    assert client.get("/report").headers["Location"].endswith("/report/2026-07")


def test_a_project_created_after_a_month_is_not_due_for_it(client, users, login, month):
    login(users["other_member"])  # B1 and B2 were created today, with no figures before
    home = client.get("/").get_data(as_text=True)
    assert "没有待办" in home and "count-badge" not in home
    # Nor red on the office's dashboard for that month.
    login(users["supervisor"])
    dashboard = client.get("/?period=2026-07").get_data(as_text=True)
    card = dashboard.split('id="not-submitted"')[1].split("</section>")[0]
    assert "3 个项目" in card and "A1项目" in card and "B1项目" not in card


def test_publishing_shows_what_is_open_and_needs_a_tick_to_lock_it(client, users, login, month):
    from sqlalchemy import select

    from tracker.audit.models import AuditEntry
    from tracker.briefs.models import Brief
    from tracker.extensions import db

    login(users["member"])
    client.post("/report/2026-07/A1", data={"amount": "10", "version": "0"})
    client.post("/report/2026-07/A1/submit")
    client.post("/report/2026-07/A2", data={"amount": "10", "version": "0"})
    login(users["supervisor"])
    page = client.get("/briefs/2026-07").get_data(as_text=True)
    check = page.split('id="publish-check"')[1].split("</section>")[0]
    assert "未报送 2 个项目" in check and "待审核 1 个项目" in check  # A2 a draft, A3 nothing
    assert 'href="/report/2026-07"' in check and "2026年1-7月</strong>的月度数据" in page
    refused = client.post("/briefs/2026-07/publish")
    assert refused.status_code == 422 and "确需发布，请勾选确认" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Brief.state).where(Brief.month == 7)) != "已发布"
    assert client.post("/briefs/2026-07/publish", data={"accept_incomplete": "1"}).status_code == 302
    note = db.session.scalar(select(AuditEntry.note).where(AuditEntry.action == "publish"))
    assert "发布时仍有2个项目未报送、0个被退回、1个待审核，经勾选确认" in note


def test_absurd_figures_are_refused_and_unusual_ones_confirmed_and_flagged(client, users, login,
                                                                           make_project):
    make_project("C1", plan=1000, total=50000, lead=users["member"], months={1: 80, 2: 90})
    login(users["member"])
    absurd = client.post("/report/2026-07/C1", data={"amount": "99999999999", "version": "0"})
    assert absurd.status_code == 422 and "超过100亿元" in absurd.get_data(as_text=True)
    above_total = client.post("/report/2026-07/C1", data={"amount": "60000", "version": "0"})
    assert "不能超过项目总投资（50000.00 万元）" in above_total.get_data(as_text=True)
    # 1,100 is more than three times the largest month and takes the year past 120 % of plan.
    unusual = client.post("/report/2026-07/C1", data={"amount": "1100", "version": "0"})
    html = unusual.get_data(as_text=True)
    assert unusual.status_code == 422 and "以往最大月份（90.00 万元）的3倍" in html
    assert "年度计划的127.0%" in html and 'name="confirm_unusual"' in html
    confirmed = client.post("/report/2026-07/C1", data={"amount": "1100", "version": "0",
                                                        "confirm_unusual": "1"})
    assert confirmed.status_code == 302
    client.post("/report/2026-07/C1/submit")
    login(users["supervisor"])
    review = client.get("/report/2026-07").get_data(as_text=True)
    assert '<span class="badge badge-check"' in review and ">待核<" in review


def test_a_returned_row_goes_back_only_answered(client, users, login, month):
    from sqlalchemy import select

    from tracker.audit.models import AuditEntry
    from tracker.extensions import db

    login(users["member"])
    client.post("/report/2026-07/A1", data={"amount": "10", "progress_text": "x", "version": "0"})
    client.post("/report/2026-07/A1/submit")
    login(users["supervisor"])
    client.post("/report/2026-07/A1/return", data={"comment": "请说明本月为何仅完成10万元"})
    login(users["member"])
    unanswered = client.post("/report/2026-07/A1/submit", headers=HX)
    assert unanswered.status_code == 422
    assert "请按退回意见修改并保存，或填写对退回意见的答复" in unanswered.get_data(as_text=True)
    assert 'name="reply"' in unanswered.get_data(as_text=True)
    answered = client.post("/report/2026-07/A1/submit", data={"reply": "本月设备未到货，数据无误"},
                           headers=HX)
    assert answered.status_code == 200 and "已报送" in answered.get_data(as_text=True)
    note = db.session.scalar(select(AuditEntry.note).where(AuditEntry.field == "state")
                             .order_by(AuditEntry.id.desc()).limit(1))
    assert note == "答复退回意见：本月设备未到货，数据无误"


def test_no_english_or_internals_leak_to_people(client, users, login, runner):
    import re as _re

    assert runner.invoke(args=["brief", "publish", "--period", "2026-06"]).exit_code == 0
    login(users["viewer"])
    archive = client.get("/briefs").get_data(as_text=True)
    assert "SHA-256" not in archive and "〔2026〕" in archive
    login(users["admin"])
    assert "SHA-256" in client.get("/briefs").get_data(as_text=True)  # the admin's detail
    form = client.get("/admin/users/new").get_data(as_text=True)
    options = _re.findall(r"<option value=\"(?:admin|supervisor|member|viewer)\"[^>]*>([^<]*)<", form)
    assert options and not any(_re.search(r"[a-z]", o) for o in options)
    from tracker.audit.labels import field_label

    assert [field_label(f) for f in ("log", "comment", "closed_on")] == ["办理记录", "说明", "办结日期"]


def test_last_month_is_shown_beside_the_row_and_can_be_carried_over(client, users, login,
                                                                   make_project):
    from decimal import Decimal

    from tracker.extensions import db
    from tracker.projects.models import MonthlyReport, ReportState

    project = make_project("D1", plan=1000, lead=users["member"])
    db.session.add(MonthlyReport(project_id=project.id, year=2026, month=6, amount=Decimal("120"),
                                 progress_text="主体结构施工至三层", next_steps="继续主体施工",
                                 state=ReportState.APPROVED))
    db.session.commit()
    login(users["member"])
    page = client.get("/report/2026-07").get_data(as_text=True)
    row = page.split('id="row-D1"')[1].split("</article>")[0]
    assert "上月：120.00 万元 · 主体结构施工至三层" in row and "沿用上月" in row
    assert "<textarea" in row and "主体结构施工至三层</textarea>" not in row  # nothing silent
    carried = client.get("/report/2026-07/D1?prefill=last", headers=HX).get_data(as_text=True)
    assert "主体结构施工至三层</textarea>" in carried and "继续主体施工</textarea>" in carried
    assert db.session.query(MonthlyReport).filter_by(month=7).count() == 0  # not saved
    plain = client.get("/report/2026-07/D1?prefill=last")  # without JavaScript: the whole grid
    assert plain.status_code == 200 and "主体结构施工至三层</textarea>" in plain.get_data(as_text=True)


def test_the_office_reviews_a_month_in_one_compact_table(client, users, login, month):
    login(users["member"])
    for code in ("A1", "A2"):
        client.post(f"/report/2026-07/{code}", data={"amount": "10", "version": "0"})
        client.post(f"/report/2026-07/{code}/submit")
    login(users["supervisor"])
    table = client.get("/report/2026-07").get_data(as_text=True)
    assert 'review-table' in table and table.count('<tr id="review-') == 3
    waiting = client.get("/report/2026-07?state=submitted").get_data(as_text=True)
    assert waiting.count('<tr id="review-') == 2 and "只看待审核" in waiting
    missing = client.get("/report/2026-07?state=missing").get_data(as_text=True)
    assert missing.count('<tr id="review-') == 1 and 'id="review-A3"' in missing
    # A decision in the row answers with the row (htmx) and the summary, out of band.
    approved = client.post("/report/2026-07/A1/approve", data={"view": "review"}, headers=HX)
    html = approved.get_data(as_text=True)
    assert html.lstrip().startswith('<tr id="review-A1"') and "已审核" in html
    assert "已审核 1" in summary_of(html)
    # Without JavaScript: back to the same filtered table.
    returned = client.post("/report/2026-07/A2/return",
                           data={"view": "review", "state": "submitted", "comment": "请补充"})
    assert returned.status_code == 302 and returned.headers["Location"].endswith(
        "/report/2026-07?view=review&state=submitted")
    cards = client.get("/report/2026-07?view=cards").get_data(as_text=True)
    assert 'class="report-row card"' in cards


def test_a_row_is_saved_and_reported_in_one_action_without_javascript(client, users, login, month):
    login(users["member"])
    done = client.post("/report/2026-07/A1", data={"amount": "10", "version": "0", "then": "submit"})
    assert done.status_code == 302
    page = client.get("/report/2026-07").get_data(as_text=True)
    assert "已报送 1" in summary_of(page) and "已保存并报送" in page


def test_a_project_is_due_from_the_month_of_its_creation_on_the_park_calendar(
        client, users, login, make_project):
    """Stored times are UTC; 1 August 01:00 in Shanghai is still 31 July in UTC. A project
    created then was not due for July, one created at 23:00 on 31 July was."""
    from datetime import datetime

    for code, created in (("C1", datetime(2026, 7, 31, 15, 0)), ("C2", datetime(2026, 7, 31, 17, 0))):
        make_project(code, plan=1000, lead=users["member"], created=created)
    login(users["supervisor"])
    dashboard = client.get("/?period=2026-07").get_data(as_text=True)
    card = dashboard.split('id="not-submitted"')[1].split("</section>")[0]
    assert "C1项目" in card and "C2项目" not in card
    grid = client.get("/report/2026-07?state=missing").get_data(as_text=True)
    assert "C1项目" in grid and "C2项目" not in grid
    login(users["member"])
    home = client.get("/").get_data(as_text=True)
    assert "2026年7月 · C1项目" in home and "2026年7月 · C2项目" not in home
