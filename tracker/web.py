"""Request-wide wiring: user loading, template helpers, security headers, error pages."""

from __future__ import annotations

import contextlib
import functools
import time

from flask import Flask, Response, current_app, g, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import Executable, Row, bindparam, func, select
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from tracker import progress
from tracker.audit.labels import field_label
from tracker.audit.models import AuditEntry
from tracker.auth.models import User
from tracker.cache import cached
from tracker.cache.version import DataVersion
from tracker.cache.version import remember as remember_version
from tracker.errors import Conflict, Forbidden, NotFound, Refused
from tracker.extensions import db, login_manager
from tracker.forms import whole_number
from tracker.http import is_htmx, park_today
from tracker.issues.models import Issue, IssueState
from tracker.notify.queries import unread_count, unread_count_of
from tracker.reports.grid import my_pending
from tracker.settings import DEFAULTS, park_settings
from tracker.timeutil import local

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)
# A signed-in session lasts SESSION_HOURS from its last renewal; renewing it (a cookie signed
# and sent again) on every request cost as much as serving a cached page, so it is renewed at
# most this often: an idle session ends between SESSION_HOURS and five minutes more.
RENEW_SECONDS = 300


def init_app(app: Flask) -> None:
    """Wire every request: who is signed in, what templates may call, hooks, error pages."""
    _reads(app)
    _sign_in(app)
    _templates(app)
    _hooks(app)
    _error_pages(app)


def _sign_in(app: Flask) -> None:
    @login_manager.user_loader
    def load_user(token: str):  # noqa: ANN202
        """``id:stamp`` (``User.get_id``): a session from before the stamp changed is over."""
        user_id, _, stamp = token.partition(":")
        number = whole_number(user_id)
        if number is None:
            return None
        statement, attributes = _user_statement()
        row = read_once(statement, {"user_id": number})
        if row is None:
            return None
        remember_version(row[-2])
        g.unread_notifications = row[-1]
        if row.session_stamp != stamp:
            return None
        return _attached(dict(zip(attributes, row, strict=False)))

    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "info"


@functools.cache
def _user_statement():  # noqa: ANN202
    """A signed-in request's one fixed statement: the user's columns, the data version (the
    cache's key, read before any figure the request shows) and the bell's count; with the
    user's attribute names in the columns' order. Built once."""
    attributes = [a.key for a in User.__mapper__.column_attrs]
    columns = [a.columns[0] for a in User.__mapper__.column_attrs]
    statement = (select(*columns, DataVersion.version, unread_count_of(User.id))
                 .outerjoin(DataVersion, DataVersion.id == 1)
                 .where(User.id == bindparam("user_id")))
    return statement, attributes


def read_once(statement: Executable, parameters: dict | None = None) -> Row | None:
    """The first row of a read-only statement, in autocommit when that saves round trips.

    On PostgreSQL a GET or HEAD whose session has no transaction yet reads it on a pooled
    connection in autocommit: one round trip, where the session's transaction costs three
    (psycopg's implicit BEGIN, the statement, the ROLLBACK when the session closes); on a
    cached page that statement is all the request reads. The snapshot is the statement's own,
    as under READ COMMITTED inside a transaction: figures computed later in this request (a
    cache miss) may be NEWER than the data version read here, never older, so a page cached
    under a version never shows data from before it. Writes keep their transaction and its
    version bump. SQLite's driver begins no transaction for a read: nothing to save there.
    """
    engine = current_app.extensions["duban_autocommit"]  # made at start-up: _reads
    if engine is None or request.method not in ("GET", "HEAD") or db.session().in_transaction():
        return db.session.connection().execute(statement, parameters).first()
    with engine.connect() as connection:
        return connection.execute(statement, parameters).first()


def _reads(app: Flask) -> None:
    """The app's engine reading in autocommit (same pool) for ``read_once``, or None where
    that saves nothing."""
    with app.app_context():
        engine = db.engine
    app.extensions["duban_autocommit"] = (engine.execution_options(isolation_level="AUTOCOMMIT")
                                          if engine.dialect.name == "postgresql" else None)


def _attached(values: dict):  # noqa: ANN202
    """The user as a persistent instance of this request's session, built from the row read
    above instead of through an ORM query (whose loading was a third of a cached page's
    cost): the session is new for each request, so the user is not in it yet."""
    key = identity_key(User, values["id"])
    existing = db.session.identity_map.get(key)
    if existing is not None:  # a test's session that made the user itself
        return existing
    user = User(**values)
    make_transient_to_detached(user)
    db.session.add(user)
    return user


def _unread() -> int:
    """The bell: as read with the user, unless this request may have changed it."""
    if "unread_notifications" in g and request.method in ("GET", "HEAD"):
        return g.unread_notifications or 0
    return unread_count(current_user)


def _templates(app: Flask) -> None:
    app.jinja_env.filters.update(
        wan=progress.fmt_wan,
        wan_sep=lambda v: progress.fmt_wan(v, thousands=True),
        yi=progress.fmt_yi,
        pct=progress.fmt_pct,
        points=progress.fmt_points,
        deviation_short=progress.deviation_short,
        field_label=field_label,
        date_cn=progress.fmt_date_cn,
        local_time=lambda ts: local(ts, app.config["TIMEZONE"]).strftime("%Y-%m-%d %H:%M")
        if ts
        else "",
    )

    app.jinja_env.globals.update(
        time_progress=progress.time_progress, bond_progress=progress.bond_progress
    )

    @app.context_processor
    def inject() -> dict:
        try:
            park = park_settings()
        except SQLAlchemyError:  # the error page must still draw when the database is away
            _rollback()
            park = dict(DEFAULTS)
        return {"park": park, "today": park_today(), "endpoints": app.view_functions,
                "pending_reports": _pending_reports,
                "awaiting_confirmation": _awaiting_confirmation,
                "unread_notifications": _unread}


def _hooks(app: Flask) -> None:
    @app.before_request
    def renew_session() -> None:
        now = int(time.time())
        if session.permanent and now - session.get("_renewed", 0) >= RENEW_SECONDS:
            session["_renewed"] = now  # a changed session is signed and sent again

    @app.before_request
    def force_password_change():  # noqa: ANN202
        if (
            current_user.is_authenticated
            and current_user.must_change_password
            and request.endpoint not in ("auth.account", "auth.logout", "static")
        ):
            from flask import flash, redirect, url_for

            flash(_why_change_password(current_user, app.config.get("DEMO_LOGINS", ())), "warning")
            return redirect(url_for("auth.account"))
        return None

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.headers.get("HX-Request"):
            response.headers["Vary"] = "HX-Request"
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        # Signed-in pages and every download hold the park's data: no cache may keep them
        # (send_file's default "no-cache" still lets a cache store them).
        if request.endpoint not in ("static", "healthz") and (
            "attachment" in response.headers.get("Content-Disposition", "")
            or current_user.is_authenticated
        ) and not response.headers.get("Cache-Control", "").startswith("private"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.route("/healthz")
    def healthz() -> tuple[str, int, dict]:
        """The proxy's probe: 200 only while the database answers a read."""
        try:
            read_once(select(User.id).limit(1))
        except SQLAlchemyError:
            db.session.rollback()
            return "database unavailable", 503, {"Content-Type": "text/plain", "Retry-After": "5"}
        return "ok", 200, {"Content-Type": "text/plain"}



def _pending_reports() -> int:
    """The navigation's badge on 月度填报 for a lead: rows they still owe (called by the layout
    only when it draws a lead's navigation); cached per lead, data version and day."""
    if "my_pending" in g:  # the dashboard has read them already
        return len(my_pending(current_user))
    return cached("pending-reports", current_user.id, lambda: len(my_pending(current_user)),
                  today=park_today())


def _awaiting_confirmation() -> int:
    """The supervisors' navigation: issues reported done that wait for their confirmation."""
    return cached("awaiting-confirmation", None, lambda: db.session.scalar(
        select(func.count(Issue.id)).where(Issue.state == IssueState.AWAITING_CONFIRMATION)) or 0)


def _why_change_password(user: User, demo_logins: frozenset[str]) -> str:
    """A demo account, a password an admin reset, or a new account's first sign-in."""
    if user.login in demo_logins:
        return "这是演示账号，密码已公开在说明文档中，请先设置您自己的密码。"
    reset = db.session.scalar(select(AuditEntry.id).where(
        AuditEntry.table_name == "users", AuditEntry.record_id == user.id,
        AuditEntry.action == "password").limit(1))
    if reset is not None:
        return "管理员已重置您的密码，请先设置新密码。"
    return "欢迎首次登录。管理员为您设置的是临时密码，请先设置您自己的密码。"


def error_page(code: int, title: str, message: str) -> tuple[str, int]:
    """The error page (or, to htmx, its fragment); the standalone one when the layout itself
    cannot be drawn (the database is away: no user, no park settings)."""
    template = "errors/_fragment.html" if is_htmx() else "errors/page.html"
    try:
        return render_template(template, code=code, title=title, message=message), code
    except SQLAlchemyError:
        _rollback()
        g._login_user = login_manager.anonymous_user()  # nobody can be loaded now
        return render_template("errors/standalone.html", title=title, message=message), code


def _rollback() -> None:
    with contextlib.suppress(SQLAlchemyError):  # the connection itself may be gone
        db.session.rollback()


def _error_pages(app: Flask) -> None:
    """Every refusal a route leaves unhandled becomes its page here, in one place; whatever the
    request had begun to change is rolled back."""

    @app.errorhandler(Refused)
    def refused(e: Refused):  # noqa: ANN202
        db.session.rollback()
        return error_page(422, "未能保存", str(e))

    @app.errorhandler(Forbidden)
    def forbidden_action(e: Forbidden):  # noqa: ANN202
        db.session.rollback()
        return error_page(403, "无权操作", str(e) or "您没有执行此操作的权限。")

    @app.errorhandler(Conflict)
    def conflict(e: Conflict):  # noqa: ANN202
        db.session.rollback()
        return error_page(409, "数据已被他人修改", str(e) or "保存前数据已被他人修改，请刷新后重试。")

    @app.errorhandler(NotFound)
    def missing(e: NotFound):  # noqa: ANN202
        return error_page(404, "未找到", str(e) or "您要找的页面不存在。")

    @app.errorhandler(400)
    def bad_request(e):  # noqa: ANN001, ANN202
        return error_page(400, "请求有误", e.description or "请求参数不正确。")

    @app.errorhandler(CSRFError)
    def csrf_error(e):  # noqa: ANN001, ANN202
        return error_page(400, "页面已过期", "表单已失效（缺少或错误的安全令牌），请刷新页面后重试。")

    @app.errorhandler(403)
    def forbidden(e):  # noqa: ANN001, ANN202
        return error_page(403, "无权操作", "您没有执行此操作的权限。")

    @app.errorhandler(404)
    def not_found(e):  # noqa: ANN001, ANN202
        return error_page(404, "未找到", e.description if e.description and "URL" not in e.description else "您要找的页面不存在。")

    @app.errorhandler(409)
    def stale(e):  # noqa: ANN001, ANN202
        return error_page(409, "数据已变化", e.description or "数据已被他人修改，请刷新后重试。")

    @app.errorhandler(405)
    def not_allowed(e):  # noqa: ANN001, ANN202
        return error_page(405, "方法不允许", "此地址不接受该请求方式。")

    @app.errorhandler(413)
    def too_large(e):  # noqa: ANN001, ANN202
        mb = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return error_page(413, "文件过大", f"上传的文件超过 {mb} MB 上限。")

    @app.errorhandler(OperationalError)
    def busy(e: OperationalError):  # noqa: ANN202
        # A lock held past DB_LOCK_TIMEOUT_MS, a database that cannot be opened or reached.
        _rollback()
        app.logger.warning("database unavailable: %s", e.orig)
        body, code = error_page(503, "系统繁忙", "系统繁忙，请稍后重试。数据未做任何修改。")
        return body, code, {"Retry-After": "5"}

    @app.errorhandler(500)
    def server_error(e):  # noqa: ANN001, ANN202
        _rollback()
        return error_page(500, "服务器出错", "操作未完成，数据未做任何修改。请稍后重试或联系管理员。")
