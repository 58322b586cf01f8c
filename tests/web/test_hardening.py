"""What an attacker, a proxy, a bad workbook and a crash found (issue 12): each case as it
arrived from outside, and the answer now."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD


@pytest.mark.parametrize("target", [
    "/\t/evil.example", "//evil.example", "/\\evil.example", "https://evil.example/",
    "/\r\n//evil.example", "/\n/evil.example", " //evil.example", "javascript:alert(1)", "\\\\evil.example",
])
def test_sign_in_never_redirects_off_the_site(client, users, target):
    response = client.post("/login", query_string={"next": target},
                           data={"login": users["viewer"].login, "password": PASSWORD})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/" or (location.startswith("/") and not location.startswith(("//", "/\\")))
    assert "evil" not in location and "javascript" not in location


def test_sign_in_still_returns_to_the_page_asked_for(client, users):
    response = client.post("/login", query_string={"next": "/issues?state=open"},
                           data={"login": users["viewer"].login, "password": PASSWORD})
    assert response.headers["Location"] == "/issues?state=open"


@pytest.mark.parametrize("url", [
    "/issues?page=²", "/issues?unit=99999999999999999999", "/issues?unit=²",
    "/projects/A1?year=²", "/projects/A1?year=99999999999999999999",
    "/briefs/2026-03.pdf?revision=²", "/admin/audit?user=²", "/admin/audit?page=99999999999999999999",
])
def test_bad_numbers_in_addresses_answer_400_not_500(client, users, login, make_project, url):
    make_project("A1", plan=1000)
    login(users["supervisor"])
    response = client.get(url)
    assert response.status_code == 400, (url, response.status_code)


def test_filters_with_bad_numbers_are_ignored_in_the_register(client, users, login, make_project):
    make_project("A1", plan=1000)
    login(users["supervisor"])
    for url in ("/projects?unit=²", "/projects?lead=99999999999999999999", "/projects?page=²"):
        response = client.get(url)
        assert response.status_code == 200 and "A1" in response.get_data(as_text=True), url


def test_a_superscript_version_in_a_grid_save_is_refused_with_a_message(client, users, login,
                                                                        make_project):
    make_project("A1", plan=1000, lead=users["member"])
    login(users["member"])
    response = client.post("/report/2026-01/A1", data={"amount": "10", "version": "²"})
    assert response.status_code == 422
    assert "页面数据已失效" in response.get_data(as_text=True)


# --- versioned rows under racing saves; absent fields --------------------------------


def _grid_park(users, make_project):
    from decimal import Decimal

    from tracker.extensions import db
    from tracker.projects.models import Bond

    project = make_project("A1", plan=10000, lead=users["member"], months={m: 500 for m in range(1, 7)})
    db.session.add(Bond(project_id=project.id, year=2026, amount=Decimal(5000)))
    db.session.commit()
    return project


def _race(app, users, count: int, data: dict) -> list[int]:
    """``count`` signed-in clients post the same row at the same instant; their statuses."""
    import threading

    clients = []
    for _ in range(count):
        c = app.test_client()
        c.post("/login", data={"login": users["member"].login, "password": PASSWORD,
                               "csrf_token": c.csrf_token()})
        clients.append((c, c.csrf_token()))
    barrier, statuses = threading.Barrier(count), []

    def post(c, token):  # noqa: ANN001
        barrier.wait()
        try:
            r = c.post("/report/2026-07/A1", data=data, headers={"X-CSRFToken": token}, csrf=False)
        except Exception:  # noqa: BLE001  (TESTING propagates what would be a 500)
            statuses.append(500)
        else:
            statuses.append(r.status_code)

    threads = [threading.Thread(target=post, args=pair) for pair in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


@pytest.mark.parametrize("existing", [False, True])
def test_racing_saves_of_one_row_give_one_winner_and_conflict_screens(app, users, make_project,
                                                                       existing):
    from tracker.extensions import db
    from tracker.projects.models import MonthlyReport

    project = _grid_park(users, make_project)
    version = "0"
    if existing:
        db.session.add(MonthlyReport(project_id=project.id, year=2026, month=7, version=1))
        db.session.commit()
        version = "1"
    statuses = _race(app, users, 12, {"amount": "100", "progress_text": "x", "next_steps": "y",
                                      "bond_spent": "10", "version": version, "bond_version": "0"})
    assert len(statuses) == 12 and sorted(set(statuses)) == [302, 409], statuses
    assert statuses.count(302) == 1


def test_a_save_without_a_field_keeps_what_is_stored(client, users, login, make_project):
    from decimal import Decimal

    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.projects.models import BondSpending, MonthlyReport

    project = _grid_park(users, make_project)
    login(users["member"])
    full = {"amount": "100", "progress_text": "主体封顶", "next_steps": "设备安装",
            "bond_spent": "400", "version": "0", "bond_version": "0"}
    assert client.post("/report/2026-07/A1", data=full).status_code == 302
    row = db.session.scalar(select(MonthlyReport).where(MonthlyReport.project_id == project.id,
                                                        MonthlyReport.month == 7))
    bond_version = str(db.session.scalar(select(BondSpending.version)))
    # A script (or an old page) that sends the amount only changes the amount only.
    partial = {"amount": "120", "version": str(row.version), "bond_version": bond_version}
    assert client.post("/report/2026-07/A1", data=partial).status_code == 302
    db.session.expire_all()
    row = db.session.get(MonthlyReport, row.id)
    assert row.amount == Decimal("120.00")
    assert (row.progress_text, row.next_steps) == ("主体封顶", "设备安装")
    assert db.session.scalar(select(BondSpending.amount)) == Decimal("400.00")
    # An empty field is a deliberate clearing.
    cleared = {"next_steps": "", "version": str(row.version), "bond_version": bond_version}
    assert client.post("/report/2026-07/A1", data=cleared).status_code == 302
    db.session.expire_all()
    assert db.session.get(MonthlyReport, row.id).next_steps == ""


# --- headers; what a PDF may fetch ---------------------------------------------------


def test_signed_in_pages_and_downloads_are_never_cached(client, users, login, make_project):
    make_project("A1", plan=1000)
    login(users["supervisor"])
    for url in ("/", "/projects", "/projects?format=xlsx", "/issues.xlsx", "/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_hsts_is_sent_when_cookies_are_https_only(app, client, users, login):
    app.config["SESSION_COOKIE_SECURE"] = True
    response = client.get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_pdf_fetches_nothing_from_the_network_nor_outside_static(app):
    import http.server
    import threading

    from tracker.pdf import FETCHER, RefusedFetch, render_pdf

    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):  # noqa: ANN002
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/x.png"
        pdf = render_pdf(f'<html><body><p>测试</p><img src="{url}"><img src="file:///etc/passwd">'
                         f'<link rel="stylesheet" href="{url}"></body></html>')
    finally:
        server.shutdown()
    assert pdf.startswith(b"%PDF") and hits == []
    for url in ("file:///etc/passwd", f"file://{app.static_folder}/../tracker/config.py",
                "https://example.org/a.css"):
        with pytest.raises(RefusedFetch):
            FETCHER.fetch(url)
    assert b"body" in FETCHER.fetch(f"file://{app.static_folder}/css/app.css").read()


# --- sign-in throttling behind a proxy and under a burst -----------------------------


def test_forty_wrong_passwords_at_once_check_at_most_five(app, users):
    import threading

    barrier, statuses, login = threading.Barrier(40), [], users["member"].login

    def attempt():
        c = app.test_client()
        token = c.csrf_token()
        barrier.wait()
        try:
            r = c.post("/login", data={"login": login, "password": "wrong-password"},
                       headers={"X-CSRFToken": token}, csrf=False)
        except Exception:  # noqa: BLE001  (TESTING propagates what would be a 500)
            statuses.append(500)
        else:
            statuses.append(r.status_code)

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(statuses) == 40 and set(statuses) <= {401, 429}
    assert statuses.count(401) <= 5, statuses  # a 401 is a password that was checked


def test_forwarded_addresses_count_only_from_trusted_proxies(database_url, users):
    from sqlalchemy import select

    from tracker import create_app
    from tracker.auth.models import LoginThrottle
    from tracker.extensions import db

    def fail_from(trusted: int) -> list[str]:
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True,
                          "TRUSTED_PROXIES": trusted})
        with app.app_context():
            c = app.test_client()
            html = c.get("/login").get_data(as_text=True)
            token = html.split('name="csrf_token"')[1].split('value="')[1].split('"')[0]
            c.post("/login", data={"login": "x", "password": "wrong-password", "csrf_token": token},
                   headers={"X-Forwarded-For": "203.0.113.7"},
                   environ_base={"REMOTE_ADDR": "127.0.0.1"})
            keys = list(db.session.scalars(select(LoginThrottle.key).where(
                LoginThrottle.key.like("addr:%"))))
            db.session.execute(LoginThrottle.__table__.delete())
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
            return keys

    assert fail_from(0) == ["addr:127.0.0.1"]  # a client cannot name its own address
    assert fail_from(1) == ["addr:203.0.113.7"]  # behind one trusted proxy


# --- workbooks of absurd dimensions and of many bad rows -----------------------------


def _sparse_workbook(far_cell: str) -> bytes:
    import io

    from openpyxl import Workbook

    from tracker.workbook.parse import PROJECTS

    book = Workbook()
    sheet = book.active
    sheet.title = "项目"
    sheet.append(PROJECTS.headers)
    sheet[far_cell] = "x"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("far_cell, size", [("XFD1048576", 6_000), ("A300000", 6_000)])
def test_a_workbook_of_absurd_dimensions_is_refused_by_its_size(client, users, login, runner,
                                                                 tmp_path, far_cell, size):
    import io

    data = _sparse_workbook(far_cell)
    assert len(data) < size  # a couple of kilobytes that claim billions of cells
    login(users["supervisor"])
    response = client.post("/import", data={"file": (io.BytesIO(data), "big.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "项目 工作表过大：最多200000行、50列" in response.get_data(as_text=True)
    path = tmp_path / "big.xlsx"
    path.write_bytes(data)
    result = runner.invoke(args=["import-xlsx", str(path)])
    assert result.exit_code == 1 and "项目 工作表过大：最多200000行、50列" in result.output


def test_a_workbook_of_many_bad_rows_lists_the_first_200_errors(client, users, login, runner,
                                                                tmp_path):
    import io

    from openpyxl import Workbook

    from tracker.workbook.parse import MONTHLY

    book = Workbook()
    sheet = book.active
    sheet.title = "月度进展"
    sheet.append(MONTHLY.headers)
    for i in range(1500):
        sheet.append([f"ZZ{i}", 2026, 13, -1, "", ""])  # three errors a row
    out = io.BytesIO()
    book.save(out)
    login(users["supervisor"])
    response = client.post("/import", data={"file": (io.BytesIO(out.getvalue()), "bad.xlsx")},
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and html.count("<li>月度进展 第") == 200
    total = int(html.split("共 ")[1].split(" 处问题")[0])
    assert total > 3000 and f"另有{total - 200}处错误未列出" in html
    path = tmp_path / "bad.xlsx"
    path.write_bytes(out.getvalue())
    result = runner.invoke(args=["import-xlsx", str(path)])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1 and lines[-1] == f"另有{total - 200}处错误未列出"
    assert sum(1 for line in lines if line.startswith("月度进展 第")) == 200


# --- sessions that can be ended ------------------------------------------------------


def _copy_session(client):  # noqa: ANN001, ANN202
    """A second browser holding a copy of ``client``'s session cookie."""
    other = client.application.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def test_a_copied_session_cookie_dies_with_logout(client, users, login):
    login(users["member"])
    stolen = _copy_session(client)
    assert stolen.get("/").status_code == 200
    client.post("/logout")
    assert stolen.get("/").status_code == 302  # back to the sign-in page


def test_a_password_change_ends_other_sessions_but_not_this_one(client, users, login):
    login(users["member"])
    other_device = _copy_session(client)
    response = client.post("/account", data={"current": PASSWORD, "new": "another-horse-7",
                                             "confirm": "another-horse-7"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other_device.get("/").status_code == 302


@pytest.mark.parametrize("change", ["role", "deactivate", "everywhere"])
def test_an_admin_ends_a_users_sessions(app, client, users, login, change):
    member = users["member"]
    victim = app.test_client()
    victim.post("/login", data={"login": member.login, "password": PASSWORD,
                                "csrf_token": victim.csrf_token()})
    assert victim.get("/").status_code == 200
    login(users["admin"])
    if change == "role":
        client.post(f"/admin/users/{member.id}/edit", data={
            "name": member.name, "role": "viewer", "unit_id": str(member.unit_id), "active": "1"})
    elif change == "deactivate":
        client.post(f"/admin/users/{member.id}/active", data={"active": "0"})
    else:
        assert client.post(f"/admin/users/{member.id}/sessions").status_code == 302
    assert victim.get("/").status_code == 302


def test_signing_in_starts_a_new_session(client, users):
    with client.session_transaction() as s:
        s["planted"] = "by a visitor"
    client.post("/login", data={"login": users["member"].login, "password": PASSWORD})
    with client.session_transaction() as s:
        assert "planted" not in s and s["_user_id"].endswith(users["member"].session_stamp)


# --- the demo park on a real install ---------------------------------------------------


def test_the_demos_published_passwords_must_be_changed_unless_it_is_a_try_out(app, runner,
                                                                              client):
    app.config["DUBAN_DEMO"] = False
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0 and "首次登录须修改密码" in result.output
    response = client.post("/login", data={"login": "admin", "password": "duban-admin"})
    assert response.status_code == 302
    forced = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "请先设置您自己的密码" in forced and "修改密码" in forced
    assert "演示数据" not in forced


def test_a_try_out_keeps_the_passwords_and_says_so_on_every_page(app, runner, client):
    app.config["DUBAN_DEMO"] = True
    assert runner.invoke(args=["demo"]).exit_code == 0
    client.post("/login", data={"login": "lingdao", "password": "duban-viewer"})
    for url in ("/", "/projects", "/issues"):
        page = client.get(url)
        assert page.status_code == 200 and "演示数据" in page.get_data(as_text=True), url


def test_the_demo_refuses_a_database_that_holds_real_data(app, runner, make_project):
    from sqlalchemy import func, select

    from tracker.auth.models import User
    from tracker.extensions import db
    from tracker.projects.models import Project

    make_project("A1", plan=1000)
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1 and "演示园区只载入空数据库" in result.output
    assert db.session.scalar(select(func.count(Project.id))) == 1
    assert db.session.scalar(select(func.count(User.id))) == 0


# --- the four-eyes rule --------------------------------------------------------------


def test_nobody_approves_figures_of_their_own_project_or_entered_by_them(client, users, login,
                                                                        make_user, make_project):
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.projects.models import MonthlyReport, ReportState

    chief = make_user("chief", role="supervisor")  # a supervisor who also leads a project
    make_project("A1", plan=1000, lead=chief)
    make_project("B1", plan=1000, lead=users["member"])
    login(chief)
    client.post("/report/2026-07/A1", data={"amount": "10", "version": "0"})
    client.post("/report/2026-07/A1/submit")
    refused = client.post("/report/2026-07/A1/approve")
    assert refused.status_code == 422 and "四眼原则" in refused.get_data(as_text=True)
    login(users["member"])
    client.post("/report/2026-07/B1", data={"amount": "20", "version": "0"})
    client.post("/report/2026-07/B1/submit")
    login(chief)
    client.post("/report/2026-07/all/approve")  # approves B1, leaves its own A1
    states = dict(db.session.execute(select(MonthlyReport.amount, MonthlyReport.state)).all())
    assert {str(k): v for k, v in states.items()} == {"10.00": ReportState.SUBMITTED,
                                                      "20.00": ReportState.APPROVED}
    login(users["supervisor"])
    assert client.post("/report/2026-07/A1/approve").status_code == 302
