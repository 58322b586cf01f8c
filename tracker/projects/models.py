"""Key projects (重点项目), their annual plans and special bonds (政府专项债)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import Unit, User
from tracker.extensions import db, str_enum
from tracker.timeutil import utcnow

Money = Numeric(14, 2, asdecimal=True)


class Level(StrEnum):
    """项目级别, in the order the park lists them."""

    PROVINCIAL = "省重点"
    MUNICIPAL = "市重点"
    DISTRICT = "区重点"

    @property
    def order(self) -> int:
        return _LEVEL_ORDER[self]


_LEVEL_ORDER = {level: i for i, level in enumerate(Level)}
KEY_LEVELS = (Level.PROVINCIAL, Level.MUNICIPAL)


class ListLevel(StrEnum):
    """A project's level on one year's key-project list (年度重点项目清单, DESIGN.md section 11).

    不列入: the project is on no list that year, so it is outside that year's key group and brief.
    """

    PROVINCIAL = "省重点"
    MUNICIPAL = "市重点"
    DISTRICT = "区重点"
    UNLISTED = "不列入"

    @property
    def order(self) -> int:
        return len(Level) if self is ListLevel.UNLISTED else _LEVEL_ORDER[Level(self.value)]

    def as_level(self) -> Level | ListLevel:
        """The register's Level for the three levels (so ``is`` comparisons hold), else itself."""
        return self if self is ListLevel.UNLISTED else Level(self.value)


class Stage(StrEnum):
    """建设阶段."""

    PREPARATION = "前期"
    CONSTRUCTION = "在建"
    COMPLETED = "竣工"
    OPERATING = "投产"


SUGGESTED_INDUSTRIES = ("金属智造", "新材料", "机械装备", "绿色能源", "储能", "其他")

project_liaisons = Table(
    "project_liaisons",
    db.metadata,
    Column("project_id", ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Project(db.Model):
    """A supervised project; archived ones keep their history and past figures."""

    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("total_investment >= 0", name="total_investment_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[Level] = mapped_column(str_enum(Level, "level"))
    industry: Mapped[str] = mapped_column(String(40), default="")
    stage: Mapped[Stage] = mapped_column(str_enum(Stage, "stage"))
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    responsible_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    leader_in_charge: Mapped[str] = mapped_column(String(64), default="")
    total_investment: Mapped[Decimal | None] = mapped_column(Money)
    start_year: Mapped[int | None]
    planned_completion_year: Mapped[int | None]
    archived_on: Mapped[date | None]
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))

    owner_unit: Mapped[Unit | None] = relationship(foreign_keys=[owner_unit_id])
    responsible_unit: Mapped[Unit | None] = relationship(foreign_keys=[responsible_unit_id])
    lead: Mapped[User | None] = relationship(foreign_keys=[lead_id])
    liaisons: Mapped[list[User]] = relationship(secondary=project_liaisons)

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_key(self) -> bool:
        return self.level in KEY_LEVELS

    def in_key_group(self, year: int) -> bool:
        """省重点/市重点 by today's level, active or archived in ``year`` or later (DESIGN.md
        section 3); year Y's own list is read in SQL (``projects.service.level_in``)."""
        return self.is_key and (self.archived_on is None or self.archived_on.year >= year)

    def __repr__(self) -> str:
        return f"<Project {self.code}>"


class AnnualPlan(db.Model):
    """年度计划投资: one figure per project and year."""

    __tablename__ = "annual_plans"
    __table_args__ = (
        UniqueConstraint("project_id", "year"),
        CheckConstraint("amount >= 0", name="amount_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    year: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(Money)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))

    project: Mapped[Project] = relationship()


class ProjectYearLevel(db.Model):
    """A project's level in one year; a year without a row uses the project's current level.

    ``version`` guards concurrent edits (the plans page compares what the user saw).
    """

    __tablename__ = "project_year_levels"
    __table_args__ = (UniqueConstraint("project_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    year: Mapped[int]
    level: Mapped[ListLevel] = mapped_column(str_enum(ListLevel, "list_level"))
    version: Mapped[int] = mapped_column(default=1)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))

    project: Mapped[Project] = relationship()

    __mapper_args__ = {"version_id_col": version}


class Bond(db.Model):
    """政府专项债 granted to a project for a year."""

    __tablename__ = "bonds"
    __table_args__ = (
        UniqueConstraint("project_id", "year"),
        CheckConstraint("amount >= 0", name="amount_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    year: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(Money)
    expected_on: Mapped[date | None]
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))

    project: Mapped[Project] = relationship()
    spendings: Mapped[list[BondSpending]] = relationship(
        back_populates="bond", order_by="BondSpending.month"
    )

    def spent(self, through_month: int = 12) -> Decimal:
        """What was spent of the bond in months 1..``through_month`` (spendings loaded)."""
        return sum((s.amount for s in self.spendings if s.month <= through_month), Decimal(0))


class BondSpending(db.Model):
    """A month's spending of a bond (当月支出)."""

    __tablename__ = "bond_spendings"
    __table_args__ = (
        UniqueConstraint("bond_id", "month"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
        CheckConstraint("amount >= 0", name="amount_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bond_id: Mapped[int] = mapped_column(ForeignKey("bonds.id"), index=True)
    month: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(Money)
    version: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))

    bond: Mapped[Bond] = relationship(back_populates="spendings")
    updated_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


# --- monthly reports: the figures every page and the brief count -----------------


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
