"""Authentication: password checks and sign-in throttling shared by every worker.

Failures are counted per login and per client address in the database, so
that the count holds across gunicorn workers and hosts. After ``FREE_TRIES``
failures in a row a key waits, and the wait doubles with each further failure
(capped at ``MAX_WAIT``). A success clears the login's counter.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from functools import cache

from sqlalchemy import case, delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.audit.service import record
from tracker.auth.models import MIN_PASSWORD, LoginThrottle, Role, Unit, User
from tracker.errors import Forbidden, Refused
from tracker.extensions import db
from tracker.timeutil import utcnow

FREE_TRIES = 5
BASE_WAIT = timedelta(seconds=30)
MAX_WAIT = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=1)
ADDRESS_FREE_TRIES = FREE_TRIES * 4
ADDRESS_MAX_DELAY = 2.0  # seconds


@cache
def _dummy_hash() -> str:
    return generate_password_hash("not-a-password", method="scrypt")


class ThrottledError(Exception):
    def __init__(self, seconds: int) -> None:
        super().__init__(seconds)
        self.seconds = seconds


def _keys(login: str, address: str | None) -> list[str]:
    keys = [f"login:{login.strip().lower()}"]
    if address:
        keys.append(f"addr:{address}")
    return keys


def _wait(failures: int, free: int) -> timedelta:
    # The exponent is capped: past MAX_WAIT it only matters that it cannot overflow.
    return min(BASE_WAIT * (2 ** min(failures - free, 10)), MAX_WAIT)


def _upsert():  # noqa: ANN202
    return sqlite_insert if db.engine.dialect.name == "sqlite" else pg_insert


def claim_attempt(login: str) -> None:
    """Count a sign-in attempt for ``login`` before its password is checked.

    Raises ``ThrottledError`` while the login's wait runs. The row is created race-free and
    locked (SQLite: the write lock the insert takes; PostgreSQL: ``FOR UPDATE``), and the
    attempt that reaches ``FREE_TRIES`` starts the wait itself, so forty wrong passwords
    sent at once check at most five: the rest find the wait already set. Committed before
    the password is checked, so every worker and host sees it.
    """
    now = utcnow()
    key = _keys(login, None)[0]
    db.session.execute(
        _upsert()(LoginThrottle)
        .values(key=key, failures=0, last_failure_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    row = db.session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
    if row.blocked_until and row.blocked_until > now:
        seconds = int((row.blocked_until - now).total_seconds()) + 1
        db.session.commit()
        raise ThrottledError(seconds)
    if now - row.last_failure_at > FORGET_AFTER:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= FREE_TRIES:
        row.blocked_until = now + _wait(row.failures, FREE_TRIES)
    db.session.commit()


def _note_address_failure(address: str) -> int:
    """Count a failed sign-in from ``address``; returns its failures in the last hour."""
    now = utcnow()
    t = LoginThrottle.__table__
    forgotten = t.c.last_failure_at < now - FORGET_AFTER
    stmt = (
        _upsert()(LoginThrottle)
        .values(key=f"addr:{address}", failures=1, last_failure_at=now)
        .on_conflict_do_update(
            index_elements=["key"],
            set_={"failures": case((forgotten, 1), else_=t.c.failures + 1), "last_failure_at": now},
        )
        .returning(t.c.failures)
    )
    return db.session.execute(stmt).scalar_one()


def authenticate(login: str, password: str, address: str | None,
                 slow_down: Callable[[float], None] = time.sleep) -> User | None:
    """The user when login and password match; counts a failure otherwise.

    Per login: the attempt is counted before the password is checked (``claim_attempt``),
    and after ``FREE_TRIES`` failures a wait begins that even the right password must sit
    out. Per address (an office NAT, or a reverse proxy, serves many people): failures
    are counted but never refuse a right password; past ``ADDRESS_FREE_TRIES`` in an hour,
    each further wrong answer is slowed by up to ``ADDRESS_MAX_DELAY`` seconds.
    """
    claim_attempt(login)
    user = db.session.scalar(select(User).where(User.login == login.strip()))
    if user is None or not user.password_hash:
        # Spend the same time as a real check, so the answer's delay does not tell
        # whether the login exists.
        check_password_hash(_dummy_hash(), password)
    elif user.active and user.check_password(password):
        db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == _keys(login, None)[0]))
        db.session.commit()
        return user
    if address:
        failures = _note_address_failure(address)
        db.session.commit()
        if failures > ADDRESS_FREE_TRIES:
            slow_down(min(0.05 * 2 ** (failures - ADDRESS_FREE_TRIES), ADDRESS_MAX_DELAY))
    else:
        db.session.commit()
    return None


def role_text(role: Role | None) -> str | None:
    """A role as the audit trail shows it."""
    return None if role is None else role.label


def unit_name(unit_id: int | None) -> str | None:
    if unit_id is None:
        return None
    unit = db.session.get(Unit, unit_id)
    return unit.name if unit else None


def unit_choices(include: set[int | None] = frozenset()) -> list[Unit]:
    """Active units, plus those already chosen (an inactive unit may stay where it is)."""
    ids = {i for i in include if i}
    stmt = select(Unit).where(or_(Unit.active.is_(True), Unit.id.in_(ids))).order_by(Unit.name)
    return list(db.session.scalars(stmt))


def check_password(password: str | None, errors: dict[str, str]) -> None:
    """The rule for every new password: at least MIN_PASSWORD characters, at most 200."""
    if not password or len(password) < MIN_PASSWORD:
        errors["password"] = f"密码至少 {MIN_PASSWORD} 位"
    elif len(password) > 200:
        errors["password"] = "密码不能超过 200 位"


def check_unit_choice(unit_id: int | None, errors: dict[str, str], keep: int | None = None) -> None:
    if unit_id is None:
        return
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        errors["unit_id"] = "单位不存在，请从列表中选择"
    elif not unit.active and unit.id != keep:
        errors["unit_id"] = f"单位“{unit.name}”已停用，不能选择"


def new_user_errors(values: dict) -> dict[str, str]:
    """Every problem of a new user's values at once (field → message): the form shows them
    together instead of one round after another."""
    errors: dict[str, str] = {}
    login = (values.get("login") or "").strip()
    if not login or len(login) > 64:
        errors["login"] = "账号不能为空且不超过 64 个字符"
    elif db.session.scalar(select(User.id).where(func.lower(User.login) == login.lower())):
        errors["login"] = f"账号“{login}”已存在"
    check_unit_choice(values.get("unit_id"), errors)
    check_password(values.get("password"), errors)
    return errors


def create_user(actor: User | None, values: dict, *, must_change_password: bool = True) -> User:
    """The one way a user is made (admin pages and ``user create``), audited.

    ``values``: login, name, role (Role), unit_id, password. Logins are unique whatever
    their case. ``actor`` None is the command line. Raises ``Refused`` (field → message).
    """
    if actor is not None and not actor.is_admin:
        raise Forbidden("只有管理员可以创建用户。")
    errors = new_user_errors(values)
    if errors:
        raise Refused(errors)
    login = values["login"].strip()
    user = User(login=login, name=values.get("name") or login, role=values["role"],
                unit_id=values.get("unit_id"), active=True,
                must_change_password=must_change_password)
    user.set_password(values["password"])
    db.session.add(user)
    db.session.flush()
    for field, new in (("login", login), ("name", user.name), ("role", role_text(user.role)),
                       ("unit_id", unit_name(user.unit_id))):
        if new:
            record(user_id=actor.id if actor else None, action="create", table="users",
                   record_id=user.id, label=login, field=field, new=new,
                   note="" if actor else "命令行创建用户")
    db.session.commit()
    return user


