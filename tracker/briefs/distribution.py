"""Sending a published brief to its readers (DESIGN.md section 12): one e-mail per reader with
an address in the settings' 报送 / 抄送 lists, the PDF attached (and the .docx when chosen),
through the notifications' mail channel (section 13) with its delivery record and retries.

Each send is a row of the notifications table, kind 简报 (PDF) or 简报Word (PDF and .docx),
subject ``YYYY-MM/版次``, recipient ``mail:`` and a digest of the address, step 发送 for the
first send of a revision and 重发N for the N-th resend to one reader; the unique key makes a
double click send once. The rows are written in the request and mailed by the worker after the
commit (``notify.events``), so no request waits on a mail server.
"""

from __future__ import annotations

import hashlib
from email.utils import parseaddr

from sqlalchemy import func, select

from tracker.audit.service import record
from tracker.auth.models import User
from tracker.auth.permissions import require_supervisor
from tracker.briefs import recipients
from tracker.briefs.models import Brief, BriefState
from tracker.errors import NotFound, Refused
from tracker.extensions import db
from tracker.notify import events
from tracker.notify.models import Channel, Notification
from tracker.notify.service import insert_once
from tracker.periods import Period
from tracker.settings import park_settings

PDF_ONLY, WITH_WORD = "简报", "简报Word"
KINDS = (PDF_ONLY, WITH_WORD)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def subject_of(brief: Brief) -> str:
    return f"{Period(brief.year, brief.month)}/{brief.revision}"


def readers() -> list[recipients.Recipient]:
    """The settings' 报送 then 抄送 readers that have an e-mail address (once each)."""
    settings = park_settings()
    found: dict[str, recipients.Recipient] = {}
    for key in ("brief_send_to", "brief_copy_to"):
        for reader in recipients.parse(settings.get(key, ""))[0]:
            if reader.email:
                found.setdefault(reader.email.lower(), reader)
    return list(found.values())


def _text(brief: Brief) -> str:
    snapshot = brief.snapshot or {}
    return (f"【督办简报】{snapshot.get('title', '督办简报')}{snapshot.get('issue_label', '')}已发布\n"
            f"{brief.year}年{brief.month}月的督办简报见附件，也可在线查看：{{link}}")


def _row(brief: Brief, reader: recipients.Recipient, step: str, with_word: bool) -> dict:
    path = f"/briefs/{Period(brief.year, brief.month)}"
    digest = hashlib.sha256(reader.email.lower().encode()).hexdigest()[:24]
    return {"kind": WITH_WORD if with_word else PDF_ONLY, "subject": subject_of(brief),
            "recipient": f"mail:{digest}", "step": step, "channel": Channel.EMAIL, "user_id": None,
            "unit_id": None, "text": _text(brief), "link": events.link_base() + path, "path": path,
            "address": f"{reader.name} <{reader.email}>"}  # parseaddr reads it back


def _queue(notification_id: int) -> None:
    db.session.info.setdefault(events.PENDING, []).append(notification_id)


def send(user: User | None, brief: Brief, with_word: bool) -> tuple[int, int]:
    """Send the revision to every reader with an address: (queued now, sent before)."""
    require_supervisor(user, "只有督查室可以发送简报。")
    if brief.state is not BriefState.PUBLISHED:
        raise Refused("简报发布后才能发送。")
    people = readers()
    if not people:
        raise Refused("系统设置中的简报报送、抄送名单没有邮箱地址：请管理员在“系统设置”中填写。")
    already = set(db.session.scalars(select(Notification.recipient).where(
        Notification.kind.in_(KINDS), Notification.subject == subject_of(brief),
        Notification.step == "发送")))
    queued = 0
    for reader in people:
        row = _row(brief, reader, "发送", with_word)
        if row["recipient"] in already:  # sent before, with or without Word: 重发 is per reader
            continue
        new_id = insert_once(row)  # the key makes a double click send once
        if new_id is not None:
            _queue(new_id)
            queued += 1
    record(user_id=user.id, action="send", table="briefs", record_id=brief.id,
           label=f"{brief.year}年{brief.month}月简报第{brief.revision}版",
           note=f"发送简报（{'PDF 与 Word' if with_word else 'PDF'}）：{queued} 位读者")
    db.session.commit()
    return queued, len(people) - queued


def resend(user: User | None, brief: Brief, notification_id: int) -> Notification:
    """Send the revision again to the reader of one earlier delivery."""
    require_supervisor(user, "只有督查室可以发送简报。")
    earlier = db.session.get(Notification, notification_id)
    if earlier is None or earlier.kind not in KINDS or earlier.subject != subject_of(brief):
        raise NotFound("没有这条发送记录。")
    name, email = parseaddr(earlier.address)
    sends = db.session.scalar(select(func.count(Notification.id)).where(
        Notification.kind.in_(KINDS), Notification.subject == earlier.subject,
        Notification.recipient == earlier.recipient))
    values = _row(brief, recipients.Recipient(name, email), f"重发{sends}", earlier.kind == WITH_WORD)
    new_id = insert_once(values)
    if new_id is None:  # a double click: the same resend is already on its way
        raise Refused("刚刚已重发，请稍候刷新查看结果。")
    _queue(new_id)
    record(user_id=user.id, action="send", table="briefs", record_id=brief.id,
           label=f"{brief.year}年{brief.month}月简报第{brief.revision}版", note=f"重发简报：{name}")
    db.session.commit()
    return db.session.get(Notification, new_id)


def deliveries(brief: Brief) -> list[Notification]:
    """Every send of this revision, newest first."""
    return list(db.session.scalars(
        select(Notification).where(Notification.kind.in_(KINDS),
                                   Notification.subject == subject_of(brief))
        .order_by(Notification.id.desc())))


def attachments_for(n: Notification) -> list[tuple[str, str, bytes]]:
    """The files of the revision a delivery names, frozen with it (notify's attachment source)."""
    from tracker.briefs.service import frozen_docx

    period, _, revision = n.subject.partition("/")
    year, month = (int(x) for x in period.split("-"))
    brief = db.session.scalar(select(Brief).where(
        Brief.year == year, Brief.month == month, Brief.revision == int(revision),
        Brief.state == BriefState.PUBLISHED))
    if brief is None:
        raise LookupError(f"简报 {n.subject} 不存在")
    files = [(f"督办简报-{period}-第{revision}版.pdf", "application/pdf", brief.pdf)]
    if n.kind == WITH_WORD:
        files.append((f"督办简报-{period}-第{revision}版.docx", DOCX, frozen_docx(brief)))
    return files
