"""Sending notifications (the only writer of the ``notifications`` table) and reading marks.

``send`` turns reminders (``tracker.reminders.due.Reminder``: kind, subject, recipient, step,
text, path) into rows, one per channel: in the app always, by e-mail when the user has an
address and has not turned e-mail off; reminders without a recipient go to group robots. Each row is inserted
with ON CONFLICT DO NOTHING on its unique key and only the process whose insert won delivers
it, after its transaction commits: two passes, two workers or a pass run twice send once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tracker.audit.service import apply_changes
from tracker.auth.models import Unit, User
from tracker.errors import Forbidden, NotFound, Refused
from tracker.extensions import db
from tracker.notify.delivery import deliver
from tracker.notify.models import Channel, Delivery, Notification
from tracker.reminders.due import Reminder
from tracker.timeutil import utcnow

KEY = ("kind", "subject", "recipient", "step", "channel")


@dataclass
class Outcome:
    """What one reminder became: who, through which channels, and which were new now."""

    text: str
    who: str
    kind: str
    channels: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # new, but the first try failed


@dataclass
class _Row:
    values: dict
    outcome: Outcome


def rows_for(reminders: Iterable[Reminder], base_url: str, settings: dict[str, str]) -> list[_Row]:
    everything = list(reminders)
    reminders = [r for r in everything if r.recipient_id is not None]
    robots = [r for r in everything if r.recipient_id is None]
    ids = {r.recipient_id for r in reminders}
    people = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_(ids), User.active.is_(True)))} if ids else {}
    unit_ids = {r.unit_id for r in robots if r.unit_id is not None}
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))} if unit_ids else {}
    rows: list[_Row] = []
    for r in reminders:
        user = people.get(r.recipient_id)
        if user is None:
            continue
        outcome = Outcome(r.text.replace("{link}", base_url + r.path), f"{user.name}（{user.login}）", r.kind)
        common = {"kind": r.kind, "subject": r.subject, "recipient": f"user:{user.id}", "step": r.step,
                  "user_id": user.id, "text": r.text, "link": base_url + r.path, "path": r.path}
        rows.append(_Row({**common, "channel": Channel.APP, "address": ""}, outcome))
        if user.email and user.notify_email:
            rows.append(_Row({**common, "channel": Channel.EMAIL, "address": user.email}, outcome))
    for m in robots:
        unit = units.get(m.unit_id) if m.unit_id is not None else None
        if m.unit_id is not None and unit is None:
            continue
        if unit is not None:
            hooks = ((Channel.WECOM, unit.wecom_webhook), (Channel.DINGTALK, unit.dingtalk_webhook))
            who, recipient = f"{unit.name}工作群", f"unit:{unit.id}"
        else:
            hooks = ((Channel.WECOM, settings.get("office_wecom_webhook", "")),
                     (Channel.DINGTALK, settings.get("office_dingtalk_webhook", "")))
            who, recipient = "督查室工作群", "office"
        outcome = Outcome(m.text.replace("{link}", base_url + m.path), who, m.kind)
        for channel, url in hooks:
            if url:
                rows.append(_Row({"kind": m.kind, "subject": m.subject, "recipient": recipient,
                                  "step": m.step, "channel": channel, "unit_id": m.unit_id,
                                  "text": m.text, "link": base_url + m.path, "path": m.path,
                                  "address": url.split("?", 1)[0]}, outcome))
    return rows


def insert_once(values: dict) -> int | None:
    """Insert unless the key exists; the new row's id, or None when another got there first."""
    dialect = db.session.get_bind().dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    app = values["channel"] is Channel.APP
    stmt = make(Notification).values(
        **values, state=Delivery.SENT if app else Delivery.PENDING, sent_at=utcnow() if app else None,
        attempts=1 if app else 0, error="", created_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=list(KEY)).returning(Notification.id)
    return db.session.execute(stmt).scalar_one_or_none()


def send(reminders: Iterable[Reminder], base_url: str, *, settings: dict[str, str] | None = None,
         dry_run: bool = False) -> list[Outcome]:
    """Record and deliver what is new; a dry run only says what would go and what went before.

    Reminders without a recipient go to the group robots of their unit (or the office's,
    whose webhooks ``settings`` holds)."""
    rows = rows_for(reminders, base_url, settings or {})
    outcomes: dict[int, Outcome] = {}
    if dry_run:
        keys = [tuple(row.values[k] for k in KEY) for row in rows]
        sent = set()
        if keys:
            cols = tuple_(*(getattr(Notification, k) for k in KEY))
            sent = {tuple(r) for r in db.session.execute(
                select(*(getattr(Notification, k) for k in KEY)).where(cols.in_(keys)))}
        for row, key in zip(rows, keys, strict=True):
            row.outcome.channels.append(row.values["channel"].value)
            if key not in sent:
                row.outcome.new.append(row.values["channel"].value)
            outcomes[id(row.outcome)] = row.outcome
        return list(outcomes.values())
    outward: list[tuple[int, _Row]] = []
    for row in rows:
        new_id = insert_once(row.values)
        row.outcome.channels.append(row.values["channel"].value)
        if new_id is not None:
            row.outcome.new.append(row.values["channel"].value)
            if row.values["channel"] is not Channel.APP:
                outward.append((new_id, row))
        outcomes[id(row.outcome)] = row.outcome
    db.session.commit()
    for nid, row in outward:
        if deliver(nid) is not Delivery.SENT:
            row.outcome.failed.append(row.values["channel"].value)
    return list(outcomes.values())


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of the user's in-app notifications read; NotFound for anyone else's."""
    n = db.session.get(Notification, notification_id)
    if n is None or n.user_id != user.id or n.channel is not Channel.APP:
        raise NotFound("该通知不存在。")
    if n.read_at is None:
        n.read_at = utcnow()
        db.session.commit()
    return n


def mark_all_read(user: User) -> int:
    """Mark every unread in-app notification of the user read; how many were."""
    result = db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.channel == Channel.APP,
        Notification.read_at.is_(None)).values(read_at=utcnow()))
    db.session.commit()
    return result.rowcount or 0


EMAIL_RE = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")


def set_preferences(actor: User | None, user: User, email: str, notify_email: bool) -> dict:
    """A user's e-mail address and whether reminders come by e-mail (own, an admin's change, or
    the command line's with ``actor`` None); audited. Refused with the field's message on a
    malformed address."""
    if actor is not None and actor.id != user.id and not actor.is_admin:
        raise Forbidden("只能修改自己的通知设置。")
    email = (email or "").strip()
    if len(email) > 254 or (email and not EMAIL_RE.match(email)):
        raise Refused({"email": "邮箱地址格式不正确，例如 zhangwei@example.com。"})
    changed = apply_changes(user, {"email": email, "notify_email": bool(notify_email)},
                            user_id=actor.id if actor else None, table="users", label=user.login,
                            project_id=None,
                            note="通知设置")
    db.session.commit()
    return changed
