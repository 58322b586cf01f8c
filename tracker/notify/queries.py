"""Reading notifications: the bell's count, one's own list, the admins' delivery list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, ScalarSelect, func, select
from sqlalchemy.orm import selectinload

from tracker.auth.models import User
from tracker.extensions import db
from tracker.http import Page, paginate
from tracker.notify.models import Channel, Delivery, Notification
from tracker.timeutil import utc_start

PAGE_SIZE = 50


def unread_count(user: User) -> int:
    """The bell's number: one statement."""
    return db.session.scalar(select(unread_count_of(user.id))) or 0


def unread_count_of(user_id: int | ColumnElement[int]) -> ScalarSelect[int]:
    """The bell's count as a scalar subquery (``user_id``: a value or a column), so that the
    request's user loader reads it in its own statement."""
    return select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.channel == Channel.APP,
        Notification.read_at.is_(None)).scalar_subquery()


def my_notifications(user: User, page: int, unread_only: bool = False) -> tuple[list[Notification], Page]:
    """The user's in-app notifications, newest first: two statements."""
    where = [Notification.user_id == user.id, Notification.channel == Channel.APP]
    if unread_only:
        where.append(Notification.read_at.is_(None))
    total = db.session.scalar(select(func.count(Notification.id)).where(*where)) or 0
    pager = paginate(total, page, PAGE_SIZE)
    rows = list(db.session.scalars(select(Notification).where(*where)
                                   .order_by(Notification.id.desc())
                                   .offset(pager.offset).limit(pager.size)))
    return rows, pager


@dataclass(frozen=True)
class DeliveryFilters:
    """``/admin/notifications``: ``kind``, ``channel``, ``state``, ``from``/``to`` (YYYY-MM-DD)."""

    kind: str = ""
    channel: str = ""
    state: str = ""
    start: date | None = None
    end: date | None = None

    @classmethod
    def from_args(cls, args) -> DeliveryFilters:  # noqa: ANN001
        def day(text: str | None) -> date | None:
            try:
                return date.fromisoformat(text) if text else None
            except ValueError:
                return None

        channel = args.get("channel", "")
        state = args.get("state", "")
        return cls(kind=args.get("kind", "")[:16],
                   channel=channel if channel in {c.value for c in Channel} else "",
                   state=state if state in {s.value for s in Delivery} else "",
                   start=day(args.get("from")), end=day(args.get("to")))

    def args(self) -> dict[str, str]:
        found = {"kind": self.kind, "channel": self.channel, "state": self.state,
                 "from": self.start.isoformat() if self.start else "",
                 "to": self.end.isoformat() if self.end else ""}
        return {k: v for k, v in found.items() if v}


def deliveries(filters: DeliveryFilters, page: int) -> tuple[list[Notification], Page, list[str]]:
    """Every delivery, newest first, filtered; with the kinds there are (for the filter):
    three statements plus one for the users and units shown."""
    where = []
    tz = current_app.config["TIMEZONE"]
    if filters.kind:
        where.append(Notification.kind == filters.kind)
    if filters.channel:
        where.append(Notification.channel == Channel(filters.channel))
    if filters.state:
        where.append(Notification.state == Delivery(filters.state))
    if filters.start:
        where.append(Notification.created_at >= utc_start(filters.start, tz))
    if filters.end:
        where.append(Notification.created_at < utc_start(filters.end + timedelta(days=1), tz))
    total = db.session.scalar(select(func.count(Notification.id)).where(*where)) or 0
    pager = paginate(total, page, PAGE_SIZE)
    rows = list(db.session.scalars(
        select(Notification).where(*where).order_by(Notification.id.desc())
        .options(selectinload(Notification.user), selectinload(Notification.unit))
        .offset(pager.offset).limit(pager.size)))
    kinds = list(db.session.scalars(select(Notification.kind).distinct().order_by(Notification.kind)))
    return rows, pager, kinds
