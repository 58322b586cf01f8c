"""An Excel download of any list page: the rows the user filtered, as .xlsx.

Workbooks are streamed row by row (tracker.xlsxwrite) into a spooled temporary file and sent
from it in chunks, so a list of any length costs about the same memory as a short one.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import chain, islice
from typing import IO
from urllib.parse import quote

from flask import Response

from tracker.xlsxwrite import SheetSpec, Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPOOL_BYTES = 4 * 1024 * 1024  # larger workbooks spill to a temporary file on disk
CHUNK = 64 * 1024
WIDTH_SAMPLE = 500  # widths are fitted to the first rows: a streamed sheet fixes them up front


def _cell(value: object) -> object:
    if hasattr(value, "value") and not isinstance(value, (date, datetime)):
        return value.value  # enums: their Chinese label
    return value


def spooled() -> IO[bytes]:
    """A temporary file that stays in memory while small."""
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (closed by the caller)


def write_sheets(sheets: Iterable[tuple[SheetSpec, Iterable[Sequence[object]]]],
                 step: Callable[[int, str], None] | None = None) -> IO[bytes]:
    """Sheets streamed into a spooled temporary file, rewound for reading. ``step(i, name)``
    is called before the i-th sheet is written (a job's progress)."""
    out = spooled()
    with Workbook(out) as wb:
        for i, (spec, rows) in enumerate(sheets):
            if step is not None:
                step(i, spec.name)
            wb.add_sheet(spec, rows)
    out.seek(0)
    return out


def workbook_file(sheet: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> IO[bytes]:
    """One sheet, a bold frozen header row, widths fitted to the first rows' text; amounts
    (Decimal) with two decimals; text is never run as a formula."""
    rows = iter(rows)
    sample = [[_cell(v) for v in row] for row in islice(rows, WIDTH_SAMPLE)]
    widths = [len(h) * 2 + 2 for h in headers]
    for row in sample:
        for i, v in enumerate(row[: len(widths)]):
            widths[i] = min(max(widths[i], len(str(v if v is not None else "")) * 2 + 2), 60)
    spec = SheetSpec(sheet, list(headers), widths=widths)
    return write_sheets([(spec, chain(sample, ([_cell(v) for v in row] for row in rows)))])


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
