"""Milestones (节点计划): the park's template and each project's milestones (DESIGN.md section 11)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.extensions import db, str_enum
from tracker.milestones.status import Key
from tracker.projects.models import Project
from tracker.timeutil import utcnow


class MilestoneTemplate(db.Model):
    """One milestone of the park's template, in ``position`` order.

    ``key`` marks the milestones the rules know by meaning (土地供应, 开工建设, 竣工验收,
    投产运营): it stays when an admin renames them. A retired milestone is no longer given
    to projects nor shown on the wall chart; what projects recorded for it is kept.
    """

    __tablename__ = "milestone_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    position: Mapped[int]
    retired: Mapped[bool] = mapped_column(default=False)
    key: Mapped[Key | None] = mapped_column(str_enum(Key, "milestone_key"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<MilestoneTemplate {self.name}>"


class ProjectMilestone(db.Model):
    """A project's milestone: one of the template's (``template_id``) or its own (``name``).

    ``version`` guards concurrent edits (a stale form gets the conflict screen).
    """

    __tablename__ = "project_milestones"
    __table_args__ = (
        UniqueConstraint("project_id", "template_id"),
        CheckConstraint("template_id IS NOT NULL OR name <> ''", name="named"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("milestone_templates.id"))
    name: Mapped[str] = mapped_column(String(60), default="")  # a project's own milestone
    planned_on: Mapped[date | None]
    actual_on: Mapped[date | None]
    not_applicable: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime | None]  # None until someone changes it

    project: Mapped[Project] = relationship()
    template: Mapped[MilestoneTemplate | None] = relationship()
    updated_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def title(self) -> str:
        """The milestone's name: the template's (as renamed) or the project's own."""
        return self.template.name if self.template is not None else self.name

    @property
    def key(self) -> Key | None:
        return self.template.key if self.template is not None else None

    @property
    def is_own(self) -> bool:
        return self.template_id is None
