"""Reading the work report's data: each area's rows for a year, the indicators with their
values for a month, the year's figures for the sentences. A fixed number of statements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import extract, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.workreport.models import (
    Indicator,
    IndicatorValue,
    LandEntry,
    PipelineProject,
    SignedProject,
    Target,
    TargetKind,
)
from tracker.workreport.sentences import growth_words, mu, ratio, yi

MODELS: dict[str, Any] = {
    "signed": SignedProject,
    "pipeline": PipelineProject,
    "land": LandEntry,
    "targets": Target,
}


@dataclass
class StaleSave:
    """What is stored now, who saved it and when: the conflict screen's content."""

    current: dict[str, str]
    by: str
    at: datetime | None


@dataclass
class Line:
    """A row of a grid as shown: the stored row (None for a value not yet entered), and when
    shown again the user's input with its messages or the conflict."""

    row: Any
    indicator: Indicator | None = None
    form: dict[str, str] | None = None
    errors: dict[str, str] = field(default_factory=dict)
    conflict: StaleSave | None = None

    @property
    def version(self) -> int:
        return self.row.version if self.row is not None else 0


def rows(area: str, year: int) -> list[Any]:
    """An area's rows for ``year`` (the pipeline: all of it), in the order shown."""
    model = MODELS[area]
    query = select(model).options(selectinload(model.updated_by))
    if area == "signed":
        query = query.where(extract("year", model.signed_on) == year).order_by(
            model.signed_on, model.id)
    elif area == "land":
        query = query.where(extract("year", model.acquired_on) == year).order_by(
            model.acquired_on, model.id)
    elif area == "targets":
        query = query.order_by(model.year.desc(), model.kind)
    else:
        query = query.order_by(model.investment.desc(), model.id)
    return list(db.session.scalars(query))


def row(area: str, row_id: int) -> Any:
    return db.session.get(MODELS[area], row_id)


def indicators(include_retired: bool = False) -> list[Indicator]:
    query = select(Indicator).order_by(Indicator.position)
    if not include_retired:
        query = query.where(Indicator.retired.is_(False))
    return list(db.session.scalars(query))


def value_lines(year: int, month: int) -> list[Line]:
    """Each indicator in use with its value for (year, month), entered or not."""
    values = {
        v.indicator_id: v for v in db.session.scalars(
            select(IndicatorValue).where(IndicatorValue.year == year, IndicatorValue.month == month)
            .options(selectinload(IndicatorValue.updated_by)))
    }
    return [Line(values.get(i.id), indicator=i) for i in indicators()]


def value_of(indicator_id: int, year: int, month: int) -> IndicatorValue | None:
    return db.session.scalar(select(IndicatorValue).where(
        IndicatorValue.indicator_id == indicator_id, IndicatorValue.year == year,
        IndicatorValue.month == month))


def targets_of(year: int) -> dict[TargetKind, Decimal]:
    return {t.kind: t.value for t in db.session.scalars(select(Target).where(Target.year == year))}


@dataclass
class YearFigures:
    """Everything the report's sentences need for (year, month), as plain values."""

    values: dict[str, tuple[Decimal, Decimal | None]]  # indicator key → (1-m, last year)
    signed: list[tuple[str, Decimal]]  # (name, 计划总投资) signed by the month's end
    pipeline: list[tuple[str, Decimal]]  # (industry, 计划投资)
    land: list[Decimal]  # 亩 acquired by the month's end
    targets: dict[TargetKind, Decimal]


def year_figures(year: int, month: int, last_day: date) -> YearFigures:
    """The figures of the report of (year, month), as of ``last_day``: five statements."""
    values = {
        key: (value, last)
        for key, value, last in db.session.execute(
            select(Indicator.key, IndicatorValue.cumulative, IndicatorValue.last_year)
            .join(IndicatorValue, IndicatorValue.indicator_id == Indicator.id)
            .where(Indicator.key.is_not(None), IndicatorValue.year == year,
                   IndicatorValue.month == month, IndicatorValue.cumulative.is_not(None)))
    }
    first = date(year, 1, 1)
    signed = [(n, i) for n, i in db.session.execute(
        select(SignedProject.name, SignedProject.investment)
        .where(SignedProject.signed_on >= first, SignedProject.signed_on <= last_day)
        .order_by(SignedProject.signed_on, SignedProject.id))]
    pipeline = [(ind, i) for ind, i in db.session.execute(
        select(PipelineProject.industry, PipelineProject.investment).order_by(PipelineProject.id))]
    land = list(db.session.scalars(select(LandEntry.area).where(
        LandEntry.acquired_on >= first, LandEntry.acquired_on <= last_day)))
    return YearFigures(values, signed, pipeline, land, targets_of(year))


def cards(year: int, month: int, last_day: date, last_year_day: date) -> dict:
    """Leadership's cards, one per area: 1-m of ``year`` against the same period of the year
    before (values as of ``last_year_day``) and against the year's targets; plain values."""
    now = year_figures(year, month, last_day)
    before = year_figures(year - 1, month, last_year_day)
    names = {i.key: i.name for i in indicators() if i.key}
    return {
        "economy": [(names.get(key, key), value, last) for key, (value, last) in now.values.items()],
        "signed": (len(now.signed), sum((a for _, a in now.signed), Decimal(0)),
                   sum((a for _, a in before.signed), Decimal(0)),
                   now.targets.get(TargetKind.INVESTMENT)),
        "pipeline": (len(now.pipeline), sum((a for _, a in now.pipeline), Decimal(0))),
        "land": (sum(now.land, Decimal(0)), sum(before.land, Decimal(0)),
                 now.targets.get(TargetKind.LAND)),
    }


def card_texts(c: dict) -> dict:
    """The cards' figures as shown (亿元 and 亩 with the sentences' formatting)."""
    def share(part, whole) -> str:  # noqa: ANN001
        rate = ratio(part, whole)
        return f"{rate:.1f}%" if rate is not None else "—"

    n, total, before, target = c["signed"]
    area, area_before, land_target = c["land"]
    return {
        "economy": [(name, yi(v), yi(last) if last is not None else "—",
                     growth_words(v, last) or "—") for name, v, last in c["economy"]],
        "signed": {"n": n, "total": yi(total), "before": yi(before),
                   "target": yi(target) if target else "—", "share": share(total, target)},
        "pipeline": {"k": c["pipeline"][0], "total": yi(c["pipeline"][1])},
        "land": {"area": mu(area), "before": mu(area_before),
                 "target": mu(land_target) if land_target else "—",
                 "share": share(area, land_target)},
    }
