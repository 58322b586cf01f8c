"""An Excel download of any list page: the rows the user filtered, as .xlsx."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)  # the cell stores a double either way; formatted to 2 places
    if hasattr(value, "value") and not isinstance(value, (date, datetime)):
        return value.value  # enums: their Chinese label
    return value


def workbook_bytes(sheet: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """One sheet, a bold frozen header row, widths fitted to the text."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EEF7")
    widths = [len(h) * 2 + 2 for h in headers]
    for row in rows:
        values = [_cell(v) for v in row]
        ws.append(values)
        for i, v in enumerate(values):
            widths[i] = min(max(widths[i], len(str(v or "")) * 2 + 2), 60)
        for cell, raw in zip(ws[ws.max_row], row, strict=False):
            if isinstance(raw, Decimal):
                cell.number_format = "0.00"
            elif isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text typed by a user is never run as a formula
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def download(filename: str, sheet: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    """An attachment response; ``filename`` may be Chinese (RFC 5987)."""
    return attachment(filename, workbook_bytes(sheet, headers, rows))


def attachment(filename: str, data: bytes) -> Response:
    """A workbook built elsewhere as an attachment; ``filename`` may be Chinese (RFC 5987)."""
    return Response(
        data,
        mimetype=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )
