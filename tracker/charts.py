"""Pure SVG charts drawn by the app (no JavaScript, readable in print and in the PDF)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape

from tracker.progress import Light, fmt_pct

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
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="rate-chart" viewBox="0 0 {width} {height}"'
        f' width="100%" role="img" aria-label="各项目完成率与时间进度"'
        f' font-family="{FONT}" font-size="11">',
        f'<text x="{label_w}" y="14" fill="#555">完成率（%）</text>',
    ]
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
        f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - bottom + 4}"'
        ' stroke="#1565c0" stroke-width="1.5" stroke-dasharray="4 3"/>'
    )
    out.append(
        f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" fill="#1565c0">'
        f"时间进度 {fmt_pct(time_progress)}%</text>"
    )
    out.append("</svg>")
    return "\n".join(out)
