"""Duban (督办): supervision of an industrial park's key projects."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker import cache, config
from tracker.extensions import csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """The application factory: configuration, extensions, blueprints, commands."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH", str(ROOT / "instance")),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(config.from_environment(app.instance_path))
    if test_config:
        app.config.update(test_config)

    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies,
                                x_port=proxies, x_prefix=proxies)

    db.init_app(app)
    cache.init_app(app)
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    login_manager.init_app(app)

    from tracker import models  # noqa: F401  (the whole schema, for Alembic)
    from tracker.http import PeriodConverter

    app.url_map.converters["period"] = PeriodConverter
    from tracker.admin.audit_routes import bp as audit_bp
    from tracker.admin.routes import bp as admin_bp
    from tracker.auth.routes import bp as auth_bp
    from tracker.briefs.routes import bp as briefs_bp
    from tracker.dashboard.routes import bp as dashboard_bp
    from tracker.issues.routes import bp as issues_bp
    from tracker.jobs.routes import bp as jobs_bp
    from tracker.milestones.admin_routes import bp as milestoneadmin_bp
    from tracker.milestones.routes import bp as milestones_bp
    from tracker.notify.routes import bp as notify_bp
    from tracker.projectfile.routes import bp as projectfile_bp
    from tracker.projects.admin_routes import bp as projectadmin_bp
    from tracker.projects.routes import bp as projects_bp
    from tracker.reminders.routes import bp as reminders_bp
    from tracker.reports.routes import bp as reports_bp
    from tracker.workbook.routes import bp as workbook_bp
    from tracker.workreport.draft.routes import bp as workreport_draft_bp
    from tracker.workreport.routes import bp as workreport_bp

    for bp in (
        auth_bp,
        dashboard_bp,
        projects_bp,
        projectfile_bp,
        reports_bp,
        issues_bp,
        milestones_bp,
        briefs_bp,
        workbook_bp,
        admin_bp,
        projectadmin_bp,
        milestoneadmin_bp,
        audit_bp,
        jobs_bp,
        notify_bp,
        reminders_bp,
        workreport_bp,
        workreport_draft_bp,
    ):
        app.register_blueprint(bp)

    # Plug-ins register upward: each domain's job handlers.
    import tracker.briefs.jobs
    import tracker.jobs.handlers
    import tracker.reminders.jobs
    import tracker.workbook.jobs  # noqa: F401
    from tracker import web
    from tracker.briefs.service import published_through
    from tracker.reports import locks

    locks.set_publication_source(published_through)
    # A brief's e-mail carries its frozen PDF (and .docx): notify sits below briefs.
    from tracker.briefs.distribution import KINDS, attachments_for
    from tracker.notify.delivery import set_attachment_source

    for kind in KINDS:
        set_attachment_source(kind, attachments_for)
    # The reporting grid shows each row's due milestones; reports sit below milestones.
    from tracker.milestones.routes import grid_milestones

    app.jinja_env.globals["grid_milestones"] = grid_milestones

    web.init_app(app)

    from tracker import attachments

    attachments.init_app(app)

    from tracker.cli import register
    from tracker.demo import DEMO_LOGINS

    app.config.setdefault("DEMO_LOGINS", DEMO_LOGINS)

    register(app)
    return app


@event.listens_for(Engine, "connect")
def _connection_settings(dbapi_connection, connection_record) -> None:  # noqa: ANN001
    """SQLite as a multi-user database: WAL, enforced foreign keys, a busy timeout. On either
    database a write waits at most ``DB_LOCK_TIMEOUT_MS`` (default 10 s) for a lock, then
    the request answers 503 (see ``tracker.web``) instead of hanging."""
    wait = int(os.environ.get("DB_LOCK_TIMEOUT_MS", "10000"))
    module = type(dbapi_connection).__module__
    cursor = dbapi_connection.cursor()
    if module.startswith("sqlite3"):
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={wait}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    elif module.startswith("psycopg"):
        cursor.execute(f"SET lock_timeout = {wait}")
        dbapi_connection.commit()
    cursor.close()
