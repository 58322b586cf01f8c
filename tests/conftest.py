"""Fixtures: a fresh app and database per test (SQLite file or PostgreSQL), users per
role, and helpers that build a park in one call (``make_project(code=..., plan=..., months=...)``).

``TEST_DB=postgresql`` with ``TEST_DATABASE_URL`` runs the same suite on PostgreSQL.
``TEST_HUEY=redis`` with ``TEST_REDIS_URL`` puts the job queue on Redis instead of a SQLite file.

Under pytest-xdist every worker process (``PYTEST_XDIST_WORKER``: gw0, gw1, …) has its own
instance folder and queue, its own PostgreSQL database (created beside ``TEST_DATABASE_URL``'s,
named after it and the worker) and its own Redis database (``TEST_REDIS_URL``'s number plus the
worker's), so workers and side-by-side runs never share state.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import os
import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, text

# An xdist worker inherits the environment of the controller, which loaded this file too:
# it takes an instance folder and a queue of its own instead of the controller's.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
WORKER_INDEX = int(XDIST_WORKER[2:]) if XDIST_WORKER[2:].isdigit() else 0
HUEY_BACKEND = os.environ.get("TEST_HUEY", "sqlite")
if XDIST_WORKER or "INSTANCE_PATH" not in os.environ:
    os.environ["INSTANCE_PATH"] = tempfile.mkdtemp(prefix=f"duban-instance-{XDIST_WORKER or 'main'}-")
os.environ.setdefault("SECRET_KEY", "test-secret")
# Tests that load the demo park use it as make run does: a try-out with its published passwords.
os.environ.setdefault("DUBAN_DEMO", "1")


def _redis_url(base: str, index: int) -> str:
    """``base`` (redis://host:port/N) moved to database N + index."""
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{int(parts.path.strip('/') or 0) + index}"))


# The job queue of this test session, read by tracker.jobs at import time and passed on to the
# worker processes that tests start: a SQLite file, or a Redis database of this process's own.
if HUEY_BACKEND == "redis":
    os.environ["HUEY_URL"] = _redis_url(os.environ["TEST_REDIS_URL"], WORKER_INDEX)
elif XDIST_WORKER or "HUEY_URL" not in os.environ:
    os.environ["HUEY_URL"] = f"sqlite:///{os.environ['INSTANCE_PATH']}/queue.sqlite"

from tests.databases import (  # noqa: E402
    _upgrade,
    copy_sqlite_template,
    demo_postgresql,
    demo_sqlite,
    drop_postgresql_database,
    empty_database,
    own_postgresql_database,
)
from tests.sharing import KeptEngines, SessionTemplateCache, share_url_builders  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402

BACKEND = os.environ.get("TEST_DB", "sqlite")
PASSWORD = "correct-horse-9"


ONCE = ("tests/unit/", "tests/browser/")


# The slowest modules, slowest first: pytest-xdist hands out tests in collection order, so
# these start first and the workers finish together instead of one waiting on a fuzz test
# begun last. Within a module the order is kept (module fixtures are set up once).
SLOW_FIRST = (
    "tests/web/test_security_fuzz.py",
    "tests/browser/",
    "tests/web/test_multiworker.py",
    "tests/web/test_security.py",
    "tests/web/test_workbook_jobs.py",
    "tests/web/test_reminders.py",
    "tests/web/test_jobs.py",
    "tests/web/test_workreport_report.py",
    "tests/web/test_hardening.py",
    "tests/web/test_operating_faults.py",
    "tests/web/test_year_levels.py",
    "tests/web/test_attachments.py",
    "tests/web/test_brief_distribution.py",
    "tests/web/test_workbook_export_job.py",
    "tests/web/test_workreport_demo.py",
    "tests/web/test_briefs.py",
)


def _slowness(item: pytest.Item) -> int:
    return next((i for i, prefix in enumerate(SLOW_FIRST) if item.nodeid.startswith(prefix)),
                len(SLOW_FIRST))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL run leaves out what does not depend on the database: the pure unit
    tests and the browser tests (Chromium drives the same pages the web tests reach on both
    databases); the SQLite run has them. TEST_EVERYTHING_TWICE=1 runs them there too.
    The slowest modules go first (``SLOW_FIRST``)."""
    items.sort(key=_slowness)
    if BACKEND != "postgresql" or os.environ.get("TEST_EVERYTHING_TWICE") == "1":
        return
    once = [item for item in items if item.nodeid.startswith(ONCE)]
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = [item for item in items if not item.nodeid.startswith(ONCE)]


def pytest_report_header() -> str:
    return f"database backend: {BACKEND}, job queue: {HUEY_BACKEND}"


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory):
    """Migrate once per session: a SQLite file to copy, or the PostgreSQL schema."""
    if BACKEND == "postgresql":
        base = os.environ["TEST_DATABASE_URL"]
        url, created = own_postgresql_database(base, XDIST_WORKER, HUEY_BACKEND)
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        _upgrade(url)
        yield url
        if created:
            drop_postgresql_database(base, url)
        return
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    _upgrade(f"sqlite:///{path}")
    yield str(path)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, database_template: str, tmp_path: Path,
                 tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database of this test's own, migrated and empty; with the ``demo_park`` mark it
    holds the demo park instead (``flask demo`` then finds it there and loads nothing). The
    park is loaded once per process and copied: a load is seconds of CPU, mostly its photos
    and its users' full-cost password hashes."""
    demo = request.node.get_closest_marker("demo_park") is not None
    if BACKEND == "postgresql":
        if demo:
            demo_postgresql(database_template)
        else:
            empty_database(database_template)
        return database_template
    source = demo_sqlite(database_template, tmp_path_factory) if demo else database_template
    # The same file for every test of this process (copied over), so that its engine is kept.
    return copy_sqlite_template(source, tmp_path_factory.getbasetemp() / "duban.sqlite")


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
        """The token a page of this session would carry, made as Flask-WTF's generate_csrf
        makes it (the session's raw token, signed), without rendering a page for it: a
        signed-in GET of /login rendered the whole dashboard before every POST."""
        with self.session_transaction() as session:
            if not isinstance(session.get("csrf_token"), str):
                session["csrf_token"] = hashlib.sha1(os.urandom(64)).hexdigest()
            raw = session["csrf_token"]
        config = self.application.config
        secret = config.get("WTF_CSRF_SECRET_KEY") or self.application.secret_key
        return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)

    def _open(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        csrf = kwargs.pop("csrf", True)
        method = kwargs.get("method", "GET")
        if csrf and method in ("POST", "PUT", "PATCH", "DELETE"):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        return FlaskClient.open(self, *args, **kwargs)


TEMPLATES = SessionTemplateCache()
share_url_builders()
db._make_engine = KeptEngines(db._make_engine)  # one engine per database: KeptEngines


@pytest.fixture
def app(database_url: str):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True})
    app.test_client_class = CSRFClient
    app.jinja_env.bytecode_cache = TEMPLATES
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

    def make(name: str = "园区经济发展局", commit: bool = True) -> Unit:
        unit = db.session.scalar(db.select(Unit).where(Unit.name == name))
        if unit is None:
            unit = Unit(name=name)
            db.session.add(unit)
            if commit:
                db.session.commit()
            else:
                db.session.flush()  # its id for the user made in the same transaction
        return unit

    return make


@functools.cache
def password_hash(password: str, cheap: bool = True) -> str:
    """A hash of ``password`` for the users tests make: the app's own method (``set_password``),
    made once per session, with scrypt's work factor lowered from the app's 2**15 to 2**11
    unless ``cheap`` is false. Signing in checks it through the app's own code (the factor is
    read from the hash); the app's cost is kept for every password the app sets itself. Most
    tests make five users and sign in, and each full-cost hash or check is about 0.1 s of CPU."""
    from werkzeug.security import generate_password_hash

    from tracker.auth.models import User

    user = User()
    user.set_password(password)
    method = user.password_hash.split("$", 1)[0]
    if cheap and method.startswith("scrypt:"):
        _, _, r, p = method.split(":")
        return generate_password_hash(password, method=f"scrypt:{2**11}:{r}:{p}")
    return user.password_hash


@pytest.fixture
def cheap_password_hashes() -> bool:
    """Whether ``make_user`` gives its users the cheap hash of ``password_hash``; a module where
    a sign-in must take as long as in production overrides this with False."""
    return True


@pytest.fixture
def make_user(app, make_unit, cheap_password_hashes):
    from tracker.auth.models import Role, User

    def make(login: str, role: str = "member", unit: str | None = "园区经济发展局",
             name: str | None = None, password: str = PASSWORD, commit: bool = True) -> User:
        user = User(login=login, name=name or login, role=Role(role),
                    unit=make_unit(unit, commit) if unit else None)
        user.password_hash = password_hash(password, cheap_password_hashes)
        db.session.add(user)
        if commit:
            db.session.commit()
        return user

    return make


@pytest.fixture
def users(make_user) -> dict:
    """One user per role, plus a second member of another unit, made in one transaction (most
    tests start so; a commit each cost a tenth of a short PostgreSQL test)."""
    made = {key: make_user(*args, name=name, commit=False) for key, args, name in (
        ("admin", ("admin1", "admin"), "管理员"),
        ("supervisor", ("super1", "supervisor", "园区管委会督查室"), "陈督查"),
        ("member", ("lead1", "member"), "张伟"),
        ("other_member", ("lead2", "member", "园区规划建设局"), "李娜"),
        ("viewer", ("view1", "viewer", None), "王主任"))}
    db.session.commit()
    return made


@pytest.fixture
def login(client):
    def do(user_or_login, password: str = PASSWORD):
        name = getattr(user_or_login, "login", user_or_login)
        return client.post("/login", data={"login": name, "password": password})

    return do


NEW_YEAR_2026 = datetime(2026, 1, 1)  # make_project's creation time (stored UTC)


@pytest.fixture
def make_project(app, make_unit):
    """``make_project("A1", level="省重点", plan=10000, months={1: 1000, 2: 1200})``.

    ``created`` (stored UTC) is 1 January 2026 unless given: what a test's months are due for
    must not depend on the day the suite runs (``created=utcnow()`` for "created today")."""
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
             total=None, archived_on: date | None = None, industry: str = "新材料",
             created: datetime = NEW_YEAR_2026) -> Project:
        project = Project(
            code=code, name=name or f"{code}项目", level=Level(level), industry=industry,
            stage=Stage.CONSTRUCTION, responsible_unit=make_unit("园区经济发展局"),
            lead=lead, total_investment=Decimal(str(total)) if total is not None else None,
            archived_on=archived_on, created_at=created,
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
def today(app) -> date:
    """The park's today (its time zone), as the pages see it."""
    from tracker.timeutil import today as today_in

    return today_in(app.config["TIMEZONE"])


def set_milestone(code: str, name: str, planned=None, actual=None, na=False):  # noqa: ANN001, ANN201
    """Set a template milestone's data directly (the project gets its milestones first)."""
    from sqlalchemy import select

    from tracker.milestones.models import MilestoneTemplate, ProjectMilestone
    from tracker.milestones.queries import ensure_rows
    from tracker.projects.models import Project

    ensure_rows()
    m = db.session.scalar(
        select(ProjectMilestone).join(Project).join(MilestoneTemplate)
        .where(Project.code == code, MilestoneTemplate.name == name))
    m.planned_on, m.actual_on, m.not_applicable = planned, actual, na
    db.session.commit()
    return m


@pytest.fixture
def plan(app):
    """``plan("A1", "开工建设", planned=…, actual=…, na=…)``: set a milestone's data directly."""
    return set_milestone


@pytest.fixture
def count_queries(app):
    """``with count_queries() as q: ...`` then ``q.count``: SQL statements run inside. The
    app's cache of figures and fragments (``tracker.cache``) starts empty, so a page is counted
    as computed, however the test reached it."""
    from contextlib import contextmanager

    from sqlalchemy import event

    class Counter:
        count = 0
        statements: list

    @contextmanager
    def counting():
        counter = Counter()
        counter.statements = []
        app.extensions.get("duban_cache", {}).clear()

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


@pytest.fixture(scope="session")
def zygote():
    """Forks job workers from a process that imported the app once (``tests/jobworker.py``)."""
    from tests.jobworker import Zygote

    zygote = Zygote()
    yield zygote
    zygote.stop()


@pytest.fixture
def worker(app, zygote):
    """A real ``flask worker`` process (huey consumer) on this test's database and queue,
    forked from ``zygote`` with this test's environment."""
    from tracker.jobs import huey

    huey.flush()  # tasks left by earlier tests name job ids of other databases
    proc = zygote.fork(dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"]))
    yield proc
    proc.terminate()
    proc.wait(30)  # it stops at once; a machine running other suites beside this one needed >10 s


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
