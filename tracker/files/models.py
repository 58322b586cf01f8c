"""The one table of attachments: bytes, thumbnail, type, hashes, EXIF fields, uploader."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, LargeBinary, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.extensions import db
from tracker.timeutil import utcnow

# Owner kinds: the domain owning the row decides who reads and removes its files.
REPORT = "report"  # a project-month's 形象进度 photo: owner_id is the project, with year/month
ISSUE_EVENT = "issue_event"  # evidence (佐证) on an issue's log entry: owner_id is the entry


class StoredFile(db.Model):
    """One uploaded file, kept whole in the database so every host and the backup have it.

    The bytes are deferred: lists and galleries load the small columns only.
    """

    __tablename__ = "files"
    __table_args__ = (
        Index("ix_files_owner", "owner_kind", "owner_id"),
        Index("ix_files_project_period", "project_id", "year", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_kind: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[int]
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    year: Mapped[int | None]
    month: Mapped[int | None]
    filename: Mapped[str] = mapped_column(String(255), default="")
    caption: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(10))  # image / pdf
    content_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    thumbnail: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    width: Mapped[int | None]
    height: Mapped[int | None]
    sha256: Mapped[str] = mapped_column(String(64))
    phash: Mapped[str | None] = mapped_column(String(32))
    taken_at: Mapped[datetime | None]
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    uploaded_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_image(self) -> bool:
        return self.kind == "image"

    @property
    def label(self) -> str:
        return self.caption or self.filename or f"附件{self.id}"
