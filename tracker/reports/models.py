"""Monthly reports (月度进展): one row per project, year and month."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User, str_enum
from tracker.extensions import db
from tracker.projects.models import Money, Project
from tracker.timeutil import utcnow


class ReportState(StrEnum):
    """草稿 → 已报送 → 已审核, or 已报送 → 退回 → … (DESIGN.md section 2)."""

    DRAFT = "草稿"
    SUBMITTED = "已报送"
    APPROVED = "已审核"
    RETURNED = "退回"

    @property
    def counted(self) -> bool:
        """Figures count once reported, never as a draft or a returned row."""
        return self in (ReportState.SUBMITTED, ReportState.APPROVED)


COUNTED_STATES = (ReportState.SUBMITTED, ReportState.APPROVED)


class MonthlyReport(db.Model):
    """当月完成投资 with 形象进度 and 下步计划; ``version`` guards concurrent edits."""

    __tablename__ = "monthly_reports"
    __table_args__ = (
        UniqueConstraint("project_id", "year", "month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
        CheckConstraint("amount >= 0", name="amount_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    year: Mapped[int]
    month: Mapped[int]
    amount: Mapped[Decimal | None] = mapped_column(Money)
    progress_text: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[ReportState] = mapped_column(
        str_enum(ReportState, "report_state"), default=ReportState.DRAFT
    )
    return_comment: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None]
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))

    project: Mapped[Project] = relationship()
    updated_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
