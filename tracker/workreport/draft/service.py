"""The work report (工作情况汇报): a period's draft (edited paragraphs, 存在问题 and
下一步工作计划 written by the office), its snapshot, and publishing, which freezes the text,
the PDF and the .docx (bytes and SHA-256) like a brief; a correction is a new revision.

Decisions where DESIGN.md is silent:

- The title is ``{park}{year}年{label}工作情况汇报``; the parts' subsections are numbered in
  the order present, and a paragraph with nothing to say (and no edit) is left out.
- An edited paragraph stays as edited until 恢复生成文本, whatever the data do meanwhile.
- 存在问题 and 下一步工作计划 are written one paragraph per line.
- Every draft edit is audited (the report is not project data, but it is the park's text).
"""

from __future__ import annotations

import hashlib
from datetime import date

from flask import render_template
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracker.audit.service import record
from tracker.auth.models import User
from tracker.auth.permissions import require_supervisor
from tracker.errors import Conflict, Refused
from tracker.extensions import db
from tracker.forms import FormReader, whole_number
from tracker.pdf import render_pdf
from tracker.periods import Period
from tracker.timeutil import utcnow
from tracker.workreport.draft.gather import PARAGRAPHS, generated
from tracker.workreport.draft.word import render_docx
from tracker.workreport.models import ReportState, WorkReport
from tracker.workreport.sentences import label as period_words

NUMBERS = "一二三四五六七八九十"
TEXT_MAX = 5000
SUPERVISORS_ONLY = "只有督查室和管理员可以编辑、发布工作情况汇报。"


def published(year: int, month: int) -> list[WorkReport]:
    """The period's published revisions, first to last."""
    return list(db.session.scalars(select(WorkReport).where(
        WorkReport.year == year, WorkReport.month == month,
        WorkReport.state == ReportState.PUBLISHED).order_by(WorkReport.revision)))


def published_revision(year: int, month: int, revision: int | None = None) -> WorkReport | None:
    """A published revision (the latest without ``revision``)."""
    revisions = published(year, month)
    if revision is None:
        return revisions[-1] if revisions else None
    return next((r for r in revisions if r.revision == revision), None)


def draft_for(year: int, month: int, create: bool = False) -> WorkReport:
    """The period's draft; an unsaved one (the last published revision's texts) unless
    ``create`` (then added to the session)."""
    draft = db.session.scalar(select(WorkReport).where(
        WorkReport.year == year, WorkReport.month == month, WorkReport.state == ReportState.DRAFT))
    if draft is not None:
        return draft
    highest = db.session.scalar(select(func.max(WorkReport.revision)).where(
        WorkReport.year == year, WorkReport.month == month))
    last = published_revision(year, month)
    draft = WorkReport(
        year=year, month=month, revision=(highest or 0) + 1, state=ReportState.DRAFT,
        texts=dict(last.texts) if last else {}, problems=last.problems if last else "",
        plans=last.plans if last else "", correction_reason="", version=1)
    if create:
        db.session.add(draft)
        db.session.flush()
    return draft


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def build_snapshot(report: WorkReport, today: date, final: bool = False) -> dict:
    """Every text of the report as shown, from live data as of the period's last day and the
    draft's edits. ``final`` drops the draft marks (the revision being published)."""
    period = Period(report.year, report.month)
    texts, park_name = generated(period, today)
    edited = report.texts or {}

    def paragraph(key: str, number: str) -> dict:
        return {"key": key, "number": number, "title": PARAGRAPHS[key][1],
                "text": edited.get(key, texts[key]) or "", "generated": texts[key] or "",
                "edited": key in edited}

    work = [k for k in ("economy", "projects", "investment", "land") if edited.get(k) or texts[k]]
    part_one = [paragraph(k, f"（{NUMBERS[i]}）") for i, k in enumerate(work)]
    part_two = []
    if edited.get("obstacles") or texts["obstacles"]:
        part_two.append(paragraph("obstacles", "（一）"))
    part_two += [{"key": None, "text": line} for line in _lines(report.problems)]
    return {
        "year": report.year, "month": report.month, "period": str(period),
        "label": period_words(report.month), "park_name": park_name,
        "title": f"{park_name}{report.year}年{period_words(report.month)}工作情况汇报",
        "draft": not final, "revision": report.revision,
        "correction_reason": report.correction_reason or "",
        "as_of": f"{period.last_day.year}年{period.last_day.month}月{period.last_day.day}日",
        "parts": [
            {"heading": "一、工作情况及做法", "paragraphs": part_one},
            {"heading": "二、存在问题", "paragraphs": part_two},
            {"heading": "三、下一步工作计划",
             "paragraphs": [{"key": None, "text": line} for line in _lines(report.plans)]},
        ],
    }


def render_html(snapshot: dict) -> str:
    return render_template("workreport/report_pdf.html", r=snapshot)


def render_report_pdf(snapshot: dict) -> bytes:
    return render_pdf(render_html(snapshot))


# --- editing the draft ------------------------------------------------------------------


def _seen(report: WorkReport, data: dict) -> None:
    """A form loaded before someone else saved: nothing is written (409)."""
    seen = whole_number(data.get("version"))
    if report.id is not None and seen != report.version:
        by = "他人"
        raise Conflict("您编辑期间，他人已修改本期工作情况汇报草稿。请刷新页面，在最新内容上修改。",
                       version=report.version, by=by)


def save_paragraph(user: User, year: int, month: int, data: dict) -> WorkReport:
    """Save one generated paragraph as edited (``action=save``) or bring the generated text
    back (``action=reset``). Refuses an unknown key or an empty or too long text."""
    require_supervisor(user, SUPERVISORS_ONLY)
    key = data.get("key", "")
    if key not in PARAGRAPHS:
        raise Refused("没有这一段。")
    report = draft_for(year, month)
    _seen(report, data)
    texts = dict(report.texts or {})
    old = texts.get(key)
    if data.get("action") == "reset":
        if key not in texts:
            return report
        del texts[key]
        new, note = None, f"恢复生成文本：{PARAGRAPHS[key][1]}"
    else:
        f = FormReader(data)
        new = f.text("text", PARAGRAPHS[key][1], required=True, max_len=TEXT_MAX, multiline=True)
        if f.errors:
            raise Refused({"text": f.errors["text"]})
        new = " ".join(new.split())  # one paragraph: line breaks are not kept
        if new == old:
            return report
        texts[key] = new
        note = f"修改段落：{PARAGRAPHS[key][1]}"
    if report.id is None:
        db.session.add(report)
        db.session.flush()
    report.texts = texts
    record(user_id=user.id, action="update", table="work_reports", record_id=report.id,
           label=f"{year}年{month}月工作情况汇报", field="texts", old=old, new=new, note=note)
    _commit(year, month)
    return report


def save_texts(user: User, year: int, month: int, data: dict) -> WorkReport:
    """存在问题 (after the generated (一)) and 下一步工作计划, one paragraph per line."""
    require_supervisor(user, SUPERVISORS_ONLY)
    report = draft_for(year, month)
    _seen(report, data)
    f = FormReader(data)
    f.text("problems", "存在问题", max_len=TEXT_MAX, multiline=True)
    f.text("plans", "下一步工作计划", max_len=TEXT_MAX, multiline=True)
    if f.errors:
        raise Refused(f.errors)
    if report.id is None:
        db.session.add(report)
        db.session.flush()
    for field in ("problems", "plans"):
        old, new = getattr(report, field) or "", f.values[field]
        if old != new:
            setattr(report, field, new)
            record(user_id=user.id, action="update", table="work_reports", record_id=report.id,
                   label=f"{year}年{month}月工作情况汇报", field=field, old=old, new=new)
    _commit(year, month)
    return report


def _commit(year: int, month: int) -> None:
    try:
        db.session.commit()
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        raise Conflict(f"{year}年{month}月工作情况汇报草稿刚刚已由他人修改，请刷新页面后再改。") from None


# --- publishing ---------------------------------------------------------------------------


def publish(year: int, month: int, user: User | None, correction: bool = False, reason: str = "",
            *, today: date) -> WorkReport:
    """Freeze the period's draft as a published revision: snapshot, PDF and .docx with their
    SHA-256. A period already published needs ``correction`` and a reason."""
    require_supervisor(user, SUPERVISORS_ONLY)
    label = f"{year}年{month}月工作情况汇报"
    existing = published(year, month)
    reason = (reason or "").strip()
    if existing and not correction:
        raise Refused(f"{label}已发布（第{existing[-1].revision}版），不能重复发布；如需更正，请发布更正版并说明原因。")
    if correction and not existing:
        raise Refused(f"{label}尚未发布，没有可更正的原版。")
    if correction and not reason:
        raise Refused("发布更正版须说明更正原因。")
    if len(reason) > 500:
        raise Refused("更正原因不能超过500字。")
    draft = draft_for(year, month, create=True)
    draft.correction_reason = reason if correction else ""
    snapshot = build_snapshot(draft, today, final=True)
    draft.snapshot = snapshot
    draft.pdf = render_report_pdf(snapshot)
    draft.sha256 = hashlib.sha256(draft.pdf).hexdigest()
    draft.docx = render_docx(snapshot)
    draft.docx_sha256 = hashlib.sha256(draft.docx).hexdigest()
    draft.state = ReportState.PUBLISHED
    draft.published_at = utcnow()
    draft.published_by_id = user.id if user else None
    record(user_id=user.id if user else None, action="publish", table="work_reports",
           record_id=draft.id, label=label,
           note=(f"发布更正版（第{draft.revision}版）：{reason}" if correction else "发布工作情况汇报")
           + ("（命令行）" if user is None else ""))
    try:
        db.session.commit()
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        raise Refused(f"{label}刚刚已由他人发布，请刷新后查看。") from None
    return draft
