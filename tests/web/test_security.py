"""Sign-in hardening, sessions, security headers on every page, and backups of a live database.

Throttling: tracker/auth/service.py keeps failed sign-ins per login and per client address
in the database (table login_throttles), so every gunicorn worker and every host sees the
same counts; Flask-Limiter is not used (its per-address part would need Redis to be shared,
and the database already is).
"""

from __future__ import annotations

import re
import sqlite3
import threading
import urllib.request
from datetime import timedelta
from http.cookiejar import CookieJar

import pytest
from werkzeug.serving import make_server

from tests.web.security_routes import browser, fill, get_rules, sign_in
from tracker import config, create_app
from tracker.auth.models import LoginThrottle
from tracker.extensions import db
from tracker.timeutil import utcnow

THROTTLED = "登录失败次数过多"


def attempt(client, login: str, password: str = "wrong-password", addr: str = "10.0.0.1"):
    return client.post("/login", data={"login": login, "password": password},
                       environ_base={"REMOTE_ADDR": addr})


def message(response) -> str:
    match = re.search(r'class="alert alert-error"[^>]*>([^<]*)<', response.get_data(as_text=True))
    return match.group(1) if match else ""


def test_the_sixth_wrong_password_in_a_row_is_throttled(client, users):
    for _ in range(5):
        response = attempt(client, "lead1")
        assert response.status_code == 401 and message(response) == "账号或密码不正确。"
    sixth = attempt(client, "lead1")
    assert sixth.status_code == 429
    assert re.fullmatch(r"登录失败次数过多，请 \d+ 秒后再试。", message(sixth))
    # While the wait runs even the right password is refused, and nobody is signed in.
    right = attempt(client, "lead1", "correct-horse-9")
    assert right.status_code == 429
    assert client.get("/").status_code == 302
    # Another login from another address is not affected.
    assert attempt(client, "lead2", "correct-horse-9", addr="10.0.0.2").status_code == 302


def test_the_message_does_not_tell_whether_the_login_exists(client, users):
    for _ in range(5):
        attempt(client, "nobody-here", addr="10.0.0.3")
        attempt(client, "lead1", addr="10.0.0.4")
    unknown, known = attempt(client, "nobody-here", addr="10.0.0.3"), attempt(client, "lead1", addr="10.0.0.4")
    assert unknown.status_code == known.status_code == 429
    assert re.sub(r"\d+", "N", message(unknown)) == re.sub(r"\d+", "N", message(known))


def test_the_count_is_shared_by_every_worker(app, client, users, database_url):
    for _ in range(5):
        attempt(client, "lead1")
    # A second application object on the same database stands for another gunicorn worker.
    other = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True})
    with other.app_context():
        worker = other.test_client()
        html = worker.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        response = worker.post("/login", data={"login": "lead1", "password": "correct-horse-9",
                                               "csrf_token": token},
                               environ_base={"REMOTE_ADDR": "10.9.9.9"})
        assert response.status_code == 429
        db.session.remove()
        db.engine.dispose()


def test_one_address_guessing_many_logins_never_locks_out_a_right_password(client, users):
    # Behind a reverse proxy every user shares one address: one person guessing made-up
    # logins must not lock the whole park out (issue 12; it answered 429 before).
    for i in range(20):
        assert attempt(client, f"guess{i}", addr="10.0.0.5").status_code == 401
    assert attempt(client, "lead1", "correct-horse-9", addr="10.0.0.5").status_code == 302
    assert db.session.get(LoginThrottle, "addr:10.0.0.5").failures == 20


def test_the_wait_grows_with_each_failure_after_it(client, users):
    for _ in range(5):
        attempt(client, "lead1")
    row = db.session.get(LoginThrottle, "login:lead1")
    first = row.blocked_until - row.last_failure_at
    # Let the wait run out (moved into the past: no sleeping in tests), then fail once more.
    row.blocked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    attempt(client, "lead1")
    db.session.expire_all()
    row = db.session.get(LoginThrottle, "login:lead1")
    assert row.blocked_until - row.last_failure_at == 2 * first == timedelta(seconds=60)
    # However long a guesser goes on, the wait is capped and never overflows.
    row.failures, row.blocked_until = 10_000, None
    db.session.commit()
    assert attempt(client, "lead1").status_code == 401
    db.session.expire_all()
    row = db.session.get(LoginThrottle, "login:lead1")
    assert row.blocked_until - row.last_failure_at == timedelta(minutes=15)


def test_a_success_clears_the_logins_count(client, users):
    for _ in range(4):
        attempt(client, "lead1")
    assert attempt(client, "lead1", "correct-horse-9").status_code == 302
    assert db.session.get(LoginThrottle, "login:lead1") is None


def test_sessions_last_eight_hours_and_are_renewed_on_use(app, client, users, login):
    from tracker.web import RENEW_SECONDS

    assert app.permanent_session_lifetime == timedelta(hours=8)
    cookie = login(users["viewer"]).headers["Set-Cookie"]
    assert "Expires=" in cookie and "HttpOnly" in cookie
    # The first request renews the session: the cookie comes again with a fresh expiry.
    assert "Expires=" in client.get("/").headers.get("Set-Cookie", "")
    # Within the next minutes it is not signed and sent again on every request…
    assert "Set-Cookie" not in client.get("/").headers
    # …and once they have passed, the next request renews it.
    with client.session_transaction() as session:
        session["_renewed"] -= RENEW_SECONDS
    assert "Expires=" in client.get("/").headers.get("Set-Cookie", "")


def test_secure_cookies_come_from_the_configuration(monkeypatch, tmp_path, database_url):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    assert config.from_environment(str(tmp_path))["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "")
    assert config.from_environment(str(tmp_path))["SESSION_COOKIE_SECURE"] is False
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True,
                      "SESSION_COOKIE_SECURE": True})
    with app.app_context():
        response = app.test_client().get("/login")
        assert "Secure" in response.headers["Set-Cookie"]
        db.engine.dispose()


def test_a_nul_character_anywhere_is_a_clear_400(client, users, login):
    login(users["admin"])
    response = client.post("/admin/units", data={"name": "单位\x00名"})
    assert response.status_code == 400 and "控制字符" in response.get_data(as_text=True)
    assert client.get("/?period=2026-07\x00").status_code == 400


def check_headers(response, where: str) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("style-src")[0], where
    assert "frame-ancestors 'none'" in csp, where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy"), where


@pytest.mark.demo_park
@pytest.mark.parametrize("role", [None, "admin", "supervisor", "member", "viewer"])
def test_security_headers_on_every_page_for_every_role(app, runner, role):
    """Walks every GET route of the app (others' routes included) with demo values."""
    from tests.web.security_routes import demo_values

    assert runner.invoke(args=["demo"]).exit_code == 0
    values = demo_values(app)
    client = browser(app)
    sign_in(client, role)
    walked = 0
    for rule in get_rules(app):
        url = fill(app, rule, values)
        response = client.get(url)
        assert response.status_code < 500, (role, url, response.status_code)
        check_headers(response, f"{role} {url} {response.status_code}")
        walked += 1
    # The error pages a visitor can meet carry them too.
    for url in ("/no-such-page", "/?period=2099-01"):
        check_headers(client.get(url), f"{role} {url}")
    assert walked >= 15


def test_backup_while_the_live_server_is_writing(app, runner, client, users, login, make_project,
                                                 tmp_path, database_url):
    """A consistent copy while another connection (a live server thread) commits plan changes."""
    if db.engine.url.get_backend_name() != "sqlite":
        result = runner.invoke(args=["backup", str(tmp_path / "copy.sqlite")])
        assert result.exit_code == 1 and "pg_dump" in result.output
        return
    make_project("A1", plan=1)
    server_app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True})
    server = make_server("127.0.0.1", 0, server_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    opener.open(urllib.request.Request(f"{base}/login", data=b"login=super1&password=correct-horse-9",
                                       headers={"X-CSRFToken": token}))
    # Signing in starts a new session, with a new token.
    page = opener.open(f"{base}/admin/projects/A1/plans").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    stop = threading.Event()
    written = []

    def write() -> None:
        amount = 1
        while not stop.is_set() and amount < 2000:
            amount += 1
            body = f"year=2026&amount={amount}".encode()
            response = opener.open(urllib.request.Request(
                f"{base}/admin/projects/A1/plans", data=body, headers={"X-CSRFToken": token}))
            assert response.status == 200
            written.append(amount)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        copies = []
        for i in range(5):
            while len(written) < (i + 1) * 5 and writer.is_alive():
                stop.wait(0.01)
            target = tmp_path / f"copy{i}.sqlite"
            result = runner.invoke(args=["backup", str(target)])
            assert result.exit_code == 0, result.output
            copies.append(target)
    finally:
        stop.set()
        writer.join(30)
        server.shutdown()
        server_app.extensions["sqlalchemy"].engines[None].dispose()
    assert len(written) >= 25
    seen = set()
    for target in copies:
        copy = sqlite3.connect(target)
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("PRAGMA foreign_key_check").fetchall() == []
        plan = copy.execute("SELECT amount FROM annual_plans").fetchone()[0]
        # Each write changed the plan and added its audit entry in one transaction: a
        # consistent copy holds both or neither.
        last = copy.execute("SELECT new FROM audit_entries WHERE table_name = 'annual_plans' "
                            "ORDER BY id DESC LIMIT 1").fetchone()[0]
        assert f"{float(plan):.2f}" == last
        changes = copy.execute("SELECT count(*) FROM audit_entries WHERE table_name = 'annual_plans'").fetchone()[0]
        assert changes == round(float(plan)) - 1  # one entry per step 1 → 2 → … → plan
        seen.add(changes)
        copy.close()
    assert len(seen) > 1  # the copies were taken at different moments of the writing
