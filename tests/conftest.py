"""Fixtures: a fresh app and database per test (SQLite file or PostgreSQL), users per
role, and helpers that build a park in one call (``make_project(code=..., plan=..., months=...)``).

``TEST_DB=postgresql`` with ``TEST_DATABASE_URL`` runs the same suite on PostgreSQL.
"""

from __future__ import annotations

import contextvars
import os
import re
import sqlite3
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

os.environ.setdefault("INSTANCE_PATH", tempfile.mkdtemp(prefix="duban-instance-"))
os.environ.setdefault("SECRET_KEY", "test-secret")
# Tests that load the demo park use it as make run does: a try-out with its published passwords.
os.environ.setdefault("DUBAN_DEMO", "1")
# The job queue of this test session: a SQLite file that worker processes share.
os.environ.setdefault("HUEY_URL", f"sqlite:///{os.environ['INSTANCE_PATH']}/queue.sqlite")

from tracker import create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402

BACKEND = os.environ.get("TEST_DB", "sqlite")
PASSWORD = "correct-horse-9"


def pytest_report_header() -> str:
    return f"database backend: {BACKEND}"


def _upgrade(url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrate once per session: a SQLite file to copy, or the PostgreSQL schema."""
    if BACKEND == "postgresql":
        url = os.environ["TEST_DATABASE_URL"]
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        _upgrade(url)
        return url
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    _upgrade(f"sqlite:///{path}")
    return str(path)


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [
            t.name for t in db.metadata.sorted_tables
        ]
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        _seed_as_migrated(conn)
    engine.dispose()


def _seed_as_migrated(conn) -> None:  # noqa: ANN001
    """The rows the migrations insert, which TRUNCATE removed: the default milestone template."""
    from tracker.milestones.status import DEFAULT_TEMPLATE

    for position, (name, key) in enumerate(DEFAULT_TEMPLATE, start=1):
        conn.execute(text(
            "INSERT INTO milestone_templates (name, position, retired, key, created_at)"
            " VALUES (:name, :position, false, :key, CURRENT_TIMESTAMP)"),
            {"name": name, "position": position, "key": key.value if key else None})


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> str:
    """A database of this test's own, migrated and empty."""
    if BACKEND == "postgresql":
        _truncate_all(database_template)
        return database_template
    path = tmp_path / "duban.sqlite"
    # The backup API copies what sits in the WAL too, which a file copy would miss.
    source, target = sqlite3.connect(database_template), sqlite3.connect(path)
    source.backup(target)
    source.close()
    target.close()
    return f"sqlite:///{path}"


class CSRFClient(FlaskClient):
    """A test client that behaves like a browser talking to a server.

    Every POST carries the page's CSRF token (``csrf=False`` sends none). Every
    request runs in a fresh context, so it gets its own app context, ``g`` and
    database session, as in production, instead of sharing the test's. The test's
    session is committed before (the request sees the test's data) and expired
    after (the test sees the request's writes).
    """

    def open(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        if not has_app_context():  # already inside a request's fresh context (redirects)
            return self._open(*args, **kwargs)
        db.session.commit()
        try:
            return contextvars.Context().run(self._open, *args, **kwargs)
        finally:
            db.session.expire_all()

    def csrf_token(self) -> str:
        html = self.get("/login", follow_redirects=True).get_data(as_text=True)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
            r'"X-CSRFToken": "([^"]+)"', html
        )
        assert match, "no CSRF token on the page"
        return match.group(1)

    def _open(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        csrf = kwargs.pop("csrf", True)
        method = kwargs.get("method", "GET")
        if csrf and method in ("POST", "PUT", "PATCH", "DELETE") and not getattr(self, "_fetching", False):
            self._fetching = True
            try:
                token = self.csrf_token()
            finally:
                self._fetching = False
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", token)
            kwargs["headers"] = headers
        return FlaskClient.open(self, *args, **kwargs)


@pytest.fixture
def app(database_url: str):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True})
    app.test_client_class = CSRFClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app) -> CSRFClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- vocabulary: build a situation in one call ---------------------------------


@pytest.fixture
def make_unit(app):
    from tracker.auth.models import Unit

    def make(name: str = "园区经济发展局") -> Unit:
        unit = db.session.scalar(db.select(Unit).where(Unit.name == name))
        if unit is None:
            unit = Unit(name=name)
            db.session.add(unit)
            db.session.commit()
        return unit

    return make


@pytest.fixture
def make_user(app, make_unit):
    from tracker.auth.models import Role, User

    def make(login: str, role: str = "member", unit: str | None = "园区经济发展局",
             name: str | None = None, password: str = PASSWORD) -> User:
        user = User(login=login, name=name or login, role=Role(role),
                    unit=make_unit(unit) if unit else None)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def users(make_user) -> dict:
    """One user per role, plus a second member of another unit."""
    return {
        "admin": make_user("admin1", "admin", name="管理员"),
        "supervisor": make_user("super1", "supervisor", "园区管委会督查室", name="陈督查"),
        "member": make_user("lead1", "member", name="张伟"),
        "other_member": make_user("lead2", "member", "园区规划建设局", name="李娜"),
        "viewer": make_user("view1", "viewer", None, name="王主任"),
    }


@pytest.fixture
def login(client):
    def do(user_or_login, password: str = PASSWORD):
        name = getattr(user_or_login, "login", user_or_login)
        return client.post("/login", data={"login": name, "password": password})

    return do


@pytest.fixture
def make_project(app, make_unit):
    """``make_project("A1", level="省重点", plan=10000, months={1: 1000, 2: 1200})``."""
    from tracker.projects.models import (
        AnnualPlan,
        Level,
        MonthlyReport,
        Project,
        ReportState,
        Stage,
    )

    def make(code: str, name: str | None = None, level: str = "省重点", plan=None,
             months: dict | None = None, year: int = 2026, lead=None, state: str = "已审核",
             total=None, archived_on: date | None = None, industry: str = "新材料") -> Project:
        project = Project(
            code=code, name=name or f"{code}项目", level=Level(level), industry=industry,
            stage=Stage.CONSTRUCTION, responsible_unit=make_unit("园区经济发展局"),
            lead=lead, total_investment=Decimal(str(total)) if total is not None else None,
            archived_on=archived_on,
        )
        db.session.add(project)
        db.session.flush()
        if plan is not None:
            db.session.add(AnnualPlan(project_id=project.id, year=year, amount=Decimal(str(plan))))
        for month, amount in (months or {}).items():
            db.session.add(MonthlyReport(project_id=project.id, year=year, month=month,
                                         amount=Decimal(str(amount)), state=ReportState(state)))
        db.session.commit()
        return project

    return make


@pytest.fixture
def count_queries(app):
    """``with count_queries() as q: ...`` then ``q.count``: SQL statements run inside."""
    from contextlib import contextmanager

    from sqlalchemy import event

    class Counter:
        count = 0
        statements: list

    @contextmanager
    def counting():
        counter = Counter()
        counter.statements = []

        def before(conn, cursor, statement, *args):  # noqa: ANN001, ANN002
            if not statement.lstrip().upper().startswith(("PRAGMA", "SAVEPOINT", "RELEASE")):
                counter.count += 1
                counter.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting


@pytest.fixture
def worker(app):
    """A real ``flask worker`` process (huey consumer) on this test's database and queue."""
    import subprocess
    import sys

    from tracker.jobs import huey

    huey.flush()  # tasks left by earlier tests name job ids of other databases
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"])
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "tracker", "worker", "--workers", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    yield proc
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def wait_for_job(app):
    """``wait_for_job(job_id)``: poll the job table until a worker has finished it."""
    import time

    from tracker.jobs.models import Job

    def wait(job_id: int, seconds: float = 60) -> Job:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            db.session.commit()
            db.session.expire_all()
            job = db.session.get(Job, job_id)
            if job is not None and job.finished:
                return job
            time.sleep(0.2)
        raise AssertionError(f"job {job_id} did not finish within {seconds} s")

    return wait
