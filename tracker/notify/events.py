"""Events sent at once (DESIGN.md section 13): 交办, 退回, 待确认 sent back or confirmed.

Services call ``tell`` inside their own transaction: the in-app rows commit (or roll back) with
the change they announce, and the e-mails and robot messages are queued for the worker once
the transaction has committed, so no request waits on a mail server. Links start with
``PUBLIC_URL``, else the request's host.
"""

from __future__ import annotations

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tracker.auth.models import Role, User
from tracker.extensions import db
from tracker.notify.models import Channel
from tracker.notify.service import insert_once, rows_for
from tracker.reminders.due import Reminder

PENDING = "notify_outward"


def link_base() -> str:
    """``PUBLIC_URL``, else the host the request came to (events happen in requests)."""
    from flask import current_app, has_request_context, request

    url = current_app.config.get("PUBLIC_URL", "")
    if url:
        return url
    return request.host_url.rstrip("/") if has_request_context() else "http://127.0.0.1:5000"


def unit_members(unit_id: int | None) -> list[int]:
    """The active members of a unit (who an issue is assigned to)."""
    if unit_id is None:
        return []
    return list(db.session.scalars(select(User.id).where(
        User.unit_id == unit_id, User.active.is_(True), User.role == Role.MEMBER).order_by(User.id)))


def tell(kind: str, subject: str, step: str, people: list[int], text: str, path: str,
         unit_id: int | None = None) -> None:
    """Announce an event to ``people`` (and the unit's group robots): rows in the caller's
    transaction, outward deliveries after its commit."""
    from tracker.settings import park_settings

    reminders = [Reminder(kind, subject, p, step, text, path) for p in dict.fromkeys(people)]
    if unit_id is not None:
        reminders.append(Reminder(kind, subject, None, step, text, path, unit_id))
    for row in rows_for(reminders, link_base(), park_settings()):
        new_id = insert_once(row.values)
        if new_id is not None and row.values["channel"] is not Channel.APP:
            db.session.info.setdefault(PENDING, []).append(new_id)


@event.listens_for(Session, "after_commit")
def _queue_outward(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if pending:
        from tracker.notify.delivery import deliver_later

        for nid in pending:
            deliver_later(nid)


@event.listens_for(Session, "after_rollback")
def _forget_outward(session: Session) -> None:
    session.info.pop(PENDING, None)
