"""Monthly supervision briefs (督办简报): drafts and frozen published revisions."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db, str_enum
from tracker.revisions import FrozenRevision


class BriefState(StrEnum):
    DRAFT = "草稿"
    PUBLISHED = "已发布"


class Brief(FrozenRevision, db.Model):
    """One revision of a month's brief; a published revision is frozen (snapshot + PDF)."""

    __tablename__ = "briefs"
    __table_args__ = (
        UniqueConstraint("year", "month", "revision"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    month: Mapped[int]
    revision: Mapped[int] = mapped_column(default=1)
    number: Mapped[int | None]  # 第N期, set when first published
    state: Mapped[BriefState] = mapped_column(
        str_enum(BriefState, "brief_state"), default=BriefState.DRAFT
    )
    next_steps: Mapped[str] = mapped_column(Text, default="")
    send_to: Mapped[str] = mapped_column(Text, default="")
    copy_to: Mapped[str] = mapped_column(Text, default="")
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Its issue ledger (DESIGN.md section 12), read only when sent or downloaded.
    ledger: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    ledger_sha256: Mapped[str | None] = mapped_column(String(64))

