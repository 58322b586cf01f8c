"""Notifications (通知): one row per message per channel, the delivery's record and its lock.

The unique key (kind, subject, recipient, step, channel) is what makes a reminder go out once
whatever the number of workers or passes: a pass inserts the row before it sends, and whoever
loses the insert sends nothing.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import Unit, User
from tracker.extensions import db, str_enum
from tracker.timeutil import utcnow


class Channel(StrEnum):
    APP = "站内"
    EMAIL = "邮件"
    WECOM = "企业微信"
    DINGTALK = "钉钉"


class Delivery(StrEnum):
    PENDING = "待发送"
    RETRYING = "重试中"
    SENT = "已发送"
    FAILED = "失败"


class Notification(db.Model):
    """A message to a person (``user_id``) or a unit's group robot (``unit_id``; none: the
    supervision office's robot). ``recipient`` names either in the unique key."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("kind", "subject", "recipient", "step", "channel"),
        Index("ix_notifications_user_unread", "user_id", "channel", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(80))
    recipient: Mapped[str] = mapped_column(String(40))  # user:ID, unit:ID or office
    step: Mapped[str] = mapped_column(String(16))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "channel"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    text: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(500), default="")  # absolute (PUBLIC_URL + path)
    path: Mapped[str] = mapped_column(String(300), default="")  # the page, inside the app
    address: Mapped[str] = mapped_column(String(254), default="")  # e-mail, or where it went
    state: Mapped[Delivery] = mapped_column(str_enum(Delivery, "delivery"), default=Delivery.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]

    user: Mapped[User | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
