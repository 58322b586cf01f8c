"""Writing files: store an upload (checked and converted by ``imaging``), remove one.

Permissions are the owning domain's business (``tracker.attachments``); these writers only
store, delete and record the audit entry, in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from tracker.audit.service import record
from tracker.errors import Refused
from tracker.extensions import db
from tracker.files.flags import PhotoFacts
from tracker.files.imaging import BadUpload, Processed, process
from tracker.files.models import StoredFile

MAX_NAME = 255
MAX_CAPTION = 200


def clean_name(name: str | None) -> str:
    """The uploaded file's base name, without any folder a browser may send."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[-MAX_NAME:]


def store(
    *,
    user_id: int | None,
    data: bytes,
    filename: str,
    caption: str,
    owner_kind: str,
    owner_id: int,
    project_id: int | None,
    year: int | None = None,
    month: int | None = None,
    images_only: bool = False,
    label: str = "",
    field: str = "file",
    processed: Processed | None = None,
) -> StoredFile:
    """Check, convert and add one file (not committed); ``Refused({field: …})`` when bad.
    ``processed``: the result of ``check`` already made (the worker checks all first)."""
    caption = (caption or "").strip()
    if len(caption) > MAX_CAPTION:
        raise Refused({"caption": f"说明不超过 {MAX_CAPTION} 字。"})
    name = clean_name(filename)
    done = processed or check(data, name, images_only=images_only, field=field)
    if done.kind == "image":
        # Stored as JPEG: the name says so, whatever the phone called it.
        stem = name.rsplit(".", 1)[0] if "." in name else name
        name = f"{stem or 'photo'}.jpg"
    row = StoredFile(
        owner_kind=owner_kind, owner_id=owner_id, project_id=project_id, year=year, month=month,
        filename=name or ("evidence.pdf" if done.kind == "pdf" else "photo.jpg"), caption=caption,
        kind=done.kind, content_type=done.content_type, size=len(done.content),
        content=done.content, thumbnail=done.thumbnail, width=done.width, height=done.height,
        sha256=done.sha256, phash=done.phash, taken_at=done.taken_at, latitude=done.latitude,
        longitude=done.longitude, uploaded_by_id=user_id,
    )
    db.session.add(row)
    db.session.flush()
    record(user_id=user_id, action="create", table="files", record_id=row.id, label=label,
           project_id=project_id, field="filename", new=row.filename, note=caption)
    return row


def check(data: bytes, filename: str, *, images_only: bool = False,
          field: str = "file") -> Processed:
    """Decode and convert an upload without storing it; ``Refused({field: …})`` when bad."""
    name = clean_name(filename)
    try:
        return process(data, images_only=images_only)
    except BadUpload as exc:
        raise Refused({field: f"{name or '文件'}：{exc}"}) from exc


def remove(*, user_id: int | None, row: StoredFile, label: str = "") -> None:
    """Delete one file (not committed), with its audit entry."""
    record(user_id=user_id, action="delete", table="files", record_id=row.id, label=label,
           project_id=row.project_id, field="filename", old=row.filename, note=row.caption)
    db.session.delete(row)


def count_for(owner_kind: str, owner_id: int, year: int | None = None,
              month: int | None = None) -> int:
    stmt = select(func.count()).select_from(StoredFile).where(
        StoredFile.owner_kind == owner_kind, StoredFile.owner_id == owner_id)
    if year is not None:
        stmt = stmt.where(StoredFile.year == year, StoredFile.month == month)
    return db.session.scalar(stmt) or 0


def files_of(owner_kind: str, owner_ids: Sequence[int]) -> list[StoredFile]:
    """The files of these owners, oldest first, without their bytes (one statement)."""
    if not owner_ids:
        return []
    return list(db.session.scalars(
        select(StoredFile).where(StoredFile.owner_kind == owner_kind,
                                 StoredFile.owner_id.in_(list(owner_ids)))
        .order_by(StoredFile.id)))


def photo_facts(row: StoredFile) -> PhotoFacts:
    return PhotoFacts(row.id, row.year or 0, row.month or 0, row.taken_at, row.phash)
