"""Parks run what has landed: each revision upgrades a database of the one before with its
data intact (SQLite and PostgreSQL alike)."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from tracker.extensions import db


def _rows(sql: str) -> list[tuple]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_a_database_of_revision_0001_upgrades_with_its_users_and_jobs(app):
    downgrade(revision="0001")
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO users (login, name, password_hash, role, active, must_change_password,"
            " created_at) VALUES ('wang', '王五', 'x', 'supervisor', true, false, '2026-11-01 08:00:00')"))
        conn.execute(text(
            "INSERT INTO jobs (kind, params, state, done, total, message, result_name, result_type,"
            " created_at, worker) VALUES ('selftest', '{}', '进行中', 1, 3, '第 2 步', '', '',"
            " '2026-11-01 08:00:00', 'host:1')"))
    upgrade()
    assert _rows("SELECT login, name, role, session_stamp FROM users") == [("wang", "王五", "supervisor", "")]
    assert _rows("SELECT kind, state, done, total, message, heartbeat_at FROM jobs") == [
        ("selftest", "进行中", 1, 3, "第 2 步", None)]
    # The upgraded rows work with today's models: the user signs in, the stamp can change.
    from tracker.auth.models import User

    user = db.session.query(User).one()
    user.end_sessions()
    db.session.commit()
    assert len(user.session_stamp) == 16
