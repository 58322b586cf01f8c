"""Adding and removing attachments, with the owner's rules (DESIGN.md section 14).

Photos of a report row: added by the row's reporters while they may edit the row (draft or
returned; the office at any time before it is approved), at most ``MAX_PHOTOS`` per
project-month. Removed by the uploader until the row is approved, or by the office; never
once the row is approved or the month's brief is published. Everything is audited.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from sqlalchemy import func, select

from tracker.attachments.queries import MAX_EVIDENCE, MAX_PHOTOS, report_state
from tracker.auth.models import User
from tracker.auth.permissions import can_report_for, can_supervise
from tracker.errors import Forbidden, Refused
from tracker.extensions import db
from tracker.files import service as files
from tracker.files.imaging import MAX_BYTES, TOO_LARGE
from tracker.files.models import ISSUE_EVENT, REPORT, StoredFile
from tracker.issues.models import Issue, IssueEvent, IssueState
from tracker.issues.workflow import Action
from tracker.projects.models import Project, ReportState
from tracker.reports.locks import is_locked
from tracker.settings import is_on

Upload = tuple[str, bytes]  # (file name as sent, content)

LOCKED = "本月简报已发布，数据已锁定，不能增删照片。"
APPROVED = "本月数据已审核，照片不能再增删。"
SUBMITTED = "本月数据已报送，如需添加照片请先撤回。"


def _label(project: Project, year: int, month: int) -> str:
    return f"{project.code} {year}年{month}月 形象进度照片"


def add_report_photos(user: User, project: Project, year: int, month: int,
                      uploads: Sequence[Upload], caption: str) -> list[StoredFile]:
    """Store the uploaded photos on the project-month (committed); all or none."""
    if not can_report_for(user, project):
        raise Forbidden("您不能为该项目上传照片。")
    _check_can_add(user, project, year, month, len(uploads))
    stored = []
    try:
        for name, data in uploads:
            stored.append(files.store(
                user_id=user.id, data=data, filename=name, caption=caption, owner_kind=REPORT,
                owner_id=project.id, project_id=project.id, year=year, month=month,
                images_only=True, label=_label(project, year, month), field="photos"))
        db.session.commit()
    except Refused:
        db.session.rollback()
        raise
    return stored


def add_evidence(user: User | None, event: IssueEvent, uploads: Sequence[Upload],
                 limit: int) -> list[StoredFile]:
    """Store evidence files (images or PDF) on a log entry, in the caller's transaction."""
    if len(uploads) > limit:
        raise Refused({"evidence": f"每条办理记录最多 {limit} 个佐证文件。"})
    issue = event.issue
    return [
        files.store(user_id=user.id if user else None, data=data, filename=name, caption="",
                    owner_kind=ISSUE_EVENT, owner_id=event.id, project_id=issue.project_id,
                    label=f"{issue.number} 佐证", field="evidence")
        for name, data in uploads
    ]


def remove_file(user: User, row: StoredFile) -> None:
    """Remove one file (committed), if the owner's rules allow it."""
    if row.owner_kind == REPORT:
        project = db.session.get(Project, row.owner_id)
        year, month = row.year or 0, row.month or 0
        if project is None or not can_report_for(user, project):
            raise Forbidden("您不能删除该照片。")
        if not can_supervise(user) and row.uploaded_by_id != user.id:
            raise Forbidden("只有上传者或督查室可以删除该照片。")
        if report_state(project.id, year, month) is ReportState.APPROVED:
            raise Refused(APPROVED)
        if is_locked(year, month, project.id):
            raise Refused(LOCKED)
        label = _label(project, year, month)
    else:
        event = db.session.get(IssueEvent, row.owner_id)
        if event is None:
            raise Forbidden("您不能删除该文件。")
        if not can_supervise(user) and row.uploaded_by_id != user.id:
            raise Forbidden("只有上传者或督查室可以删除该文件。")
        # Once the issue waits for confirmation, its evidence is what the office judges on.
        if not can_supervise(user) and event.issue.state not in (IssueState.OPEN,
                                                                 IssueState.IN_PROGRESS):
            raise Refused("问题已申请办结确认，佐证文件只能由督查室删除。")
        if event.issue.state is IssueState.CLOSED:
            raise Refused("问题已办结，佐证文件不能删除。")
        label = f"{event.issue.number} 佐证"
    files.remove(user_id=user.id, row=row, label=label)
    db.session.commit()


EVIDENCE_NEEDED = "办结需佐证：请上传至少一个佐证文件（现场照片或 PDF）后再申请确认。"


def evidence_handler(user: User | None, issue: Issue, action: object, event: IssueEvent,
                     uploads: Sequence[Upload]) -> None:
    """Registered with ``tracker.issues.service``: stores a move's evidence and, with the
    setting 办结需佐证 on, refuses the move to 待确认 without evidence on it or before."""
    stored = add_evidence(user, event, uploads, MAX_EVIDENCE) if uploads else []
    # The responsible side's 办结，申请确认; restoring a cancelled issue needs nothing new.
    if stored or action is not Action.SUBMIT:
        return
    if not is_on("evidence_required"):
        return
    earlier = [e.id for e in issue.events if e.id != event.id]
    if not earlier or not db.session.scalar(
            select(func.count()).select_from(StoredFile).where(
                StoredFile.owner_kind == ISSUE_EVENT, StoredFile.owner_id.in_(earlier))):
        raise Refused({"evidence": EVIDENCE_NEEDED})


# --- bulk uploads: kept raw in the files table, processed by the job worker -------------

UPLOAD = "upload"  # a raw upload waiting for the worker: never served, removed when done


def keep_for_worker(user: User, project: Project, year: int, month: int,
                    uploads: Sequence[Upload], caption: str) -> list[int]:
    """Check what can be checked now and keep the raw uploads (committed) for the worker,
    in the database so that any worker host sees them; returns their ids."""
    if not can_report_for(user, project):
        raise Forbidden("您不能为该项目上传照片。")
    _check_can_add(user, project, year, month, len(uploads))
    if len((caption or "").strip()) > files.MAX_CAPTION:
        raise Refused({"caption": f"说明不超过 {files.MAX_CAPTION} 字。"})
    ids = []
    for name, data in uploads:
        if len(data) > MAX_BYTES:
            raise Refused({"photos": f"{files.clean_name(name)}：{TOO_LARGE}"})
        raw = StoredFile(owner_kind=UPLOAD, owner_id=user.id, project_id=project.id, year=year,
                         month=month, filename=files.clean_name(name), caption=caption.strip(),
                         kind="raw", content_type="application/octet-stream", size=len(data),
                         content=data, sha256=hashlib.sha256(data).hexdigest(),
                         uploaded_by_id=user.id)
        db.session.add(raw)
        db.session.flush()
        ids.append(raw.id)
    db.session.commit()
    return ids


def _check_can_add(user: User, project: Project, year: int, month: int, adding: int) -> None:
    if not adding:
        raise Refused({"photos": "请选择要上传的照片。"})
    if is_locked(year, month, project.id):
        raise Refused({"photos": LOCKED})
    state = report_state(project.id, year, month)
    if state is ReportState.APPROVED:
        raise Refused({"photos": APPROVED})
    if state is ReportState.SUBMITTED and not can_supervise(user):
        raise Refused({"photos": SUBMITTED})
    have = files.count_for(REPORT, project.id, year, month)
    if have + adding > MAX_PHOTOS:
        left = MAX_PHOTOS - have
        raise Refused({"photos": f"每个项目每月最多 {MAX_PHOTOS} 张照片，本月还可添加 {left} 张。"})


def process_kept(user: User, raw_ids: Sequence[int],
                 progress: Callable[[int, int, str], None]) -> int:
    """The worker's part: turn kept raw uploads into photos, all or none (committed); the
    raw rows are removed whatever the outcome. Returns the number of photos stored."""
    raws = [r for r in (db.session.get(StoredFile, i) for i in raw_ids)
            if r is not None and r.owner_kind == UPLOAD and r.uploaded_by_id == user.id]
    try:
        if not raws:
            raise Refused("上传的照片已失效，请重新上传。")
        project = db.session.get(Project, raws[0].project_id)
        year, month = raws[0].year or 0, raws[0].month or 0
        if project is None or not can_report_for(user, project):
            raise Forbidden("您不能为该项目上传照片。")
        _check_can_add(user, project, year, month, len(raws))
        # Progress commits the job's row: convert every photo first, then write them together.
        checked = []
        for n, raw in enumerate(raws):
            progress(n, len(raws), f"正在处理第 {n + 1} 张，共 {len(raws)} 张")
            checked.append(files.check(raw.content, raw.filename, images_only=True, field="photos"))
        for raw, done in zip(raws, checked, strict=True):
            files.store(user_id=user.id, data=raw.content, filename=raw.filename,
                        caption=raw.caption, owner_kind=REPORT, owner_id=project.id,
                        project_id=project.id, year=year, month=month, images_only=True,
                        label=_label(project, year, month), field="photos", processed=done)
        for raw in raws:
            db.session.delete(raw)
        db.session.commit()
        return len(raws)
    except Exception:
        db.session.rollback()
        for i in raw_ids:
            raw = db.session.get(StoredFile, i)
            if raw is not None and raw.owner_kind == UPLOAD:
                db.session.delete(raw)
        db.session.commit()
        raise
