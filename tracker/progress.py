"""Pure figures of DESIGN.md section 3: no Flask, no database.

Every amount is a ``Decimal`` in 万元. Rates and deviations are kept unrounded
as percentages (``Decimal("23.947…")`` means 23.947 %); rounding happens once,
half up, in the ``fmt_*`` functions when a figure is shown. The warning light
and the deviation's words are decided on the deviation *as shown* (one
decimal), so that the words and the colour always agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

ZERO = Decimal("0")
HUNDRED = Decimal("100")
WAN_PER_YI = Decimal("10000")


class Light(StrEnum):
    """Warning light (预警)."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def label(self) -> str:
        return {"green": "绿灯", "yellow": "黄灯", "red": "红灯"}[self.value]


@dataclass(frozen=True)
class Thresholds:
    """Warning-light thresholds in percentage points behind time progress.

    Green while the shown deviation is ≥ ``-yellow``; yellow down to ``-red``
    (inclusive); red below. The defaults (0, 10) are DESIGN.md's; a park that
    tolerates more sets e.g. (10, 30).
    """

    yellow: Decimal = Decimal("0")
    red: Decimal = Decimal("10")


def to_decimal(value: object) -> Decimal:
    """A Decimal from an int, str or Decimal; floats go through ``repr`` to avoid noise."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


def half_up(value: Decimal, places: int) -> Decimal:
    """Round half up (四舍五入): 0.05 → 0.1, never banker's rounding."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# --- figures -----------------------------------------------------------------


def time_progress(month: int) -> Decimal:
    """时间进度 for data "1-m月", as a percentage: m / 12."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, not {month}")
    return Decimal(month) * HUNDRED / Decimal(12)


def ytd_completed(monthly: Mapping[tuple[int, int], Decimal], year: int, month: int) -> Decimal:
    """1-m月完成投资: counted amounts of months 1..m of ``year``.

    ``monthly`` maps (year, month) to the counted amount; other years and
    later months are ignored.
    """
    return sum(
        (amount for (y, m), amount in monthly.items() if y == year and 1 <= m <= month), ZERO
    )


def cumulative_completed(
    monthly: Mapping[tuple[int, int], Decimal], year: int, month: int
) -> Decimal:
    """累计完成投资: every counted month up to month m of ``year``, earlier years included."""
    return sum((amount for (y, m), amount in monthly.items() if (y, m) <= (year, month)), ZERO)


def completion_rate(ytd: Decimal, plan: Decimal | None) -> Decimal | None:
    """完成率 in percent; ``None`` when there is no plan or a plan of 0."""
    if plan is None or plan == 0:
        return None
    return ytd * HUNDRED / plan


def share(part: Decimal, whole: Decimal | None) -> Decimal | None:
    """``part`` as a percentage of ``whole``; ``None`` when whole is missing or 0."""
    return completion_rate(part, whole)


def deviation_points(rate: Decimal | None, month: int) -> Decimal | None:
    """偏差 = completion rate − time progress, in percentage points."""
    if rate is None:
        return None
    return rate - time_progress(month)


def warning_light(deviation: Decimal | None, thresholds: Thresholds = Thresholds()) -> Light | None:
    """预警 decided on the deviation as shown (one decimal, half up)."""
    if deviation is None:
        return None
    shown = half_up(deviation, 1)
    if shown >= -thresholds.yellow:
        return Light.GREEN
    if shown >= -thresholds.red:
        return Light.YELLOW
    return Light.RED


def deviation_words(deviation: Decimal) -> str:
    """比时间进度快X个百分点 / 慢X个百分点 / 与时间进度持平, from the shown value."""
    shown = half_up(deviation, 1)
    if shown > 0:
        return f"比时间进度快{fmt_decimal(shown, 1)}个百分点"
    if shown < 0:
        return f"比时间进度慢{fmt_decimal(-shown, 1)}个百分点"
    return "与时间进度持平"


def deviation_short(deviation: Decimal | None) -> str:
    """Table form of the deviation: 快10.0 / 慢6.3 / 持平 / —."""
    if deviation is None:
        return "—"
    shown = half_up(deviation, 1)
    if shown > 0:
        return f"快{fmt_decimal(shown, 1)}"
    if shown < 0:
        return f"慢{fmt_decimal(-shown, 1)}"
    return "持平"


def overall_rate(pairs: Iterable[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """Group rate = Σ YTD / Σ plan over the (ytd, plan) pairs that have a plan (≠ 0)."""
    done = plan_sum = ZERO
    for ytd, plan in pairs:
        if plan:
            done += ytd
            plan_sum += plan
    return completion_rate(done, plan_sum)


def mean_rate(rates: Iterable[Decimal | None]) -> Decimal | None:
    """平均投资进度: plain mean of the rates that exist; ``None`` when there are none."""
    present = [r for r in rates if r is not None]
    if not present:
        return None
    return sum(present, ZERO) / Decimal(len(present))


def bond_progress(granted: Decimal, spent: Decimal) -> Decimal | None:
    """Special-bond spending progress in percent; ``None`` with nothing granted."""
    return completion_rate(spent, granted)


@dataclass(frozen=True)
class ProjectFigures:
    """One project's figures for year Y, month m (all unrounded)."""

    plan: Decimal | None
    ytd: Decimal
    cumulative: Decimal | None  # None where a list did not ask for it
    rate: Decimal | None
    deviation: Decimal | None
    light: Light | None
    cumulative_share: Decimal | None


def project_figures(
    monthly: Mapping[tuple[int, int], Decimal],
    plan: Decimal | None,
    year: int,
    month: int,
    total_investment: Decimal | None = None,
    thresholds: Thresholds = Thresholds(),
) -> ProjectFigures:
    """All of a project's figures from its counted monthly amounts and its plan."""
    return figures_from(
        ytd_completed(monthly, year, month),
        cumulative_completed(monthly, year, month),
        plan,
        month,
        total_investment,
        thresholds,
    )


def figures_from(
    ytd: Decimal,
    cumulative: Decimal | None,
    plan: Decimal | None,
    month: int,
    total_investment: Decimal | None = None,
    thresholds: Thresholds = Thresholds(),
) -> ProjectFigures:
    """A project's figures from sums already taken (e.g. aggregated in SQL)."""
    rate = completion_rate(ytd, plan)
    deviation = deviation_points(rate, month)
    return ProjectFigures(
        plan=plan if plan else None,
        ytd=ytd,
        cumulative=cumulative,
        rate=rate,
        deviation=deviation,
        light=warning_light(deviation, thresholds),
        cumulative_share=share(cumulative, total_investment) if cumulative is not None else None,
    )


@dataclass(frozen=True)
class GroupMember:
    """A project as the key-group summary needs it."""

    name: str
    level: str  # 省重点 / 市重点
    figures: ProjectFigures


@dataclass(frozen=True)
class GroupSummary:
    """The key group's headline (DESIGN.md sections 3 and 4)."""

    count: int
    provincial: int
    municipal: int
    plan: Decimal
    done: Decimal
    rate: Decimal | None
    deviation: Decimal | None
    provincial_average: Decimal | None
    without_plan: tuple[str, ...]


def summarize_group(members: Iterable[GroupMember], month: int) -> GroupSummary:
    """Counts include projects without a plan; sums and rates only those with one."""
    members = list(members)
    planned = [m for m in members if m.figures.plan]
    plan = sum((m.figures.plan for m in planned), ZERO)
    done = sum((m.figures.ytd for m in planned), ZERO)
    rate = completion_rate(done, plan)
    return GroupSummary(
        count=len(members),
        provincial=sum(1 for m in members if m.level == "省重点"),
        municipal=sum(1 for m in members if m.level == "市重点"),
        plan=plan,
        done=done,
        rate=rate,
        deviation=deviation_points(rate, month),
        provincial_average=mean_rate(m.figures.rate for m in planned if m.level == "省重点"),
        without_plan=tuple(m.name for m in members if not m.figures.plan),
    )


# --- issues: open and overdue on a given day ----------------------------------


def days_overdue(deadline: date | None, day: date) -> int:
    """Days past the deadline on ``day`` (0 when not overdue or without deadline)."""
    if deadline is None or deadline >= day:
        return 0
    return (day - deadline).days


def is_open_on(
    raised_on: date, day: date, closures: Iterable[tuple[date, bool]] = ()
) -> bool:
    """Whether an issue is open on ``day`` (DESIGN.md section 2).

    ``closures`` are the issue's state moves as (effective date, closed after
    the move) pairs, in the order they happened; the last one effective on or
    before ``day`` decides. An issue closed on 3月1日 and reopened on 9月1日
    was closed on 7月31日.
    """
    if raised_on > day:
        return False
    closed = False
    for effective_on, closed_after in closures:
        if effective_on <= day:
            closed = closed_after
    return not closed


# --- display -------------------------------------------------------------------


def fmt_decimal(value: Decimal, places: int, thousands: bool = False) -> str:
    """Half-up with ``places`` decimals; never a minus zero."""
    rounded = half_up(value, places)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:,.{places}f}" if thousands else f"{rounded:.{places}f}"


def fmt_yi(wan: Decimal) -> str:
    """亿元 with two decimals from 万元: 38000 → 3.80."""
    return fmt_decimal(wan / WAN_PER_YI, 2)


def fmt_wan(wan: Decimal | None, thousands: bool = False) -> str:
    """万元 with two decimals; tables may ask for thousands separators."""
    if wan is None:
        return "—"
    return fmt_decimal(wan, 2, thousands)


def fmt_pct(rate: Decimal | None) -> str:
    """A percentage with one decimal, without the % sign; "—" when absent."""
    if rate is None:
        return "—"
    return fmt_decimal(rate, 1)


def fmt_points(points: Decimal | None) -> str:
    """Percentage points with one decimal, signed (+10.0 / -6.3 / 0.0)."""
    if points is None:
        return "—"
    shown = half_up(points, 1)
    text = fmt_decimal(shown, 1)
    return f"+{text}" if shown > 0 else text


def fmt_month_day(day: date) -> str:
    """9月30日 without zero padding."""
    return f"{day.month}月{day.day}日"


def fmt_date_cn(day: date) -> str:
    """2026年8月5日."""
    return f"{day.year}年{day.month}月{day.day}日"
