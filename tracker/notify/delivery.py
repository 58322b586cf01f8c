"""Delivering one notification row through its channel, with retries through the job queue.

A failure is recorded on the row (``error``, ``attempts``) and retried ``RETRIES`` times,
waiting ``NOTIFY_RETRY_SECONDS`` × 1, 2, 4 (a huey task scheduled by the failing process; a
``flask worker`` runs it); after the last the row says 失败 and ``/admin/notifications`` lists
it with the reason. A row already 已发送 or 失败 is never sent again, so a retry that arrives
twice does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from email.utils import parseaddr
from pathlib import Path

from flask import current_app, has_app_context

from tracker.extensions import db
from tracker.jobs import huey, worker_app
from tracker.notify import channels
from tracker.notify.models import Channel, Delivery, Notification
from tracker.settings import park_settings
from tracker.timeutil import utcnow

RETRIES = 3


def retry_delay(attempts: int) -> float:
    """Seconds before the next try after ``attempts`` failed ones: base × 1, 2, 4."""
    return float(current_app.config["NOTIFY_RETRY_SECONDS"]) * 2 ** (attempts - 1)


# Files a kind of message carries (the brief's PDF and .docx): the domain that owns them, above
# this one, registers a source at start-up: source(notification) → [(name, MIME type, bytes)].
_attachment_sources: dict[str, Callable[[Notification], list[tuple[str, str, bytes]]]] = {}


def set_attachment_source(kind: str, source: Callable[[Notification], list]) -> None:
    _attachment_sources[kind] = source


def _send(n: Notification) -> str:
    config = current_app.config
    if n.channel is Channel.EMAIL:
        # A reader outside the app is addressed as 名称 <邮箱>.
        name, address = parseaddr(n.address)
        source = _attachment_sources.get(n.kind)
        msg = channels.build_mail(sender=config["MAIL_FROM"], to=address or n.address,
                                  to_name=n.user.name if n.user else name,
                                  park=park_settings()["park_name"], text=n.text, link=n.link,
                                  attachments=source(n) if source else ())
        stamp = utcnow().strftime("%Y%m%d-%H%M%S")
        return channels.send_mail(msg, config["SMTP_URL"], Path(current_app.instance_path) / "outbox",
                                  f"{stamp}-{n.id}")
    if n.channel in (Channel.WECOM, Channel.DINGTALK):
        url, secret = _robot_of(n)
        address = channels.dingtalk_address(url, secret) if n.channel is Channel.DINGTALK else url
        channels.send_robot(address, channels.robot_body(n.channel.value, channels.mail_subject(n.text),
                                                         n.text, n.link))
        return n.address
    return ""


def _robot_of(n: Notification) -> tuple[str, str]:
    """The webhook and secret in force now (an admin may have corrected them since)."""
    if n.unit is not None:
        if n.channel is Channel.WECOM:
            return n.unit.wecom_webhook or n.address, ""
        return n.unit.dingtalk_webhook or n.address, n.unit.dingtalk_secret
    s = park_settings()
    if n.channel is Channel.WECOM:
        return s.get("office_wecom_webhook", "") or n.address, ""
    return s.get("office_dingtalk_webhook", "") or n.address, s.get("office_dingtalk_secret", "")


def deliver(notification_id: int) -> Delivery | None:
    """Try once; record the outcome; schedule the next try after a failure."""
    n = db.session.get(Notification, notification_id)
    if n is None or n.state in (Delivery.SENT, Delivery.FAILED):
        return n.state if n else None
    try:
        _send(n)
    except Exception as exc:  # noqa: BLE001  (every reason is the admin's to read)
        n.attempts += 1
        n.error = f"{exc.__class__.__name__}: {exc}"[:1000]
        n.state = Delivery.FAILED if n.attempts > RETRIES else Delivery.RETRYING
        db.session.commit()
        if n.state is Delivery.RETRYING:
            deliver_later.schedule((n.id,), delay=retry_delay(n.attempts))
        current_app.logger.warning("notification %s: attempt %s failed: %s", n.id, n.attempts, n.error)
        return n.state
    n.attempts += 1
    n.state, n.sent_at, n.error = Delivery.SENT, utcnow(), ""
    db.session.commit()
    return n.state


@huey.task()
def deliver_later(notification_id: int) -> None:
    """The next try, in a worker."""
    if has_app_context():
        deliver(notification_id)
        return
    with worker_app().app_context():
        deliver(notification_id)
