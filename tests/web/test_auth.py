"""Sign-in, sign-out, CSRF, cookies and the account page."""

from tracker.auth.models import User
from tracker.extensions import db


def test_login_page_has_the_documented_fields(client):
    html = client.get("/login").get_data(as_text=True)
    for name in ('name="login"', 'name="password"', 'name="csrf_token"'):
        assert name in html
    assert 'lang="zh-CN"' in html


def test_right_password_signs_in_and_shows_the_dashboard(client, users, login):
    response = login(users["supervisor"])
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "重点项目总览" in page and "陈督查" in page


def test_wrong_password_and_unknown_login_say_the_same_thing(client, users, login):
    wrong = login(users["member"], "not-the-password").get_data(as_text=True)
    unknown = login("nobody", "not-the-password").get_data(as_text=True)
    assert "账号或密码不正确" in wrong and "账号或密码不正确" in unknown
    assert client.get("/").status_code == 302  # still signed out


def test_post_without_csrf_token_is_refused_and_signs_nobody_in(client, users):
    response = client.post(
        "/login", data={"login": "super1", "password": "correct-horse-9"}, csrf=False
    )
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_session_cookie_is_httponly_and_samesite_lax(client, users, login):
    response = login(users["viewer"])
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_needs_post_and_ends_the_session(client, users, login):
    login(users["viewer"])
    assert client.get("/logout").status_code == 405
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_pages_need_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_navigation_follows_the_role(client, users, login):
    login(users["viewer"])
    viewer_page = client.get("/").get_data(as_text=True)
    assert "月度填报" not in viewer_page and "系统管理" not in viewer_page


def test_inactive_user_cannot_sign_in(client, users, login):
    users["member"].active = False
    db.session.commit()
    assert "账号或密码不正确" in login(users["member"]).get_data(as_text=True)


def test_password_change_needs_the_current_one_and_eight_characters(client, users, login):
    login(users["member"])
    short = client.post("/account", data={"current": "correct-horse-9", "new": "short", "confirm": "short"})
    assert short.status_code == 422 and "至少 8 位" in short.get_data(as_text=True)
    wrong = client.post("/account", data={"current": "nope", "new": "a-new-pass-1", "confirm": "a-new-pass-1"})
    assert "当前密码不正确" in wrong.get_data(as_text=True)
    ok = client.post("/account", data={"current": "correct-horse-9", "new": "a-new-pass-1", "confirm": "a-new-pass-1"})
    assert ok.status_code == 302
    assert db.session.get(User, users["member"].id).check_password("a-new-pass-1")


def test_security_headers_on_pages(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
