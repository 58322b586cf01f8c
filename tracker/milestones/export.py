"""The wall chart as a workbook (/milestones.xlsx): the same matrix, cells filled with the
status colour, and a legend sheet."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from tracker.milestones.queries import Cell, WallChart
from tracker.milestones.status import Status

HEAD = ("项目编号", "项目名称", "级别", "建设阶段", "责任单位")
HEAD_FILL = PatternFill("solid", fgColor="E8EEF7")
MEANING = {
    Status.DONE_ON_TIME: "实际完成日期不晚于计划完成日期",
    Status.DONE: "已完成，未定计划完成日期",
    Status.DONE_LATE: "实际完成日期晚于计划完成日期",
    Status.OVERDUE: "计划完成日期已过，尚未完成",
    Status.DUE_SOON: "计划完成日期在今后 {n} 天内",
    Status.NOT_DUE: "计划完成日期在 {n} 天以后",
    Status.UNPLANNED: "尚未确定计划完成日期",
    Status.NOT_APPLICABLE: "本项目不需要此节点",
}


def cell_text(cell: Cell) -> str:
    """The date shown (actual once done, planned otherwise) and what the status says."""
    shown = cell.shown_date.isoformat() if cell.shown_date else ""
    return "\n".join(part for part in (shown, cell.standing.caption) if part)


def _text(ws, row: int, column: int, value: object) -> None:  # noqa: ANN001
    c = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        c.data_type = "s"  # text typed by a user is never run as a formula


def workbook_bytes(chart: WallChart, day: date, due_days: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "节点计划挂图"
    headers = [*HEAD, *(t.name for t in chart.columns)]
    with_own = chart.node is None
    if with_own:
        headers.append("自定节点")
    for i, h in enumerate(headers, start=1):
        c = ws.cell(row=1, column=i, value=h)
        c.font, c.fill = Font(bold=True), HEAD_FILL
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    for r, row in enumerate(chart.rows, start=2):
        p = row.project
        for i, value in enumerate((p.code, p.name, p.level.value, p.stage.value, p.unit_name), 1):
            _text(ws, r, i, value)
        for i, t in enumerate(chart.columns, start=len(HEAD) + 1):
            cell = row.cells.get(t.id)
            if cell is None:
                continue
            c = ws.cell(row=r, column=i, value=cell_text(cell))
            c.fill = PatternFill("solid", fgColor=cell.standing.status.colour)
            c.alignment = wrap
        if with_own and row.own:
            c = ws.cell(row=r, column=len(headers))
            c.value = "\n".join(f"{o.name}：{o.standing.status.value} {cell_text(o)}".strip()
                                for o in row.own)
            c.alignment = wrap
            if c.value.startswith("="):
                c.data_type = "s"
    widths = [10, 28, 8, 8, 18, *[13] * len(chart.columns)] + ([30] if with_own else [])
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "C2"

    legend = wb.create_sheet("图例")
    legend.append([f"状态日期：{day.isoformat()}（临期：今后 {due_days} 天内）"])
    legend.append(["状态", "含义", "个数"])
    for c in legend[2]:
        c.font, c.fill = Font(bold=True), HEAD_FILL
    for status in Status:
        legend.append([status.value, MEANING[status].format(n=due_days), chart.counts.get(status, 0)])
        legend.cell(row=legend.max_row, column=1).fill = PatternFill("solid", fgColor=status.colour)
    legend.column_dimensions["A"].width = 12
    legend.column_dimensions["B"].width = 36
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
