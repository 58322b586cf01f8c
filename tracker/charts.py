"""Pure SVG charts drawn by the app (no JavaScript, readable in print and in the PDF)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import escape

from tracker.progress import Light, fmt_pct, fmt_wan

COLOURS = {Light.GREEN: "#2e7d32", Light.YELLOW: "#f9a825", Light.RED: "#c62828", None: "#9e9e9e"}
FONT = "Noto Sans CJK SC, Source Han Sans SC, sans-serif"


@dataclass(frozen=True)
class Bar:
    label: str
    rate: Decimal | None
    light: Light | None


def rate_chart(
    bars: list[Bar], time_progress: Decimal, width: int = 720, values: bool = True
) -> str:
    """Horizontal bars of completion rate per project against the time-progress line.

    The axis runs to the larger of 100 % and the highest rate; a project
    without a plan shows "无计划" and no bar. The SVG names its font because
    text inside SVG ignores the page's font in WeasyPrint. ``values=False``
    leaves out the rate printed after each bar: WeasyPrint lays out and draws
    SVG text letter by letter, so in a PDF whose table already prints every
    rate those labels were a tenth of a long brief's render time.
    """
    label_w, right_pad, row_h, top, bottom = 190, 56, 20, 26, 22
    top_rate = max([Decimal(100)] + [b.rate for b in bars if b.rate is not None])
    scale = Decimal(width - label_w - right_pad) / top_rate
    height = top + bottom + row_h * max(len(bars), 1)
    axis_y = height - bottom + 4
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="rate-chart" viewBox="0 0 {width} {height}"'
        f' width="100%" role="img" aria-label="各项目完成率与时间进度"'
        f' font-family="{FONT}" font-size="11">',
        f'<text x="{label_w - 6}" y="{height - 6}" text-anchor="end" fill="#555">完成率（%）</text>',
        f'<line x1="{label_w}" y1="{top - 4}" x2="{label_w}" y2="{axis_y}" stroke="#999"/>',
        f'<line x1="{label_w}" y1="{axis_y}" x2="{width - right_pad}" y2="{axis_y}" stroke="#999"/>',
    ]
    # Ticks every 25 %, past 100 % when a rate does: a reader can read a bar without its label.
    tick = 0
    while tick <= top_rate:
        x = label_w + Decimal(tick) * scale
        if tick:
            out.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{axis_y + 3}"'
                       ' stroke="#ddd"/>')
        out.append(f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" fill="#555">{tick}</text>')
        tick += 25
    for i, bar in enumerate(bars):
        y = top + i * row_h
        name = bar.label if len(bar.label) <= 14 else bar.label[:13] + "…"
        out.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(name)}</text>'
        )
        if bar.rate is None:
            out.append(f'<text x="{label_w + 4}" y="{y + 14}" fill="#777">无计划</text>')
            continue
        w = max(bar.rate * scale, Decimal(1))
        out.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}"'
            f' fill="{COLOURS[bar.light]}"><title>{escape(bar.label)} {fmt_pct(bar.rate)}%</title></rect>'
        )
        if values:
            out.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 14}">{fmt_pct(bar.rate)}%</text>')
    x = label_w + time_progress * scale
    out.append(
        f'<line x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{axis_y}"'
        ' stroke="#1565c0" stroke-width="1.5" stroke-dasharray="4 3"/>'
    )
    out.append(
        f'<text x="{x:.1f}" y="13" text-anchor="middle" fill="#1565c0">'
        f"时间进度 {fmt_pct(time_progress)}%</text>"
    )
    out.append("</svg>")
    return "\n".join(out)


# --- the project page: investment curve and milestone timeline on one time axis ----------

CURVE_WIDTH, AXIS_LEFT, AXIS_RIGHT = 760, 150, 24
ACTUAL, PLAN_LINE, LATE = "#1565c0", "#9e9e9e", "#c62828"


def _month_x(month: Decimal | int, width: int) -> Decimal:
    """x of the end of ``month`` (0: the start of the year), shared by both charts."""
    return AXIS_LEFT + Decimal(month) * Decimal(width - AXIS_LEFT - AXIS_RIGHT) / 12


def _nice_top(value: Decimal) -> Decimal:
    """The axis' top: 1, 2, 2.5 or 5 × a power of ten, at or above ``value``."""
    if value <= 0:
        return Decimal(100)
    power = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _month_grid(out: list[str], top: int, bottom: int, width: int, labels: bool) -> None:
    for m in range(1, 13):
        x = _month_x(m, width)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#eee"/>')
        if labels:
            mid = _month_x(Decimal(m) - Decimal("0.5"), width)
            out.append(f'<text x="{mid:.1f}" y="{bottom + 14}" text-anchor="middle" fill="#555">{m}月</text>')


def investment_curve(ytd: list[Decimal], plan: Decimal | None, width: int = CURVE_WIDTH) -> str:
    """Cumulative completed investment by month (``ytd``: months 1..m, 万元) against the even
    plan line (month/12 × the annual plan), from the start of the year to its end.

    Without a plan only the completed line is drawn, and the chart says so.
    """
    top, height = 24, 220
    bottom = height - 28
    highest = max([plan or Decimal(0), *ytd, Decimal(0)])
    scale_top = _nice_top(highest)

    def y(value: Decimal) -> Decimal:
        return bottom - (value / scale_top) * (bottom - top)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="curve-chart" viewBox="0 0 {width} {height}"'
        f' width="100%" role="img" aria-label="累计完成投资与均衡计划线"'
        f' font-family="{FONT}" font-size="11">',
        '<text x="4" y="14" fill="#555">累计完成投资（万元）</text>',
    ]
    _month_grid(out, top, bottom, width, labels=True)
    for i in range(5):
        value = scale_top * i / 4
        out.append(f'<line x1="{AXIS_LEFT}" y1="{y(value):.1f}" x2="{width - AXIS_RIGHT}"'
                   f' y2="{y(value):.1f}" stroke="#e0e0e0"/>')
        out.append(f'<text x="{AXIS_LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end"'
                   f' fill="#555">{value.normalize():f}</text>')
    if plan:
        out.append(f'<line x1="{AXIS_LEFT}" y1="{y(Decimal(0)):.1f}" x2="{_month_x(12, width):.1f}"'
                   f' y2="{y(plan):.1f}" stroke="{PLAN_LINE}" stroke-width="2" stroke-dasharray="6 4">'
                   f'<title>均衡计划线：年度计划 {fmt_wan(plan)} 万元 × 月份/12</title></line>')
    else:
        out.append(f'<text x="{AXIS_LEFT + 8}" y="{top + 14}" fill="#777">未下达年度计划，无均衡计划线</text>')
    if ytd:
        points = [(AXIS_LEFT, y(Decimal(0)))] + [(_month_x(m, width), y(v))
                                                 for m, v in enumerate(ytd, start=1)]
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        out.append(f'<polyline points="{path}" fill="none" stroke="{ACTUAL}" stroke-width="2.5"/>')
        for m, v in enumerate(ytd, start=1):
            out.append(f'<circle cx="{_month_x(m, width):.1f}" cy="{y(v):.1f}" r="3" fill="{ACTUAL}">'
                       f'<title>1-{m}月累计 {v:.2f} 万元</title></circle>')
    lx = width - AXIS_RIGHT - 250
    out.append(f'<line x1="{lx}" y1="10" x2="{lx + 24}" y2="10" stroke="{ACTUAL}" stroke-width="2.5"/>'
               f'<text x="{lx + 28}" y="14">累计完成</text>')
    out.append(f'<line x1="{lx + 100}" y1="10" x2="{lx + 124}" y2="10" stroke="{PLAN_LINE}"'
               f' stroke-width="2" stroke-dasharray="6 4"/><text x="{lx + 128}" y="14">均衡计划线</text>')
    out.append("</svg>")
    return "\n".join(out)


@dataclass(frozen=True)
class Mark:
    """A milestone on the timeline: its dates, and whether it is overdue (drawn in red)."""

    label: str
    planned: date | None
    actual: date | None
    overdue: bool = False
    not_applicable: bool = False


def _date_x(day: date, year: int, width: int) -> Decimal | None:
    """x of ``day`` on ``year``'s axis; None outside the year."""
    if day.year != year:
        return None
    start = date(year, 1, 1)
    days = (date(year + 1, 1, 1) - start).days
    return AXIS_LEFT + Decimal((day - start).days) * Decimal(width - AXIS_LEFT - AXIS_RIGHT) / days


def _short(day: date | None, year: int) -> str:
    if day is None:
        return "—"
    return f"{day.month}-{day.day}" if day.year == year else day.isoformat()


def milestone_timeline(marks: list[Mark], year: int, width: int = CURVE_WIDTH) -> str:
    """Each milestone as a row on ``year``'s months, aligned with ``investment_curve``:
    a hollow diamond at the planned date, a dot at the actual date, overdue in red. Dates
    outside the year are written out at the row's end instead of drawn."""
    row_h, top = 22, 8
    height = top + row_h * max(len(marks), 1) + 22
    bottom = height - 22
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline-chart" viewBox="0 0 {width} {height}"'
        f' width="100%" role="img" aria-label="节点计划时间轴" font-family="{FONT}" font-size="11">',
    ]
    _month_grid(out, top, bottom, width, labels=True)
    if not marks:
        out.append(f'<text x="{AXIS_LEFT + 8}" y="{top + 15}" fill="#777">无节点</text>')
    for i, mark in enumerate(marks):
        cy = top + i * row_h + row_h / 2
        colour = LATE if mark.overdue else ("#999" if mark.not_applicable else "#333")
        name = mark.label if len(mark.label) <= 10 else mark.label[:9] + "…"
        out.append(f'<text x="{AXIS_LEFT - 6}" y="{cy + 4}" text-anchor="end" fill="{colour}">'
                   f'{escape(name)}</text>')
        if mark.not_applicable:
            out.append(f'<text x="{AXIS_LEFT + 6}" y="{cy + 4}" fill="#999">不适用</text>')
            continue
        px = _date_x(mark.planned, year, width) if mark.planned else None
        ax = _date_x(mark.actual, year, width) if mark.actual else None
        if px is not None and ax is not None:
            out.append(f'<line x1="{px:.1f}" y1="{cy}" x2="{ax:.1f}" y2="{cy}" stroke="{colour}"'
                       ' stroke-width="1"/>')
        if px is not None:
            out.append(
                f'<path d="M{px:.1f} {cy - 5} l5 5 l-5 5 l-5 -5 z" fill="#fff" stroke="{colour}"'
                f' stroke-width="1.5"><title>{escape(mark.label)} 计划 {mark.planned}</title></path>')
        if ax is not None:
            fill = LATE if mark.planned and mark.actual > mark.planned else "#2e7d32"
            out.append(f'<circle cx="{ax:.1f}" cy="{cy}" r="4" fill="{fill}">'
                       f'<title>{escape(mark.label)} 实际 {mark.actual}</title></circle>')
        outside = [f"{word}{_short(d, year)}" for word, d, x in
                   (("计划", mark.planned, px), ("实际", mark.actual, ax)) if d and x is None]
        if not mark.planned and not mark.actual:
            outside = ["未计划"]
        if outside:
            out.append(f'<text x="{width - AXIS_RIGHT}" y="{cy + 4}" text-anchor="end" fill="#777">'
                       f'{escape("，".join(outside))}</text>')
    out.append("</svg>")
    return "\n".join(out)
