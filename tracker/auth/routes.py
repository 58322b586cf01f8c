"""Sign-in, sign-out and one's own password (/login, /logout, /account)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from tracker.audit.service import record
from tracker.auth.forms import LoginForm, PasswordForm
from tracker.auth.service import ThrottledError, authenticate
from tracker.extensions import db

bp = Blueprint("auth", __name__)

FAILED = "账号或密码不正确。"


@bp.before_app_request
def refuse_nul_and_end_inactive_sessions():  # noqa: ANN201
    """App-wide guards: a NUL character in any field (PostgreSQL cannot store it) answers
    400, and a user deactivated since signing in is signed out on their next request."""
    values = [*request.args.values(), *(request.form.values() if request.form else [])]
    if any("\x00" in v for v in values):
        abort(400, description="输入包含不允许的控制字符（NUL），请检查后重试。")
    if current_user.is_authenticated and not current_user.active:
        logout_user()
        session.clear()
        flash("您的账号已停用，请联系管理员。", "warning")
        return redirect(url_for("auth.login"))
    return None


def _safe_next(target: str | None) -> str:
    """Only a path of this site. Browsers drop tabs and newlines and read a backslash as a
    slash, so "/<tab>/evil.example" or "/<backslash>evil.example" would leave the site."""
    home = url_for("dashboard.index")
    if not target:
        return home
    cleaned = "".join(ch for ch in target if ch.isprintable() and not ch.isspace())
    parts = urlsplit(cleaned.replace("\\", "/"))
    if cleaned != target or parts.scheme or parts.netloc or not cleaned.startswith("/") \
            or cleaned.startswith(("//", "/\\")):
        return home
    return cleaned


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(form.login.data, form.password.data, request.remote_addr)
        except ThrottledError as exc:
            error = f"登录失败次数过多，请 {exc.seconds} 秒后再试。"
            status = 429
        else:
            if user is None:
                error = FAILED
                status = 401
            else:
                # A new session: nothing a visitor had in theirs carries over into the signed-in one.
                session.clear()
                session.permanent = True
                login_user(user)
                return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 400 if form.csrf_token.errors else 422
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        current_user.end_sessions()  # a copy of this session's cookie stops working too
        db.session.commit()
    logout_user()
    session.clear()
    flash("您已退出登录。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        forced = current_user.must_change_password
        if not forced and not current_user.check_password(form.current.data or ""):
            form.current.errors.append("当前密码不正确")
            status = 422
        else:
            current_user.set_password(form.new.data)
            current_user.must_change_password = False
            current_user.end_sessions()  # other devices sign in again; this one goes on
            login_user(current_user._get_current_object())
            record(
                user_id=current_user.id,
                action="password",
                table="users",
                record_id=current_user.id,
                label=current_user.login,
                note="修改本人密码",
            )
            db.session.commit()
            flash("密码已更新。", "success")
            return redirect(url_for("dashboard.index"))
    elif request.method == "POST":
        status = 422
    return render_template("auth/account.html", form=form), status
