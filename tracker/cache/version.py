"""The data version: one row, bumped by every write transaction in that same transaction.

Cached figures and fragments (``tracker.cache``) are keyed by it. Because the bump commits
with the data it describes, every process and every host reads the new number the moment the
new data is visible, so a cache entry made before a write is never served after it.

How writes are seen, without any domain having to remember it (SQLAlchemy session events):

- ``before_flush``: new, changed or deleted instances of any table but ``UNWATCHED``;
- ``do_orm_execute``: bulk INSERT/UPDATE/DELETE through ``session.execute`` (ORM or Core), and
  textual statements that start with one of those words;
- ``before_commit`` of the outermost transaction: pending changes are flushed, then, if anything
  was written, ``UPDATE data_version SET version = version + 1`` runs as the transaction's last
  statement. Last, so that on PostgreSQL the row's lock is held only while committing (a writer
  holding it waits for nothing else, so two writers cannot deadlock on it).

- ``before_execute`` on every connection: a DML statement run on the session's connection
  directly (``session.connection().execute``) marks that connection; the commit looks there too.

Writes on a connection of their own (``engine.begin()``) are not seen: only the job table's
heartbeat and progress do that, and pages do not show it. Editing the database by hand, or restoring a
backup, needs the app restarted (the README says so for restores already).
"""

from __future__ import annotations

from flask import g, has_app_context
from sqlalchemy import BigInteger, Integer, TextClause, event, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from tracker.extensions import db

# Tables no cached page shows: sign-in throttling, job heartbeats, notifications (the bell is
# read per request), and this one.
UNWATCHED = frozenset({"login_throttles", "jobs", "notifications", "data_version"})
WROTE = "duban_wrote"  # session.info flag: this transaction changed watched data


class DataVersion(db.Model):
    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


def current() -> int:
    """The committed data version as this request's transaction sees it (read once per request,
    and again after the request commits)."""
    if has_app_context() and "data_version" in g:
        return g.data_version
    value = db.session.scalar(select(DataVersion.version).where(DataVersion.id == 1)) or 0
    if has_app_context():
        g.data_version = value
    return value


def remember(value: int) -> None:
    """A version read along with something else (the user loader reads both in one statement)."""
    g.data_version = value or 0


def has_pending_writes(session: Session) -> bool:
    """Whether this transaction wrote, or is about to write, watched data: what it would cache
    could be rolled back, so it must neither read nor fill the cache."""
    return bool(session.info.get(WROTE)) or _changes(session)


def _changes(session: Session) -> bool:
    """New, deleted or really changed (not merely touched) instances of watched tables."""
    return any(_watched(o) for o in (*session.new, *session.deleted)) or any(
        _watched(o) and session.is_modified(o) for o in session.dirty)


def _watched(instance: object) -> bool:
    table = getattr(instance, "__table__", None)
    return table is None or table.name not in UNWATCHED


@event.listens_for(Session, "before_flush")
def _seen_flush(session: Session, flush_context, instances) -> None:  # noqa: ANN001
    if not session.info.get(WROTE) and _changes(session):
        session.info[WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _seen_statement(state) -> None:  # noqa: ANN001
    statement = state.statement
    if isinstance(statement, TextClause):
        if statement.text.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            state.session.info[WROTE] = True
    elif state.is_insert or state.is_update or state.is_delete:
        table = getattr(statement, "table", None)
        if getattr(table, "name", None) not in UNWATCHED:
            state.session.info[WROTE] = True


@event.listens_for(Engine, "before_execute")
def _seen_on_connection(conn, clauseelement, multiparams, params, options) -> None:  # noqa: ANN001
    if isinstance(clauseelement, TextClause):
        wrote = clauseelement.text.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE")
    else:
        table = getattr(clauseelement, "table", None) if getattr(clauseelement, "is_dml", False) else None
        wrote = table is not None and getattr(table, "name", None) not in UNWATCHED
    if wrote:
        conn.info[WROTE] = True


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _connection_done(conn) -> None:  # noqa: ANN001
    conn.info.pop(WROTE, None)


@event.listens_for(Session, "before_commit")
def _bump(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.flush()
    on_connection = session.connection().info.pop(WROTE, False)
    if session.info.pop(WROTE, False) or on_connection:
        table = DataVersion.__table__
        bumped = session.connection().execute(
            update(table).where(table.c.id == 1).values(version=table.c.version + 1))
        if bumped.rowcount == 0:  # a database emptied by hand (the tests' TRUNCATE)
            session.connection().execute(insert(table).values(id=1, version=1))


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:  # noqa: ANN001
    if transaction.parent is None:
        session.info.pop(WROTE, None)
        # The next read in this request is a new transaction: read the version again.
        if has_app_context():
            g.pop("data_version", None)
