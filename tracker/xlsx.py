"""An Excel download of any list page: the rows the user filtered, as .xlsx.

Workbooks are written with openpyxl's write-only mode into a spooled temporary file and sent
from it in chunks, so a list of any length costs about the same memory as a short one.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice
from typing import IO, Any
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPOOL_BYTES = 4 * 1024 * 1024  # larger workbooks spill to a temporary file on disk
CHUNK = 64 * 1024
WIDTH_SAMPLE = 500  # widths are fitted to the first rows: write-only sheets fix them up front

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8EEF7")


def _cell(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)  # the cell stores a double either way; formatted to 2 places
    if hasattr(value, "value") and not isinstance(value, (date, datetime)):
        return value.value  # enums: their Chinese label
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def text_cell(ws: Any, value: str) -> Any:
    """A cell that holds ``value`` as text, even when it starts with '=' (never a formula)."""
    cell = WriteOnlyCell(ws, value)
    if value.startswith("="):
        cell.data_type = "s"
    return cell


def header_cells(ws: Any, headers: Sequence[str], font: Font = HEADER_FONT,
                 fill: PatternFill = HEADER_FILL, **style: Any) -> list:
    """The header row's cells, styled."""
    cells = []
    for h in headers:
        cell = WriteOnlyCell(ws, h)
        cell.font, cell.fill = font, fill
        for name, value in style.items():
            setattr(cell, name, value)
        cells.append(cell)
    return cells


def _row_cells(ws: Any, row: Sequence[object]) -> list:
    out: list = []
    for raw in row:
        value = _cell(raw)
        if isinstance(raw, Decimal):
            cell = WriteOnlyCell(ws, value)
            cell.number_format = "0.00"
            out.append(cell)
        elif isinstance(value, str) and value.startswith("="):
            out.append(text_cell(ws, value))  # text typed by a user is never run as a formula
        else:
            out.append(value)
    return out


def save(wb: Workbook) -> IO[bytes]:
    """The workbook written to a spooled temporary file, rewound for reading."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (closed by the caller)
    wb.save(out)
    out.seek(0)
    return out


def workbook_file(sheet: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> IO[bytes]:
    """One sheet, a bold frozen header row, widths fitted to the first rows' text."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    rows = iter(rows)
    sample = list(islice(rows, WIDTH_SAMPLE))
    widths = [len(h) * 2 + 2 for h in headers]
    for row in sample:
        for i, v in enumerate(row[: len(widths)]):
            widths[i] = min(max(widths[i], len(str(_cell(v) or "")) * 2 + 2), 60)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    ws.append(header_cells(ws, headers))
    for row in chain(sample, rows):
        ws.append(_row_cells(ws, row))
    return save(wb)


def workbook_bytes(sheet: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """``workbook_file`` read into memory (for a file that is stored, not sent)."""
    with workbook_file(sheet, headers, rows) as f:
        return f.read()


def download(filename: str, sheet: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    """An attachment response; ``filename`` may be Chinese (RFC 5987)."""
    return attachment(filename, workbook_file(sheet, headers, rows))


def _chunks(f: IO[bytes]) -> Iterator[bytes]:
    with f:
        while chunk := f.read(CHUNK):
            yield chunk


def attachment(filename: str, data: bytes | IO[bytes]) -> Response:
    """A workbook (bytes, or a file sent in chunks and closed) as an attachment."""
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"}
    if isinstance(data, bytes):
        return Response(data, mimetype=XLSX, headers=headers)
    size = data.seek(0, 2)
    data.seek(0)
    headers["Content-Length"] = str(size)
    return Response(_chunks(data), mimetype=XLSX, headers=headers, direct_passthrough=True)
