"""Blocking issues (问题 / 督办事项) and their append-only follow-up log (办理进展)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import Unit, User
from tracker.extensions import db, str_enum
from tracker.issues.workflow import default_title
from tracker.projects.models import Project
from tracker.timeutil import utcnow


class Category(StrEnum):
    """问题类别, in DESIGN.md's order (which the brief follows)."""

    FUNDING = "资金不足"
    LAND_PROCEDURES = "用地手续不完善"
    LAND_DELIVERY = "土地交付进度慢"
    PLANNING = "规划报建"
    ENVIRONMENT = "环评能评"
    CONSTRUCTION = "施工组织"
    UTILITIES = "水电路配套"
    OTHER = "其他"

    @property
    def order(self) -> int:
        return list(Category).index(self)


class SupervisionLevel(StrEnum):
    """督办等级."""

    NORMAL = "一般督办"
    KEY = "重点督办"
    LISTED = "挂牌督办"


class IssueState(StrEnum):
    """待办理 → 办理中 → 待确认 → 已办结; 已撤销 for one raised in error."""

    OPEN = "待办理"
    IN_PROGRESS = "办理中"
    AWAITING_CONFIRMATION = "待确认"
    CLOSED = "已办结"
    CANCELLED = "已撤销"

    @property
    def is_open(self) -> bool:
        return self not in (IssueState.CLOSED, IssueState.CANCELLED)


class EventKind(StrEnum):
    """What a follow-up log entry records."""

    RAISED = "交办"
    PROGRESS = "办理进展"
    URGE = "催办"
    MOVE = "状态变更"
    EXTEND = "延期"
    CANCEL = "撤销"
    RESTORE = "恢复"


class Issue(db.Model):
    """A blocking issue assigned to a responsible unit with a deadline (办结时限)."""

    __tablename__ = "issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    category: Mapped[Category] = mapped_column(str_enum(Category, "category"))
    title: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text)
    responsible_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    responsible_person: Mapped[str] = mapped_column(String(64), default="")
    level: Mapped[SupervisionLevel] = mapped_column(
        str_enum(SupervisionLevel, "supervision_level"), default=SupervisionLevel.NORMAL
    )
    raised_on: Mapped[date]
    deadline: Mapped[date | None]
    state: Mapped[IssueState] = mapped_column(
        str_enum(IssueState, "issue_state"), default=IssueState.OPEN
    )
    closed_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))

    project: Mapped[Project | None] = relationship()
    responsible_unit: Mapped[Unit | None] = relationship()
    events: Mapped[list[IssueEvent]] = relationship(
        back_populates="issue", order_by="IssueEvent.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def display_title(self) -> str:
        """The short title, defaulting to the description's first 30 characters."""
        return self.title or default_title(self.description)


class IssueEvent(db.Model):
    """One entry of the follow-up log: only ever added, never edited."""

    __tablename__ = "issue_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id"), index=True)
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind, "event_kind"))
    from_state: Mapped[IssueState | None] = mapped_column(str_enum(IssueState, "from_state"))
    to_state: Mapped[IssueState | None] = mapped_column(str_enum(IssueState, "to_state"))
    comment: Mapped[str] = mapped_column(Text, default="")
    effective_on: Mapped[date]
    new_deadline: Mapped[date | None]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    issue: Mapped[Issue] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()
