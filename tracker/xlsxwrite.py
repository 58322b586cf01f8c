"""A streaming .xlsx writer: rows go straight into the zip as XML, a few fixed styles.

openpyxl builds a Python object per cell even in write-only mode (about 30 µs a cell here:
17 s of CPU for the city's 560,000 cells); this writes each row as one string, so the park's
workbook takes a fraction of that and memory stays flat whatever the number of rows.
Strings are inline strings (no shared-string table to hold in memory) and never formulas.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

# Cell styles (indexes into styles.xml's cellXfs).
GENERAL, HEADER, HEADER_DARK, MONEY, DATE, TEXT, DATETIME = range(7)
_STYLE_OF_FORMAT = {"0.00": MONEY, "yyyy-mm-dd": DATE, "@": TEXT}

_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
_SPECIAL = re.compile(r'[\000-\010\013\014\016-\037&<>"]')  # anything escape() changes
_EPOCH = date(1899, 12, 30)
_ROWS_PER_WRITE = 500

_NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def column_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def escape(text: str) -> str:
    if _SPECIAL.search(text) is None:  # most cells: one scan, no copies
        return text
    text = _ILLEGAL.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


@dataclass
class ListValidation:
    """A drop-down list on a range, with an error message for anything else."""

    sqref: str
    choices: Sequence[str]
    allow_blank: bool = True
    error_title: str = ""
    error: str = ""

    def xml(self) -> str:
        formula = escape('"' + ",".join(self.choices) + '"')
        return (f'<dataValidation type="list" allowBlank="{int(self.allow_blank)}" showErrorMessage="1" '
                f'errorTitle="{escape(self.error_title)}" error="{escape(self.error)}" '
                f'sqref="{self.sqref}"><formula1>{formula}</formula1></dataValidation>')


@dataclass
class SheetSpec:
    """A sheet's layout: name, header row and its style, column widths and number formats
    (``formats``: "0.00", "yyyy-mm-dd" or "@" by column, None for none), validations."""

    name: str
    headers: Sequence[str]
    widths: Sequence[float] = ()
    formats: Sequence[str | None] = ()
    header_style: int = HEADER
    freeze_header: bool = True
    validations: list[ListValidation] = field(default_factory=list)


def _cell(ref: str, value: Any, style: int | None) -> str:
    # Exact types first, by frequency (half a million cells in a city's workbook); subclasses
    # (a StrEnum is a str) come back here as their plain type.
    kind = value.__class__
    if kind is str:
        if not value:
            return ""
        s = f' s="{style}"' if style else ""
        return f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">{escape(value)}</t></is></c>'
    if kind is Decimal:
        return f'<c r="{ref}" s="{style or MONEY}"><v>{float(value)!r}</v></c>'
    if kind is int or kind is float:
        return f'<c r="{ref}" s="{style}"><v>{value!r}</v></c>' if style else f'<c r="{ref}"><v>{value!r}</v></c>'
    if value is None:
        return ""
    if isinstance(value, str):
        return _cell(ref, str(value), style)
    if isinstance(value, bool):
        s = f' s="{style}"' if style else ""
        return f'<c r="{ref}" t="b"{s}><v>{int(value)}</v></c>'
    if isinstance(value, datetime):
        serial = (value - datetime(1899, 12, 30)).total_seconds() / 86400
        return f'<c r="{ref}" s="{style or DATETIME}"><v>{serial!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{style or DATE}"><v>{(value - _EPOCH).days}</v></c>'
    if isinstance(value, Decimal):
        return _cell(ref, Decimal(value), style)
    if isinstance(value, (int, float)):
        return _cell(ref, float(value) if isinstance(value, float) else int(value), style)
    if hasattr(value, "value"):  # enums: their label
        return _cell(ref, value.value, style)
    return _cell(ref, str(value), style)


class Workbook:
    """``with Workbook(file) as wb: wb.add_sheet(spec, rows)``; the file is a finished .xlsx
    when the block ends."""

    def __init__(self, target: IO[bytes]) -> None:
        self._zip = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._names: list[str] = []

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self._finish()
        self._zip.close()

    def add_sheet(self, spec: SheetSpec, rows: Iterable[Sequence[Any]]) -> int:
        """Write one sheet; returns the number of data rows."""
        self._names.append(spec.name[:31])
        number = len(self._names)
        letters = [column_letter(i) for i in range(1, max(len(spec.headers), 1) + 1)]
        styles = [_STYLE_OF_FORMAT.get(f) if f else None for f in spec.formats]
        styles += [None] * (len(letters) - len(styles))
        count = 0
        with self._zip.open(self._entry(f"xl/worksheets/sheet{number}.xml"), "w") as out:
            out.write(self._sheet_head(spec, styles).encode())
            header = "".join(_cell(f"{c}1", h, spec.header_style) for c, h in zip(letters, spec.headers, strict=False))
            buf = [f'<row r="1">{header}</row>']
            for count, row in enumerate(rows, start=1):
                r = count + 1
                if len(row) > len(letters):
                    letters += [column_letter(i) for i in range(len(letters) + 1, len(row) + 1)]
                    styles += [None] * (len(letters) - len(styles))
                cells = "".join(_cell(f"{letters[i]}{r}", v, styles[i]) for i, v in enumerate(row))
                buf.append(f'<row r="{r}">{cells}</row>')
                if len(buf) >= _ROWS_PER_WRITE:
                    out.write("".join(buf).encode())
                    buf.clear()
            buf.append("</sheetData>")
            if spec.validations:
                buf.append(f'<dataValidations count="{len(spec.validations)}">'
                           + "".join(v.xml() for v in spec.validations) + "</dataValidations>")
            buf.append("</worksheet>")
            out.write("".join(buf).encode())
        return count

    @staticmethod
    def _sheet_head(spec: SheetSpec, styles: list[int | None]) -> str:
        view = ('<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" '
                'activeCell="A2" sqref="A2"/></sheetView></sheetViews>' if spec.freeze_header
                else '<sheetViews><sheetView workbookViewId="0"/></sheetViews>')
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"'
            + (f' style="{styles[i - 1]}"' if i <= len(styles) and styles[i - 1] else "") + "/>"
            for i, w in enumerate(spec.widths, start=1)
        )
        return (f"{_HEAD}<worksheet {_NS}>{view}<sheetFormatPr defaultRowHeight=\"15\"/>"
                + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>")

    def _finish(self) -> None:
        n = len(self._names)
        sheets = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                         f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                         for i in range(1, n + 1))
        self._zip.writestr(self._entry("[Content_Types].xml"), (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f'{sheets}</Types>'))
        self._zip.writestr(self._entry("_rels/.rels"), (
            f'{_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        entries = "".join(f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
                          for i, name in enumerate(self._names, start=1))
        self._zip.writestr(self._entry("xl/workbook.xml"), (
            f'{_HEAD}<workbook {_NS}><bookViews><workbookView/></bookViews>'
            f'<sheets>{entries}</sheets></workbook>'))
        rels = "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/'
                       f'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
                       for i in range(1, n + 1))
        rels += (f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/'
                 'officeDocument/2006/relationships/styles" Target="styles.xml"/>')
        self._zip.writestr(self._entry("xl/_rels/workbook.xml.rels"), (
            f'{_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships">{rels}</Relationships>'))
        self._zip.writestr(self._entry("xl/styles.xml"), _STYLES)

    def _entry(self, name: str) -> zipfile.ZipInfo:
        """A part of the package stamped with a fixed time, not the moment it was written: the
        same rows make the same bytes (a draft brief's attached ledger, and so its PDF, can
        then be recognised as one already made: ``tracker.pdf.RENDERED``). Compressed as the
        package is (a ZipInfo given to ``open`` carries its own level)."""
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = self._zip.compression
        info._compresslevel = self._zip.compresslevel  # public as compress_level from 3.13
        return info


# GENERAL, HEADER (bold on light blue), HEADER_DARK (bold white on dark blue, centred), MONEY,
# DATE, TEXT, DATETIME: the order of the constants above.
_STYLES = (
    f'{_HEAD}<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="3"><numFmt numFmtId="164" formatCode="0.00"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="166" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/></font></fonts>'
    '<fills count="4"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFE8EEF7"/></patternFill></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FF1F4E79"/></patternFill></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="7">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="3" borderId="0" xfId="0" applyFont="1" applyFill="1" '
    'applyAlignment="1"><alignment horizontal="center" vertical="center"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>'
)
