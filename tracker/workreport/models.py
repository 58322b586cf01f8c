"""The work report's data (工作情况汇报, DESIGN.md section 15): economic indicators, signed and
intended projects, land acquired, the year's targets; and the report's drafts and revisions.

Every editable row carries ``version`` (a stale form gets the conflict screen).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from tracker.auth.models import User
from tracker.extensions import db, str_enum
from tracker.revisions import FrozenRevision

Amount = Numeric(14, 2, asdecimal=True)  # 亿元 or 亩


class Agreement(StrEnum):
    """协议类型 of a signed project."""

    INVESTMENT = "投资协议"
    FRAMEWORK = "框架协议"


class PipelineStage(StrEnum):
    """进展 of a project in the pipeline (储备项目)."""

    TALKING = "洽谈中"
    FRAMEWORK = "已签框架协议"
    SIGNING = "拟签投资协议"


class TargetKind(StrEnum):
    """The year's targets: 年度招商任务 (亿元 of planned investment), 土地收储 (亩)."""

    INVESTMENT = "年度招商任务"
    LAND = "土地收储"


class ReportState(StrEnum):
    DRAFT = "草稿"
    PUBLISHED = "已发布"


class Edited:
    """Who changed a row last, and when (None until someone edits it after creating it)."""

    version: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime | None]

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:  # noqa: N805
        return {"version_id_col": cls.__table__.c.version}


class Indicator(db.Model):
    """One economic indicator (经济指标) of the park's list, in ``position`` order.

    ``key`` marks the five the sentence knows by meaning; it stays when an admin renames them.
    """

    __tablename__ = "wr_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    key: Mapped[str | None] = mapped_column(String(20), unique=True)
    position: Mapped[int]
    retired: Mapped[bool] = mapped_column(default=False)


class IndicatorValue(Edited, db.Model):
    """An indicator's cumulative 1-m value (本期累计, 亿元) and the same period last year."""

    __tablename__ = "wr_indicator_values"
    __table_args__ = (
        UniqueConstraint("indicator_id", "year", "month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("wr_indicators.id"), index=True)
    year: Mapped[int]
    month: Mapped[int]
    cumulative: Mapped[Decimal | None] = mapped_column(Amount)
    last_year: Mapped[Decimal | None] = mapped_column(Amount)

    indicator: Mapped[Indicator] = relationship()
    updated_by: Mapped[User | None] = relationship()


class SignedProject(Edited, db.Model):
    """招商签约: a project signed on ``signed_on`` (计划总投资 in 亿元)."""

    __tablename__ = "wr_signed_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    industry: Mapped[str] = mapped_column(String(40), default="")
    signed_on: Mapped[date] = mapped_column(index=True)
    investment: Mapped[Decimal] = mapped_column(Amount)
    agreement: Mapped[Agreement] = mapped_column(
        str_enum(Agreement, "wr_agreement"), default=Agreement.INVESTMENT)

    updated_by: Mapped[User | None] = relationship()


class PipelineProject(Edited, db.Model):
    """储备项目: a project with a strong intention to settle (计划投资 in 亿元)."""

    __tablename__ = "wr_pipeline_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    industry: Mapped[str] = mapped_column(String(40), default="")
    investment: Mapped[Decimal] = mapped_column(Amount)
    progress: Mapped[PipelineStage] = mapped_column(
        str_enum(PipelineStage, "wr_pipeline_stage"), default=PipelineStage.TALKING)

    updated_by: Mapped[User | None] = relationship()


class LandEntry(Edited, db.Model):
    """土地收储: land acquired on ``acquired_on`` (亩) and where."""

    __tablename__ = "wr_land_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    acquired_on: Mapped[date] = mapped_column(index=True)
    area: Mapped[Decimal] = mapped_column(Amount)
    location: Mapped[str] = mapped_column(String(100), default="")

    updated_by: Mapped[User | None] = relationship()


class Target(Edited, db.Model):
    """A year's target (年度目标): 年度招商任务 in 亿元 or 土地收储 in 亩."""

    __tablename__ = "wr_targets"
    __table_args__ = (UniqueConstraint("year", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    kind: Mapped[TargetKind] = mapped_column(str_enum(TargetKind, "wr_target_kind"))
    value: Mapped[Decimal] = mapped_column(Amount)

    updated_by: Mapped[User | None] = relationship()


class WorkReport(FrozenRevision, db.Model):
    """One revision of a period's work report; a published one is frozen (text and files).

    ``texts`` holds the paragraphs the office changed (key → text); the others are generated.
    """

    __tablename__ = "work_reports"
    __table_args__ = (
        UniqueConstraint("year", "month", "revision"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    month: Mapped[int]
    revision: Mapped[int] = mapped_column(default=1)
    state: Mapped[ReportState] = mapped_column(
        str_enum(ReportState, "work_report_state"), default=ReportState.DRAFT)
    texts: Mapped[dict] = mapped_column(JSON, default=dict)
    problems: Mapped[str] = mapped_column(Text, default="")  # 二、存在问题 after (一)
    plans: Mapped[str] = mapped_column(Text, default="")  # 三、下一步工作计划
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

