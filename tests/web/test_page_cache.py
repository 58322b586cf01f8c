"""Cached pages (issue 18): the dashboard, the register, the issue list and the wall chart are
served from the cache while nothing changes, and every way of changing data shows on the very
next page, because each write transaction bumps the data version it is cached under."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from tests.web import test_attachments, test_issues, test_workbook_import
from tracker.extensions import db
from tracker.issues.models import Issue
from tracker.projects.models import MonthlyReport

HX = {"HX-Request": "true"}
make_issue = test_issues.make_issue  # fixtures shared with the issue tests


@pytest.fixture
def park(users, make_project):
    """A1 led by the member: plan 10000, January to June approved at 500 each (3,000 by June)."""
    return make_project("A1", name="储能电站项目", plan=10000, lead=users["member"],
                        months={m: 500 for m in range(1, 7)}, total=50000)


def text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def version() -> int:
    from tracker.cache.version import DataVersion

    db.session.expire_all()
    return db.session.scalar(select(DataVersion.version))


def row(month: int) -> MonthlyReport:
    db.session.expire_all()
    return db.session.scalar(select(MonthlyReport).where(MonthlyReport.month == month))


def register_row(client, period: str = "2026-06") -> str:
    """A1's row of the register: its figures as the page shows them."""
    page = text(client, f"/projects?period={period}")
    match = re.search(r"<tr[^>]*>(?:(?!</tr>).)*储能电站项目.*?</tr>", page, re.S)
    assert match, "A1 is not in the register"
    return match.group(0)


def test_a_page_read_twice_is_served_from_the_cache_with_no_figure_recomputed(
        client, park, users, login, count_queries):
    login(users["supervisor"])
    with count_queries() as computed:  # counts the page as computed (the cache starts empty)
        one = text(client, "/projects?period=2026-06")
    two, statements = served(client, "/projects?period=2026-06")
    assert one.replace(_token(one), "") == two.replace(_token(two), "")
    # Served from the cache: one statement reads the user, the data version and the bell.
    assert len(statements) == 1 < computed.count
    assert "data_version" in statements[0] and "notifications" in statements[0]


def served(client, url: str) -> tuple[str, list[str]]:
    """The page at ``url`` and the SQL statements it ran (the cache left as it is)."""
    statements = []

    def seen(conn, cursor, statement, *args) -> None:  # noqa: ANN001, ANN002
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        return text(client, url), statements
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)


def _token(html: str) -> str:
    return re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)


def test_a_cached_page_carries_this_sessions_csrf_token(client, park, users, login, make_user):
    """The dashboard's 催报 form is cached with a placeholder; each session posts its own token."""
    login(users["supervisor"])
    first = text(client, "/?period=2026-07")
    client.post("/logout")
    make_user("super2", "supervisor", "园区管委会督查室", name="刘督查")
    login("super2")
    second = text(client, "/?period=2026-07")
    tokens = [re.findall(r'name="csrf_token" value="([^"]+)"', page) for page in (first, second)]
    assert tokens[0] and tokens[1] and set(tokens[0]).isdisjoint(tokens[1])
    assert "\x00" not in second


def test_the_role_decides_what_a_cached_page_offers(client, park, users, login):
    login(users["supervisor"])
    assert "新建项目" in text(client, "/projects")
    client.post("/logout")
    login(users["viewer"])
    assert "新建项目" not in text(client, "/projects")


def test_a_write_that_is_refused_bumps_nothing_and_the_page_stays(client, park, users, login):
    login(users["member"])
    before, page = version(), register_row(client, "2026-07")
    refused = client.post("/report/2026-07/A1", headers=HX, data={
        "amount": "-5", "progress_text": "", "next_steps": "", "version": "0"})
    assert "不能为负" in refused.get_data(as_text=True) or refused.status_code == 422
    assert version() == before and register_row(client, "2026-07") == page


# --- every write path: the next page shows the change -----------------------------------------


def grid_save(client, users, login, make_issue) -> tuple[str, str, str]:
    """A supervisor corrects June's approved 500 to 900 in the reporting grid."""
    login(users["supervisor"])
    june = row(6)
    response = client.post("/report/2026-06/A1", headers=HX, data={
        "amount": "900", "progress_text": "更正", "next_steps": "", "version": str(june.version)})
    assert response.status_code == 200
    return "/projects?period=2026-06", "3,000.00", "3,400.00"


def grid_submit(client, users, login, make_issue) -> tuple[str, str, str]:
    """The lead's July draft counts once submitted."""
    login(users["member"])
    client.post("/report/2026-07/A1", headers=HX, data={
        "amount": "800", "progress_text": "设备安装", "next_steps": "", "version": "0"})
    assert "3,000.00" in register_row(client, "2026-07")  # a draft does not count
    assert client.post("/report/2026-07/A1/submit", headers=HX).status_code == 200
    return "/projects?period=2026-07", "3,000.00", "3,800.00"


def grid_approve(client, users, login, make_issue) -> tuple[str, str, str]:
    """Approving the submitted July row: the state the register's row shows is 已审核."""
    july = MonthlyReport(project_id=row(6).project_id, year=2026, month=7, amount=800,
                         state="已报送")
    db.session.add(july)
    db.session.commit()
    login(users["supervisor"])
    text(client, "/report/2026-07?state=submitted")
    assert client.post("/report/2026-07/A1/approve", headers=HX).status_code == 200
    return "__version__", "", ""


def workbook_import(client, users, login, make_issue) -> tuple[str, str, str]:
    """The park's workbook raises A1's 2026 plan from 10,000 to 12,000."""
    login(users["supervisor"])
    data = test_workbook_import.xlsx({"年度计划": [["A1", 2026, 12000]]})
    preview = test_workbook_import.upload(client, data)
    token = test_workbook_import.token_of(preview.get_data(as_text=True))
    assert client.post("/import/confirm", data={"token": token}).status_code in (200, 302, 303)
    return "/projects?period=2026-06", "10,000.00", "12,000.00"


def admin_project_edit(client, users, login, make_issue) -> tuple[str, str, str]:
    login(users["supervisor"])
    project = db.session.scalar(select(MonthlyReport)).project
    response = client.post("/admin/projects/A1/edit", data={
        "code": "A1", "name": "储能电站项目（一期）", "level": project.level.value,
        "industry": project.industry, "stage": project.stage.value,
        "responsible_unit_id": str(project.responsible_unit_id), "lead_id": str(project.lead_id),
        "total_investment": "50000", "version": str(project.version)})
    assert response.status_code == 302
    return "/projects?period=2026-06", "储能电站项目</a>", "储能电站项目（一期）</a>"


def admin_plan_edit(client, users, login, make_issue) -> tuple[str, str, str]:
    login(users["supervisor"])
    response = client.post("/admin/projects/A1/plans", data={
        "year": "2026", "amount": "20000", "seen": "10000.00", "seen_year": "2026"})
    assert response.status_code == 302
    return "/projects?period=2026-06", "10,000.00", "20,000.00"


def issue_move(client, users, login, make_issue) -> tuple[str, str, str]:
    """The responsible unit starts work on an issue: the list shows 办理中."""
    issue = make_issue("储能电站接入系统批复慢", project=db.session.scalar(select(MonthlyReport)).project)
    login(users["member"])
    text(client, "/issues")
    response = client.post(f"/issues/{issue.number}/act", data={
        "action": "start", "comment": "已对接供电公司", "version": issue.version})
    assert response.status_code in (200, 302)
    db.session.expire_all()
    assert db.session.get(Issue, issue.id).state.value == "办理中"
    return "/issues?state=办理中", "没有符合条件的督办事项", issue.number


def period_unlock(client, users, login, make_issue) -> tuple[str, str, str]:
    """Publishing locks the months; an unlock is a write like any other."""
    login(users["supervisor"])
    assert client.post("/briefs/2026-03/publish", data={"accept_incomplete": "1"}).status_code == 302
    text(client, "/?period=2026-03")
    assert client.post("/briefs/2026-02/unlock", data={"unlock_reason": "二月数据有误"}).status_code == 302
    return "__version__", "", ""


def milestone_date(client, users, login, make_issue, today=None) -> tuple[str, str, str]:
    """A planned 开工建设 date gone by: the wall chart shows the milestone overdue."""
    from tests.web.test_milestones import milestone

    login(users["supervisor"])
    text(client, "/projects/A1/milestones")
    m = milestone("A1", "开工建设")
    text(client, "/milestones")
    from tracker.http import park_today

    response = client.post(f"/projects/A1/milestones/{m.id}", headers=HX, data={
        "version": str(m.version), "planned_on": (park_today() - timedelta(days=20)).isoformat(),
        "actual_on": "", "note": "", "reason": ""})
    assert response.status_code == 200, response.get_data(as_text=True)
    return "/milestones?status=逾期", "没有符合条件的项目", "储能电站项目"


def photo_upload(client, users, login, make_issue) -> tuple[str, str, str]:
    """The office adds a site photo to June's approved row: the register marks 有照片."""
    june = row(6)
    june.state = "已报送"
    db.session.commit()
    login(users["supervisor"])
    text(client, "/projects?period=2026-06")
    response = test_attachments.upload(client, period="2026-06", pictures=[
        ("工地.jpg", test_attachments.photo(1, taken=None))])
    assert response.status_code == 302
    return "/projects?period=2026-06", "储能电站项目</a> </td>", "有照片"


def settings_change(client, users, login, make_issue) -> tuple[str, str, str]:
    login(users["admin"])
    response = client.post("/admin/settings", data={
        "park_name": "湾区产业园", "issuing_body": "湾区产业园管委会督查室",
        "yellow_threshold": "0", "red_threshold": "10"})
    assert response.status_code == 302
    return "/projects", "示范产业园区 · 重点项目督办", "湾区产业园 · 重点项目督办"


WRITES = [grid_save, grid_submit, grid_approve, workbook_import, admin_project_edit,
          admin_plan_edit, issue_move, period_unlock, milestone_date, photo_upload,
          settings_change]


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__ for w in WRITES])
def test_every_write_path_shows_on_the_next_page(client, park, users, login, make_issue, write):
    # Every cached page is read (and cached) first, as the supervisor would have it open.
    login(users["supervisor"])
    for url in ("/?period=2026-06", "/projects?period=2026-06", "/projects?period=2026-07",
                "/issues", "/issues?state=办理中", "/milestones", "/milestones?status=逾期",
                "/projects", "/report/2026-06", "/report/2026-07", "/projects/A1"):
        text(client, url)
    client.post("/logout")
    before = version()
    url, old, new = write(client, users, login, make_issue)
    assert version() > before
    if url == "__version__":  # no cached page shows this state; the version alone keys them
        return
    client.post("/logout")
    login(users["supervisor"])
    page = text(client, url)
    assert new in page and old not in page


def test_a_statement_run_on_the_sessions_connection_bumps_the_version_too(client, park, users,
                                                                          login):
    from sqlalchemy import update

    from tracker.projects.models import Project

    login(users["supervisor"])
    assert "储能电站项目" in register_row(client)
    before = version()
    db.session.connection().execute(
        update(Project.__table__).values(name="储能电站项目（改名）"))
    db.session.commit()
    assert version() == before + 1
    assert "储能电站项目（改名）" in register_row(client)


# --- whole pages (tracker.cache.page) ------------------------------------------------------------


def test_each_viewer_gets_their_own_cached_grid_with_nothing_recomputed(
        client, park, users, login, make_project):
    """The reporting grid is kept whole per viewer: a lead's second visit runs the one statement
    of every signed-in request, and another lead never gets the first one's rows."""
    make_project("B1", name="污水处理厂改造项目", plan=8000, lead=users["other_member"])
    pages = {}
    for who, mine, theirs in ((users["member"], "储能电站项目", "污水处理厂改造项目"),
                              ("lead2", "污水处理厂改造项目", "储能电站项目")):
        login(who)
        text(client, "/report/2026-07")
        second, statements = served(client, "/report/2026-07")
        assert mine in second and theirs not in second
        assert len(statements) == 1
        pages[mine] = second
        client.post("/logout")
    assert pages["储能电站项目"] != pages["污水处理厂改造项目"]


def test_a_flashed_message_shows_once_on_a_cached_page(client, park, users, login):
    login(users["supervisor"])
    text(client, "/projects")  # cached
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "项目已保存。")]
    assert "项目已保存。" in text(client, "/projects")
    assert "项目已保存。" not in text(client, "/projects")


def test_the_htmx_table_and_the_whole_page_are_kept_apart(client, park, users, login):
    login(users["supervisor"])
    partial = client.get("/projects?period=2026-06", headers=HX).get_data(as_text=True)
    whole = text(client, "/projects?period=2026-06")
    assert "储能电站项目" in partial and "<html" not in partial
    assert "<html" in whole and "储能电站项目" in whole
    assert "<html" not in client.get("/projects?period=2026-06", headers=HX).get_data(as_text=True)


def test_a_download_of_a_cached_page_is_the_workbook_not_the_page(client, park, users, login):
    login(users["supervisor"])
    text(client, "/projects?period=2026-06")
    response = client.get("/projects?period=2026-06&format=xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    assert "attachment" in response.headers["Content-Disposition"]
