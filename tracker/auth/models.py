"""Users, their roles and units (责任单位), and sign-in throttling state."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.extensions import db, str_enum
from tracker.timeutil import utcnow

MIN_PASSWORD = 8


def _new_stamp() -> str:
    return secrets.token_hex(8)


class Role(StrEnum):
    """What a user may do (DESIGN.md section 1)."""

    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    MEMBER = "member"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return {
            "admin": "管理员",
            "supervisor": "督查室",
            "member": "项目负责人",
            "viewer": "领导",
        }[self.value]


class Unit(db.Model):
    """责任单位 / 业主单位: a park department, a district bureau, an enterprise."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The unit's group robots (DESIGN.md section 13): empty when it has none.
    wecom_webhook: Mapped[str] = mapped_column(String(500), default="", server_default="")
    dingtalk_webhook: Mapped[str] = mapped_column(String(500), default="", server_default="")
    dingtalk_secret: Mapped[str] = mapped_column(String(200), default="", server_default="")

    def __repr__(self) -> str:
        return f"<Unit {self.name}>"


class User(UserMixin, db.Model):
    """A person signing in; ``password_hash`` is None until a password is set."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str | None] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Part of every session's user id: a new stamp ends every session signed in before it.
    session_stamp: Mapped[str] = mapped_column(String(32), default=_new_stamp, server_default="")
    # Reminders by e-mail when an address is set and the user has not turned them off.
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    notify_email: Mapped[bool] = mapped_column(default=True, server_default="1")

    unit: Mapped[Unit | None] = relationship()

    def get_id(self) -> str:
        """What the session keeps: the id and the stamp (Flask-Login's alternative token)."""
        return f"{self.id}:{self.session_stamp}"

    def end_sessions(self) -> None:
        """Sign the user out everywhere (logout, password change, deactivation, new role)."""
        self.session_stamp = _new_stamp()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def can_supervise(self) -> bool:
        """For templates; services ask ``tracker.auth.permissions``."""
        return self.role in (Role.ADMIN, Role.SUPERVISOR)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.login}>"


class LoginThrottle(db.Model):
    """Failed sign-ins per key ("login:NAME" or "addr:IP"), shared by every worker."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(default=utcnow)
    blocked_until: Mapped[datetime | None]
