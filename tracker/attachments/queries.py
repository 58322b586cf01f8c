"""Reading attachments for pages: a month's photos with their flags, a project's gallery, and
who may read a file. Each page's photos come in a fixed number of statements."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import g
from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from tracker.auth.models import User
from tracker.auth.permissions import can_report_for
from tracker.extensions import db
from tracker.files.flags import PhotoFacts, flags_of
from tracker.files.models import ISSUE_EVENT, REPORT, StoredFile
from tracker.issues.models import Issue
from tracker.projects.models import MonthlyReport, Project, ReportState

MAX_PHOTOS = 9
MAX_EVIDENCE = 5


@dataclass
class Photo:
    """A stored photo as a page shows it: the row (without its bytes) and its flags."""

    file: StoredFile
    flags: list[str] = field(default_factory=list)


def _facts(rows: list[tuple]) -> dict[int, list[PhotoFacts]]:
    by_project: dict[int, list[PhotoFacts]] = {}
    for fid, pid, year, month, taken, phash in rows:
        by_project.setdefault(pid, []).append(PhotoFacts(fid, year, month, taken, phash))
    return by_project


def _project_facts(project_ids: list[int]) -> dict[int, list[PhotoFacts]]:
    """Every photo's hash and date of these projects, all months (one statement)."""
    if not project_ids:
        return {}
    return _facts(db.session.execute(
        select(StoredFile.id, StoredFile.project_id, StoredFile.year, StoredFile.month,
               StoredFile.taken_at, StoredFile.phash)
        .where(StoredFile.owner_kind == REPORT, StoredFile.project_id.in_(project_ids))
    ).all())


def _with_flags(rows: list[StoredFile]) -> list[Photo]:
    facts = _project_facts(sorted({r.project_id for r in rows if r.project_id}))
    return [
        Photo(r, flags_of(PhotoFacts(r.id, r.year or 0, r.month or 0, r.taken_at, r.phash),
                          facts.get(r.project_id or 0, [])))
        for r in rows
    ]


def month_photos(year: int, month: int) -> dict[int, list[Photo]]:
    """Project id → the month's photos with flags; read once per request (two statements)."""
    cache = g.setdefault("month_photos", {})
    if (year, month) not in cache:
        rows = list(db.session.scalars(
            select(StoredFile).where(StoredFile.owner_kind == REPORT, StoredFile.year == year,
                                     StoredFile.month == month)
            .order_by(StoredFile.id)))
        photos: dict[int, list[Photo]] = {}
        for photo in _with_flags(rows):
            photos.setdefault(photo.file.owner_id, []).append(photo)
        cache[(year, month)] = photos
    return cache[(year, month)]


def photo_errors(project_id: int) -> dict[str, str]:
    """Upload errors of this request for a project's row (shown next to the field)."""
    return g.get("photo_errors", {}).get(project_id, {})


def project_gallery(project: Project, user: User) -> list[tuple[tuple[int, int], list[Photo]]]:
    """A project's photos month by month, newest month first, as ``user`` may see them."""
    rows = list(db.session.scalars(
        select(StoredFile).where(StoredFile.owner_kind == REPORT, StoredFile.owner_id == project.id)
        .order_by(StoredFile.year.desc(), StoredFile.month.desc(), StoredFile.id)))
    if not can_report_for(user, project):
        counted = _counted_months(project.id)
        rows = [r for r in rows if (r.year, r.month) in counted]
    months: dict[tuple[int, int], list[Photo]] = {}
    for photo in _with_flags(rows):
        months.setdefault((photo.file.year or 0, photo.file.month or 0), []).append(photo)
    return list(months.items())


def _counted_months(project_id: int) -> set[tuple[int, int]]:
    return set(db.session.execute(
        select(MonthlyReport.year, MonthlyReport.month).where(
            MonthlyReport.project_id == project_id,
            MonthlyReport.state.in_((ReportState.SUBMITTED, ReportState.APPROVED)))).all())


def report_state(project_id: int, year: int, month: int) -> ReportState | None:
    return db.session.scalar(select(MonthlyReport.state).where(
        MonthlyReport.project_id == project_id, MonthlyReport.year == year,
        MonthlyReport.month == month))


def can_read(user: User, row: StoredFile) -> bool:
    """The same read permission as the row or issue the file belongs to.

    A report row's photos: its reporters and the office always; everyone else once the row
    is reported (a draft is its lead's own). Issue evidence: everyone signed in, as issues.
    """
    if row.owner_kind == REPORT:
        project = db.session.get(Project, row.owner_id)
        if project is None:
            return False
        if can_report_for(user, project):
            return True
        state = report_state(project.id, row.year or 0, row.month or 0)
        return state is not None and state.counted
    return row.owner_kind == ISSUE_EVENT


def evidence_of(event_ids: list[int]) -> dict[int, list[StoredFile]]:
    """Log entry id → its evidence files (one statement)."""
    out: dict[int, list[StoredFile]] = {}
    if not event_ids:
        return out
    for row in db.session.scalars(select(StoredFile).where(
            StoredFile.owner_kind == ISSUE_EVENT, StoredFile.owner_id.in_(event_ids))
            .order_by(StoredFile.id)):
        out.setdefault(row.owner_id, []).append(row)
    return out


def issue_evidence(issue: Issue) -> dict[int, list[StoredFile]]:
    """An issue's evidence by log entry, for its page and notice (one statement)."""
    return evidence_of([e.id for e in issue.events])


def projects_with_photos(year: int, month: int) -> set[int]:
    """Projects whose reported row of the month has a photo (the register's mark)."""
    cache = g.setdefault("projects_with_photos", {})
    if (year, month) not in cache:
        cache[(year, month)] = set(db.session.scalars(
            select(StoredFile.owner_id).distinct()
            .join(MonthlyReport, (MonthlyReport.project_id == StoredFile.owner_id)
                  & (MonthlyReport.year == StoredFile.year) & (MonthlyReport.month == StoredFile.month))
            .where(StoredFile.owner_kind == REPORT, StoredFile.year == year,
                   StoredFile.month == month,
                   MonthlyReport.state.in_((ReportState.SUBMITTED, ReportState.APPROVED)))))
    return cache[(year, month)]


def latest_thumbnails(project_ids: list[int], year: int, month: int) -> dict[int, StoredFile]:
    """Project id → its latest photo of the month on a reported row, thumbnail loaded (one
    statement, even for none: a page's count stays fixed): what the brief's 三、进度滞后项目
    shows."""
    latest = (
        select(func.max(StoredFile.id))
        .join(MonthlyReport, (MonthlyReport.project_id == StoredFile.owner_id)
              & (MonthlyReport.year == StoredFile.year) & (MonthlyReport.month == StoredFile.month))
        .where(StoredFile.owner_kind == REPORT, StoredFile.owner_id.in_(project_ids),
               StoredFile.year == year, StoredFile.month == month,
               MonthlyReport.state.in_((ReportState.SUBMITTED, ReportState.APPROVED)))
        .group_by(StoredFile.owner_id)
    )
    return {row.owner_id: row for row in db.session.scalars(
        select(StoredFile).where(StoredFile.id.in_(latest)).options(undefer(StoredFile.thumbnail)))}
