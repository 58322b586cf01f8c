"""Authentication: password checks and sign-in throttling shared by every worker.

Failures are counted per login and per client address in the database, so
that the count holds across gunicorn workers and hosts. After ``FREE_TRIES``
failures in a row a key waits, and the wait doubles with each further failure
(capped at ``MAX_WAIT``). A success clears the login's counter.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from sqlalchemy import func, or_, select
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


def role_text(role: Role | None) -> str | None:
    """A role as the audit trail shows it."""
    return None if role is None else f"{role.label}（{role.value}）"


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


def create_user(actor: User | None, values: dict, *, must_change_password: bool = True) -> User:
    """The one way a user is made (admin pages and ``user create``), audited.

    ``values``: login, name, role (Role), unit_id, password. Logins are unique whatever
    their case. ``actor`` None is the command line. Raises ``Refused`` (field → message).
    """
    if actor is not None and not actor.is_admin:
        raise Forbidden("只有管理员可以创建用户。")
    errors: dict[str, str] = {}
    login = (values.get("login") or "").strip()
    if not login or len(login) > 64:
        errors["login"] = "账号不能为空且不超过 64 个字符"
    elif db.session.scalar(select(User.id).where(func.lower(User.login) == login.lower())):
        errors["login"] = f"账号“{login}”已存在"
    check_unit_choice(values.get("unit_id"), errors)
    check_password(values.get("password"), errors)
    if errors:
        raise Refused(errors)
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


