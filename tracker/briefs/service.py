"""The monthly brief (督办简报): gather a month's figures as of its last day, render the
PDF, publish (freeze) a revision, and lock the published months' figures.

Everything the brief shows is first put in a *snapshot*: a JSON-able dict of the
texts and figures exactly as shown (already formatted by ``tracker.progress``).
The template renders only from it, so a published revision's HTML preview and its
stored PDF say the same thing whatever changed in the data since.

Decisions where DESIGN.md is silent:

- 〔Y〕 is the brief's own year (the period's), and N is one more than the highest
  number already published for that year; a correction keeps its original's number.
- Issues stand as ``issues.workflow.standing_on`` says on D (the pages read the same):
  the log in effective-date order; the deadline in force is the last one set (on raising
  or by 延期) effective by D, else the current one; an issue without any state move in
  its log is taken as closed on its ``closed_on`` (or raised date) when it is closed now.
- 本月新增 counts every issue raised within the month; 办结 counts the issues
  已办结 as of D whose closing move is effective within the month.
- The latest 形象进度 of a lagging project is the text of its latest counted report
  of months ≤ m of Y (or of year Y−1).
- Publishing a revision (correction included) ends any open unlock of months 1..m of Y.
- The chart is drawn per level (and in pieces of at most ``CHART_ROWS`` projects),
  because an SVG cannot break across pages: one tall chart left half a page blank.
- 报送/抄送 default to the lists of the most recently published brief.
- A large brief (``BRIEF_PARTS_FROM``) is rendered in parts, each starting on a new page
  (briefs/parts.py), so its pages differ from one document's; the words are the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, timedelta

from flask import current_app, render_template
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker import narrative
from tracker.audit.models import AuditEntry
from tracker.audit.service import record
from tracker.auth.models import User
from tracker.auth.permissions import require_supervisor
from tracker.briefs import parts as brief_parts
from tracker.briefs import recipients
from tracker.briefs.compose import compose
from tracker.briefs.gather import gather
from tracker.briefs.models import Brief, BriefState
from tracker.briefs.photos import add_lagging_photos
from tracker.briefs.word import render_docx
from tracker.errors import Refused
from tracker.extensions import db
from tracker.pdf import render_pdf, render_pdf_parts
from tracker.periods import Period
from tracker.reports import locks
from tracker.settings import park_settings
from tracker.timeutil import utcnow
from tracker.xlsx import workbook_bytes


def build_snapshot(
    year: int, month: int, draft: Brief, issued_on: date, final: bool = False
) -> dict:
    """Every text and figure of the (year, month) brief as shown, from live data as of D.

    ``draft`` supplies 六、下步工作, 报送/抄送 and, for a correction, its reason;
    ``final`` drops the draft banner (the revision being published).
    """
    data = gather(Period(year, month), draft, issued_on)
    return add_lagging_photos(compose(data, final), data)


# --- rendering ------------------------------------------------------------------------


def render_html(snapshot: dict) -> str:
    """The brief as a standalone HTML document for WeasyPrint."""
    return render_template("briefs/brief.html", b=snapshot)


def render_brief_pdf(snapshot: dict, ledger: bytes | None = None) -> bytes:
    """The brief's PDF, with its issue ledger attached inside (made from the snapshot unless
    given, as publishing gives the bytes it keeps).

    A brief whose tables cost at least ``BRIEF_PARTS_FROM`` (in issue-table rows, see
    ``parts.cost``) is rendered in parts of about ``BRIEF_PART_UNITS`` each, in parallel;
    a smaller one as one document."""
    if ledger is None:
        ledger = ledger_xlsx(snapshot)
    attached = [(snapshot["ledger"]["name"], ledger)] if ledger is not None else []
    if brief_parts.cost(snapshot) < current_app.config["BRIEF_PARTS_FROM"]:
        return render_pdf(render_html(snapshot), attachments=attached)
    # A large brief: in parts, two at a time (tracker/briefs/parts.py).
    documents = [
        render_template("briefs/brief.html", b=part.view, part=part, page_footer=False)
        for part in brief_parts.plan(snapshot, current_app.config["BRIEF_PART_UNITS"])
    ]
    return render_pdf_parts(
        documents, footer=lambda pages: render_template("pdf/footer.html", pages=pages),
        attachments=attached, first_alone=True)


def ledger_xlsx(snapshot: dict) -> bytes | None:
    """问题台账 as a workbook; None for a revision frozen before the brief had one."""
    ledger = snapshot.get("ledger")
    if ledger is None:
        return None
    return workbook_bytes("问题台账", ledger["headers"], ledger["rows"])


def frozen_docx(brief: Brief) -> bytes:
    """A published revision's .docx: made from its frozen snapshot when first asked for (a
    revision published before Word existed), then kept byte for byte."""
    if brief.docx is None:
        brief.docx = render_docx(brief.snapshot)
        brief.docx_sha256 = hashlib.sha256(brief.docx).hexdigest()
        db.session.commit()
    return brief.docx


# --- drafts, revisions ------------------------------------------------------------------


DRAFT_STAGES = ("正在汇总数据", "正在排版 PDF")


def render_draft_pdf(
    year: int, month: int, progress: Callable[[int, int, str], None] | None = None, *,
    today: date,
) -> bytes:
    """The month's draft from live data as PDF bytes, reporting its stages to ``progress``."""
    report = progress or (lambda done, total, message: None)
    report(0, len(DRAFT_STAGES), DRAFT_STAGES[0])
    snapshot = build_snapshot(year, month, draft_for(year, month), today)
    report(1, len(DRAFT_STAGES), DRAFT_STAGES[1])
    data = render_brief_pdf(snapshot)
    report(len(DRAFT_STAGES), len(DRAFT_STAGES), "完成")
    return data


def published(year: int, month: int) -> list[Brief]:
    """The published revisions of a month, oldest first."""
    return list(
        db.session.scalars(
            select(Brief)
            .where(Brief.year == year, Brief.month == month, Brief.state == BriefState.PUBLISHED)
            .order_by(Brief.revision)
        )
    )


def published_revision(year: int, month: int, revision: int | None = None) -> Brief | None:
    """A published revision (default: the latest)."""
    stmt = select(Brief).where(
        Brief.year == year, Brief.month == month, Brief.state == BriefState.PUBLISHED
    )
    if revision is not None:
        stmt = stmt.where(Brief.revision == revision)
    return db.session.scalar(stmt.order_by(Brief.revision.desc()).limit(1))


def archive() -> list[Brief]:
    """Every published revision, newest month first."""
    return list(
        db.session.scalars(
            select(Brief)
            .where(Brief.state == BriefState.PUBLISHED)
            .options(selectinload(Brief.published_by))
            .order_by(Brief.year.desc(), Brief.month.desc(), Brief.revision.desc())
        )
    )


def drafts() -> list[Brief]:
    """Saved drafts, newest month first."""
    return list(
        db.session.scalars(
            select(Brief)
            .where(Brief.state == BriefState.DRAFT)
            .order_by(Brief.year.desc(), Brief.month.desc())
        )
    )


def draft_for(year: int, month: int, create: bool = False) -> Brief:
    """The month's draft; an unsaved one with the defaults unless ``create`` (then added)."""
    draft = db.session.scalar(
        select(Brief).where(Brief.year == year, Brief.month == month, Brief.state == BriefState.DRAFT)
    )
    if draft is not None:
        return draft
    highest = db.session.scalar(
        select(func.max(Brief.revision)).where(Brief.year == year, Brief.month == month)
    )
    previous = db.session.scalar(
        select(Brief)
        .where(Brief.state == BriefState.PUBLISHED)
        .order_by(Brief.published_at.desc(), Brief.id.desc())
        .limit(1)
    )
    same_month = published_revision(year, month)
    draft = Brief(
        year=year,
        month=month,
        revision=(highest or 0) + 1,
        state=BriefState.DRAFT,
        next_steps=same_month.next_steps if same_month else "",
        # The previous brief's lists, else the names of the readers in the settings.
        send_to=previous.send_to if previous else _reader_names("brief_send_to"),
        copy_to=previous.copy_to if previous else _reader_names("brief_copy_to"),
        correction_reason="",
        version=1,
    )
    if create:
        db.session.add(draft)
        db.session.flush()
    return draft


def _reader_names(key: str) -> str:
    readers, _ = recipients.parse(park_settings().get(key, ""))
    return recipients.names(readers)


TEXT_LIMITS = {"next_steps": 5000, "send_to": 500, "copy_to": 500}


def save_draft(year: int, month: int, values: dict[str, str], user: User) -> Brief:
    """Store 六、下步工作 and 报送/抄送 of a month's draft; refuses over-long texts."""
    errors = validate_texts(values)
    if errors:
        raise Refused("；".join(errors.values()))
    draft = draft_for(year, month, create=True)
    changed = False
    for key in TEXT_LIMITS:
        if key in values:
            text = values[key].strip().replace("\r\n", "\n")
            changed |= text != (getattr(draft, key) or "")
            setattr(draft, key, text)
    if changed and not _edited_lately(draft.id, user.id):
        record(user_id=user.id, action="update", table="briefs", record_id=draft.id,
               label=f"{year}年{month}月简报草稿", note="编辑简报草稿")
    db.session.commit()
    return draft


EDIT_SESSION = timedelta(minutes=30)


def _edited_lately(brief_id: int, user_id: int) -> bool:
    """Whether this user's edit of this draft is already in the trail from the last half hour:
    saving as one types writes one entry per sitting, not one per pause."""
    return db.session.scalar(
        select(AuditEntry.id).where(
            AuditEntry.table_name == "briefs", AuditEntry.record_id == brief_id,
            AuditEntry.user_id == user_id, AuditEntry.note == "编辑简报草稿",
            AuditEntry.at >= utcnow() - EDIT_SESSION,
        ).limit(1)
    ) is not None


FIELD_NAMES = {"next_steps": "下步工作", "send_to": "报送", "copy_to": "抄送", "reason": "更正原因"}


def validate_texts(values: dict[str, str]) -> dict[str, str]:
    """field → Chinese message for each text over its limit."""
    return {
        key: f"{FIELD_NAMES[key]}不能超过{limit}字。"
        for key, limit in TEXT_LIMITS.items()
        if len((values.get(key) or "").strip()) > limit
    }


def check_publishable(
    year: int, month: int, user: User | None, correction: bool = False, reason: str = ""
) -> str:
    """Refuse what publishing would refuse, before any work; returns the cleaned reason."""
    require_supervisor(user, "只有督查室可以发布简报。")
    existing = published(year, month)
    label = f"{year}年{month}月"
    if existing and not correction:
        raise Refused(
            f"{label}简报已发布（{narrative.issue_label(year, existing[0].number)}），不能重复发布；"
            "如需更正，请发布更正版并说明原因。"
        )
    if correction and not existing:
        raise Refused(f"{label}简报尚未发布，没有可更正的原版。")
    reason = (reason or "").strip()
    if correction and not reason:
        raise Refused("发布更正版须说明更正原因。")
    if len(reason) > 500:
        raise Refused("更正原因不能超过500字。")

    return reason


def publish(
    year: int, month: int, user: User | None, correction: bool = False, reason: str = "", *,
    today: date, note: str = "",
) -> Brief:
    """Freeze the month's draft as a published revision (snapshot, PDF, SHA-256).

    Refuses a month already published unless ``correction`` (which needs a published
    original and a reason) and a correction without an original.
    """
    reason = check_publishable(year, month, user, correction, reason)
    label = f"{year}年{month}月"
    draft = draft_for(year, month, create=True)
    draft.correction_reason = reason if correction else ""
    snapshot = build_snapshot(year, month, draft, today, final=True)
    ledger = ledger_xlsx(snapshot)
    pdf = render_brief_pdf(snapshot, ledger)
    draft.number = snapshot["number"]
    draft.state = BriefState.PUBLISHED
    draft.snapshot = snapshot
    draft.pdf = pdf
    draft.sha256 = hashlib.sha256(pdf).hexdigest()
    draft.docx = render_docx(snapshot)
    draft.docx_sha256 = hashlib.sha256(draft.docx).hexdigest()
    draft.ledger = ledger
    draft.ledger_sha256 = hashlib.sha256(ledger).hexdigest()
    draft.published_at = utcnow()
    draft.published_by_id = user.id if user else None
    locks.end_unlocks_through(year, month)
    record(
        user_id=user.id if user else None,
        action="publish",
        table="briefs",
        record_id=draft.id,
        label=f"{label}简报 {snapshot['issue_label']}",
        note=(f"发布更正版（第{draft.revision}版）：{reason}" if correction else "发布简报")
        + ("（命令行）" if user is None else "") + (f"；{note}" if note else ""),
    )
    try:
        db.session.commit()
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        raise Refused(f"{label}简报刚刚已由他人发布，请刷新后查看。") from None
    return draft


def published_through(year: int | None = None) -> dict[int, int]:
    """Year → its highest published month (of ``year`` only, when given): what the locks read."""
    stmt = select(Brief.year, func.max(Brief.month)).where(Brief.state == BriefState.PUBLISHED)
    if year is not None:
        stmt = stmt.where(Brief.year == year)
    return dict(db.session.execute(stmt.group_by(Brief.year)).all())
