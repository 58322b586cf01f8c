"""Authentication: password checks and sign-in throttling shared by every worker.

Failures are counted per login and per client address in the database, so
that the count holds across gunicorn workers and hosts. After ``FREE_TRIES``
failures in a row a key waits, and the wait doubles with each further failure
(capped at ``MAX_WAIT``). A success clears the login's counter.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.auth.models import LoginThrottle, Role, Unit, User
from tracker.extensions import db
from tracker.timeutil import utcnow

FREE_TRIES = 5
BASE_WAIT = timedelta(seconds=30)
MAX_WAIT = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=1)


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


def check_throttle(login: str, address: str | None) -> None:
    """Raise ``ThrottledError`` while any of the keys must wait."""
    now = utcnow()
    rows = db.session.scalars(
        select(LoginThrottle).where(LoginThrottle.key.in_(_keys(login, address)))
    ).all()
    waits = [r.blocked_until - now for r in rows if r.blocked_until and r.blocked_until > now]
    if waits:
        raise ThrottledError(int(max(waits).total_seconds()) + 1)


def _note_failure(key: str, address_key: bool) -> None:
    now = utcnow()
    # Workers fail sign-ins at the same moment: create the row race-free, then lock it.
    insert = sqlite_insert if db.engine.dialect.name == "sqlite" else pg_insert
    db.session.execute(
        insert(LoginThrottle)
        .values(key=key, failures=0, last_failure_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    row = db.session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
    if now - row.last_failure_at > FORGET_AFTER:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    # An address serves many people (an office NAT): it gets more room than one login.
    free = FREE_TRIES * 4 if address_key else FREE_TRIES
    if row.failures >= free:
        # The exponent is capped: past MAX_WAIT it only matters that it cannot overflow.
        wait = min(BASE_WAIT * (2 ** min(row.failures - free, 10)), MAX_WAIT)
        row.blocked_until = now + wait


def authenticate(login: str, password: str, address: str | None) -> User | None:
    """The user when login and password match; counts a failure otherwise.

    Raises ``ThrottledError`` before checking anything while a wait is running.
    """
    check_throttle(login, address)
    user = db.session.scalar(select(User).where(User.login == login.strip()))
    if user is None or not user.password_hash:
        # Spend the same time as a real check, so the answer's delay does not tell
        # whether the login exists.
        check_password_hash(_dummy_hash(), password)
    elif user.active and user.check_password(password):
        row = db.session.get(LoginThrottle, _keys(login, None)[0])
        if row is not None:
            db.session.delete(row)
        db.session.commit()
        return user
    for key in _keys(login, address):
        _note_failure(key, key.startswith("addr:"))
    db.session.commit()
    return None


def create_user(
    login: str,
    role: str,
    password: str | None,
    *,
    name: str | None = None,
    unit_name: str | None = None,
    must_change_password: bool = False,
) -> User:
    """Create a user; raises ``ValueError`` with a Chinese message on bad input."""
    from tracker.auth.forms import MIN_PASSWORD

    errors = []
    login = login.strip()
    if not login or len(login) > 64:
        errors.append("账号不能为空且不超过 64 个字符")
    if role not in {r.value for r in Role}:
        errors.append(f"角色“{role}”不存在，可选：admin、supervisor、member、viewer")
    if db.session.scalar(select(User.id).where(User.login == login)):
        errors.append(f"账号“{login}”已存在")
    unit = None
    if unit_name:
        unit = db.session.scalar(select(Unit).where(Unit.name == unit_name))
        if unit is None:
            errors.append(f"单位“{unit_name}”不存在")
    if password is not None and len(password) < MIN_PASSWORD:
        errors.append(f"密码至少 {MIN_PASSWORD} 位")
    if errors:
        raise ValueError("\n".join(errors))
    user = User(
        login=login,
        name=name or login,
        role=Role(role),
        unit=unit,
        must_change_password=must_change_password,
    )
    if password is not None:
        user.set_password(password)
    db.session.add(user)
    return user
