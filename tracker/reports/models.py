"""Period locks: a published month's figures are locked until a supervisor unlocks them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.extensions import db
from tracker.timeutil import utcnow


class PeriodUnlock(db.Model):
    """A supervisor's unlock of a published month's figures, with a reason."""

    __tablename__ = "period_unlocks"
    __table_args__ = (CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    month: Mapped[int]
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    relocked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
