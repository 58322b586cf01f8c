"""A cached page costs one trip to the database (issue 18 on PostgreSQL): the signed-in
request's one statement (user, data version, bell) is read outside any transaction, so psycopg
sends no BEGIN before it and no ROLLBACK after it. Writes keep their whole transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, update

from tracker.extensions import db
from tracker.projects.models import MonthlyReport, Project


@pytest.fixture
def park(users, make_project):
    return make_project("A1", name="储能电站项目", plan=10000, lead=users["member"],
                        months={m: 500 for m in range(1, 7)}, total=50000)


def in_transaction(dbapi_connection) -> bool:  # noqa: ANN001
    """Whether the driver's connection is inside a transaction: psycopg reports the server's
    own status (from its last ReadyForQuery), sqlite3 its own."""
    info = getattr(dbapi_connection, "info", None)
    if hasattr(info, "transaction_status"):
        from psycopg.pq import TransactionStatus

        return info.transaction_status != TransactionStatus.IDLE
    return dbapi_connection.in_transaction


def requested(client, url: str) -> tuple[object, list[tuple[str, bool]]]:
    """The answer to ``url`` and each SQL statement it ran, with whether the connection was
    inside a transaction right after it (a BEGIN before it leaves it so until a ROLLBACK)."""
    seen: list[tuple[str, bool]] = []

    def after(conn, cursor, statement, *args) -> None:  # noqa: ANN001, ANN002
        seen.append((statement, in_transaction(conn.connection.dbapi_connection)))

    event.listen(db.engine, "after_cursor_execute", after)
    try:
        return client.get(url), seen
    finally:
        event.remove(db.engine, "after_cursor_execute", after)


@pytest.mark.parametrize("url", ["/?period=2026-06", "/projects?period=2026-06", "/issues",
                                 "/milestones", "/report/2026-06"])
def test_a_cached_page_is_one_statement_outside_any_transaction(client, park, users, login, url):
    login(users["supervisor"])
    client.get(url)  # the wall chart's first visit adds the projects' milestone rows (a write)
    first = client.get(url)
    assert first.status_code == 200
    for _ in range(6):  # past psycopg's prepare threshold too: prepared, still one trip
        again, statements = requested(client, url)
        assert again.status_code == 200 and again.data == first.data  # the same page
        assert len(statements) == 1, [s for s, _ in statements]
        statement, inside = statements[0]
        assert "data_version" in statement and "notifications" in statement
        assert not inside, "the cached page's statement ran inside a transaction (BEGIN … ROLLBACK)"


def test_the_probe_reads_once_outside_any_transaction(client):
    answer, statements = requested(client, "/healthz")
    assert answer.status_code == 200 and answer.get_data(as_text=True) == "ok"
    assert len(statements) == 1 and not statements[0][1]


def test_a_write_after_cached_pages_is_still_all_or_nothing(client, park, users, login):
    """The connections that served pages in autocommit go back to the pool as they were: a
    write begun on any of them is undone as a whole by its rollback."""
    login(users["supervisor"])
    for _ in range(3):
        assert client.get("/projects?period=2026-06").status_code == 200
    db.session.close()
    held = [db.engine.connect() for _ in range(max(db.engine.pool.checkedin(), 1))]
    try:
        for connection in held:
            connection.execute(update(Project.__table__).values(name="改名未保存"))
            assert in_transaction(connection.connection.dbapi_connection)
            connection.rollback()
            assert connection.execute(select(Project.name)).scalar_one() == "储能电站项目"
            connection.rollback()
    finally:
        for connection in held:
            connection.close()
    assert "储能电站项目" in client.get("/projects?period=2026-06").get_data(as_text=True)


def test_a_write_keeps_its_transaction_and_the_next_page_shows_it(client, park, users, login):
    """A POST reads the user inside its own transaction, writes, bumps the version with its
    data; the next GET (read in autocommit) sees the new version and recomputes the page."""
    login(users["supervisor"])
    assert "3,000.00" in client.get("/projects?period=2026-06").get_data(as_text=True)
    row = db.session.scalar(select(MonthlyReport).where(MonthlyReport.project_id == park.id,
                                                        MonthlyReport.month == 6))
    saved = client.post("/report/2026-06/A1", headers={"HX-Request": "true"}, data={
        "amount": "900", "progress_text": "更正", "next_steps": "", "version": str(row.version)})
    assert saved.status_code == 200
    page = client.get("/projects?period=2026-06").get_data(as_text=True)
    assert "3,400.00" in page and "3,000.00" not in page
