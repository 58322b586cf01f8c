"""The tests' databases: migrating, emptying and copying them, and the demo park loaded once
per process and copied for every test marked ``demo_park`` (used by ``tests/conftest.py``)."""

from __future__ import annotations

import functools
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.pool import NullPool

from tracker import create_app
from tracker.extensions import db


def _upgrade(url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()



@functools.cache
def _kept_engine(url: str) -> Engine:
    """One engine per PostgreSQL database for emptying it between tests: a new engine's first
    connection (a server process, the dialect's set-up queries) cost more than the emptying."""
    return create_engine(url)


def _engine(url: str) -> Engine:
    return _kept_engine(url) if url.startswith("postgresql") else create_engine(url, poolclass=NullPool)


def empty_database(url: str) -> None:
    """Delete every row and start the ids again (migrated tables stay)."""
    with _engine(url).begin() as conn:
        _delete_all(conn)
        _seed_as_migrated(conn)


def _delete_all(conn) -> None:  # noqa: ANN001
    """Delete every row, children first, and start every id again.

    DELETE, not TRUNCATE: on PostgreSQL TRUNCATE gives every table and index a new file and
    took 40–170 ms a test (70 % of the server's work in a run), DELETE about 8. A table emptied
    so hands back later rows in no fixed order (freed slots are reused), which is what
    PostgreSQL does in production after any update too: no page and no test may read an
    unordered SELECT as insertion order, and ``_unordered_selects_reversed`` keeps it so."""
    for table in reversed(db.metadata.sorted_tables):
        conn.execute(table.delete())
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT setval(c.oid, 1, false) FROM pg_class c"
                          " WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace"))
    elif conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")).first():
        conn.execute(text("DELETE FROM sqlite_sequence"))


@event.listens_for(Engine, "connect")
def _unordered_selects_reversed(dbapi_connection, connection_record) -> None:  # noqa: ANN001
    """SQLite in the tests hands back the rows of a SELECT without ORDER BY in reverse order
    (``PRAGMA reverse_unordered_selects``): a page or a test that leans on insertion order
    fails here every time instead of now and then on PostgreSQL."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA reverse_unordered_selects=ON")
        cursor.close()


def _seed_as_migrated(conn) -> None:  # noqa: ANN001
    """The rows the migrations insert, which emptying removed: the default milestone template
    and the work report's default indicators."""
    from tracker.milestones.status import DEFAULT_TEMPLATE

    for position, (name, key) in enumerate(DEFAULT_TEMPLATE, start=1):
        conn.execute(text(
            "INSERT INTO milestone_templates (name, position, retired, key, created_at)"
            " VALUES (:name, :position, false, :key, CURRENT_TIMESTAMP)"),
            {"name": name, "position": position, "key": key.value if key else None})
    from tracker.workreport.sentences import DEFAULT_INDICATORS

    if not inspect(conn).has_table("wr_indicators"):
        return  # a migration test left this worker's database at an older revision
    for position, (key, name) in enumerate(DEFAULT_INDICATORS, start=1):
        conn.execute(text(
            "INSERT INTO wr_indicators (name, key, position, retired)"
            " VALUES (:name, :key, :position, false)"),
            {"name": name, "key": key, "position": position})



def copy_sqlite_template(template: str, path: Path) -> str:
    """A migrated, empty SQLite database at ``path``; returns its URL."""
    # The backup API copies what sits in the WAL too, which a file copy would miss.
    source, target = sqlite3.connect(template), sqlite3.connect(path)
    source.backup(target)
    source.close()
    target.close()
    return f"sqlite:///{path}"


def _load_demo(url: str) -> None:
    """``flask demo`` on the database at ``url``, as a test's ``runner`` invokes it."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        db.session.remove()
        db.engine.dispose()


_DEMO: dict[str, object] = {}  # per process: the demo park's SQLite file, or its PostgreSQL copy


def demo_sqlite(template: str, factory: pytest.TempPathFactory) -> str:
    """A SQLite file holding the demo park, loaded once per process."""
    if template not in _DEMO:
        path = factory.mktemp("demo") / "demo.sqlite"
        _load_demo(copy_sqlite_template(template, path))
        _DEMO[template] = str(path)
    return _DEMO[template]


def demo_postgresql(url: str) -> None:
    """Fill the worker's database with the demo park: loaded once per process, its rows kept
    in a schema of their own (``demo_park``) and copied back for every test that asks."""
    tables = db.metadata.sorted_tables
    engine = _engine(url)
    if url not in _DEMO:
        empty_database(url)
        _load_demo(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS demo_park CASCADE; CREATE SCHEMA demo_park"))
            for table in tables:
                conn.execute(text(f'CREATE TABLE demo_park."{table.name}" AS TABLE public."{table.name}"'))
            _DEMO[url] = conn.execute(text(
                "SELECT sequencename, last_value FROM pg_sequences"
                " WHERE schemaname = 'public' AND last_value IS NOT NULL")).all()
    else:
        with engine.begin() as conn:
            _delete_all(conn)
            for table in tables:
                columns = ", ".join(f'"{c.name}"' for c in table.columns)
                conn.execute(text(
                    f'INSERT INTO public."{table.name}" ({columns}) OVERRIDING SYSTEM VALUE'
                    f' SELECT {columns} FROM demo_park."{table.name}"'))
            for sequence, value in _DEMO[url]:
                conn.execute(text("SELECT setval(CAST(:name AS regclass), :value)"),
                             {"name": f'public."{sequence}"', "value": value})


def own_postgresql_database(base: str, worker: str, queue: str) -> tuple[str, bool]:
    """The database this process tests on: ``TEST_DATABASE_URL``'s own in a plain run; under
    xdist or on the Redis queue a fresh one beside it (``CREATE DATABASE``), so that side-by-side
    runs on one server never meet. Returns its URL and whether it was created here."""
    if not worker and queue == "sqlite":
        return base, False
    url = make_url(base)
    name = f"{url.database or 'postgres'}_{queue}_{worker or 'main'}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False), True


def drop_postgresql_database(base: str, url: str) -> None:
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    engine.dispose()
