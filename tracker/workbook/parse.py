"""The park's workbook (DESIGN.md section 5): reading and validating, without Flask or a database.

``read_sheets`` turns the file's bytes into rows (python-calamine); ``parse_book`` turns the
rows of each sheet into typed records or the full list of errors, each as
``{sheet} 第{row}行 {column}：{reason}`` with Excel's row numbers.

Decisions where DESIGN.md is silent (kept here so that the code and the page agree):

- **Float noise.** Excel hands numbers over as binary floats. A float is read through its
  shortest ``repr`` (1470.37 → ``Decimal("1470.37")``); when that still has more than two
  decimals but lies within ``NOISE`` (a millionth, or 1e-12 of the value for huge ones) of a
  two-decimal number, the difference is float noise from a formula (1470.3700000001 → 1470.37).
  Anything further away (1470.375, 0.001) is a real third decimal and is refused. Numbers typed
  as text are taken exactly as written (thousands separators allowed), without tolerance.
- **Columns.** Every column of a sheet must be present (a missing one is an error on the header
  row): a blank optional cell means "empty", so a missing column would otherwise wipe data.
- **Required cells.** 项目: 项目编号, 项目名称, 级别, 建设阶段. 年度计划 and 专项债支出: all.
  月度进展: all but 形象进度 and 下步计划. 问题: 问题编号, 问题类别, 问题描述, 督办等级, 提出日期,
  状态 (项目编号 blank = a park-wide issue). 专项债: all but 预计支出完毕日期.
- **Codes.** 问题编号 and 项目编号 may not contain ``/`` or spaces (项目编号 too, because it is
  part of the project's address ``/projects/<code>``). A whole number in a code or text cell
  (1001.0) reads as ``"1001"``.
- **办结日期** is required for 已办结 and must be empty for every other state, and may not be
  before 提出日期.
- **Years** are whole numbers from 2000 to 2100.
- **年度计划 级别** (the project's level on that year's list, DESIGN.md section 11) is an optional
  column: a file without it changes no level, and a blank 级别 leaves the year's level as it
  is (import never deletes). A row with a 级别 may leave 年度计划投资 blank: it sets the level
  alone.
- **节点计划**: 节点名称 up to 60 characters; 计划完成日期 a date or ``不适用``; 实际完成日期 a
  date; 备注 text. A blank cell means empty (a blank 计划完成日期 clears the planned date).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from tracker.workbook.cells import (
    BAD_CODE_RE,
    READERS,
    CellError,
    Column,
    as_text,
    blank_value,
    is_blank,
    normalise_header,
    read_cell,
)

# Labels exactly as DESIGN.md lists them; tests/unit checks they equal the models' enums.
LEVELS = ("省重点", "市重点", "区重点")
LIST_LEVELS = (*LEVELS, "不列入")
STAGES = ("前期", "在建", "竣工", "投产")
CATEGORIES = ("资金不足", "用地手续不完善", "土地交付进度慢", "规划报建", "环评能评", "施工组织", "水电路配套", "其他")
SUPERVISION_LEVELS = ("一般督办", "重点督办", "挂牌督办")
ISSUE_STATES = ("待办理", "办理中", "待确认", "已办结", "已撤销")
CLOSED_STATE = "已办结"

@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # fields that identify a row (DESIGN.md "Matching")

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)


def _c(header: str, field_name: str, kind: str = "text", required: bool = True, **kw: Any) -> Column:
    return Column(header, field_name, kind, required, **kw)


PROJECTS = Sheet("项目", (
    _c("项目编号", "code", "code", max_len=40),
    _c("项目名称", "name", max_len=200),
    _c("级别", "level", "label", choices=LEVELS),
    _c("行业", "industry", required=False, max_len=40),
    _c("建设阶段", "stage", "label", choices=STAGES),
    _c("业主单位", "owner_unit", required=False, max_len=120),
    _c("责任单位", "responsible_unit", required=False, max_len=120),
    _c("项目负责人", "lead", required=False, max_len=64),
    _c("包挂领导", "leader_in_charge", required=False, max_len=64),
    _c("总投资(万元)", "total_investment", "money", required=False),
    _c("开工年份", "start_year", "year", required=False),
    _c("计划竣工年份", "planned_completion_year", "year", required=False),
), key=("code",))

PLANS = Sheet("年度计划", (
    _c("项目编号", "code", "code", max_len=40),
    _c("年度", "year", "year"),
    _c("年度计划投资(万元)", "amount", "money", required=False),
    _c("级别", "level", "label", required=False, choices=LIST_LEVELS, optional_column=True),
), key=("code", "year"))

MONTHLY = Sheet("月度进展", (
    _c("项目编号", "code", "code", max_len=40),
    _c("年度", "year", "year"),
    _c("月份", "month", "month"),
    _c("当月完成投资(万元)", "amount", "money"),
    _c("形象进度", "progress_text", required=False),
    _c("下步计划", "next_steps", required=False),
), key=("code", "year", "month"))

ISSUES = Sheet("问题", (
    _c("问题编号", "number", "code", max_len=40),
    _c("项目编号", "code", "code", required=False, max_len=40),
    _c("问题类别", "category", "label", choices=CATEGORIES),
    _c("问题描述", "description"),
    _c("责任单位", "responsible_unit", required=False, max_len=120),
    _c("责任人", "responsible_person", required=False, max_len=64),
    _c("督办等级", "level", "label", choices=SUPERVISION_LEVELS),
    _c("提出日期", "raised_on", "date"),
    _c("办结时限", "deadline", "date", required=False),
    _c("状态", "state", "label", choices=ISSUE_STATES),
    _c("办结日期", "closed_on", "date", required=False),
), key=("number",))

BONDS = Sheet("专项债", (
    _c("项目编号", "code", "code", max_len=40),
    _c("年度", "year", "year"),
    _c("下达金额(万元)", "amount", "money"),
    _c("预计支出完毕日期", "expected_on", "date", required=False),
), key=("code", "year"))

SPENDINGS = Sheet("专项债支出", (
    _c("项目编号", "code", "code", max_len=40),
    _c("年度", "year", "year"),
    _c("月份", "month", "month"),
    _c("当月支出(万元)", "amount", "money"),
), key=("code", "year", "month"))

MILESTONES = Sheet("节点计划", (
    _c("项目编号", "code", "code", max_len=40),
    _c("节点名称", "name", max_len=60),
    _c("计划完成日期", "planned", "plan_date", required=False),
    _c("实际完成日期", "actual_on", "date", required=False),
    _c("备注", "note", required=False),
), key=("code", "name"))

SHEETS: tuple[Sheet, ...] = (PROJECTS, PLANS, MONTHLY, ISSUES, BONDS, SPENDINGS, MILESTONES)
SHEET_NAMES = tuple(s.name for s in SHEETS)
SHEET_ORDER = {s.name: i for i, s in enumerate(SHEETS)}


class WorkbookError(ValueError):
    """The file as a whole cannot be read (not a workbook, empty, too large, no sheet of ours)."""


@dataclass(frozen=True)
class Record:
    """One data row: its Excel row number and its typed values by field."""

    row: int
    values: dict[str, Any]


@dataclass
class ParsedBook:
    """What ``parse_book`` found: records of the sheets present, errors and warnings."""

    records: dict[str, list[Record]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    header_rows: dict[str, int] = field(default_factory=dict)
    # (sheet, row, 项目编号) of refused rows, so that an unknown code is named for them too
    refused_codes: list[tuple[str, int, str]] = field(default_factory=list)
    rows: int = 0  # data rows read (refused ones included, wholly empty ones not)

    @property
    def ok(self) -> bool:
        return not self.errors


def error(sheet: str, row: int, column: str, reason: str) -> str:
    """An error line exactly as DESIGN.md section 5 writes it."""
    return f"{sheet} 第{row}行 {column}：{reason}"


# --- reading the file -----------------------------------------------------------------


MAX_ROWS = 200_000  # per sheet: ten years of a 2,000-project city's monthly rows
MAX_COLUMNS = 50  # the widest sheet has 16 columns; room for notes beside them
MAX_LISTED_ERRORS = 200
_CELL_REF = re.compile(rb'<(?:\w+:)?(?:c|row)\b[^>]*?\br="([A-Z]{0,3})([0-9]{1,9})"')
# A cell or row reference that may lie past MAX_ROWS (six digits or more) or MAX_COLUMNS (AX):
# only these few are read one by one, the scan itself runs in the regex engine. The pattern
# starts with its literal 'r="' (3× faster a scan than with the whitespace before it, which
# is checked on the few matches).
_FAR_REF = re.compile(rb'r="((?:[A-Z]{3}|[B-Z][A-Z]|A[Y-Z])[0-9]{1,9}|[A-Z]{0,3}[0-9]{6,9})"')
_SPACE = frozenset(b" \t\r\n")


def listed_errors(errors: list[str], limit: int = MAX_LISTED_ERRORS) -> list[str]:
    """The first ``limit`` errors, then one line saying how many more there are."""
    if len(errors) <= limit:
        return errors
    return [*errors[:limit], f"另有{len(errors) - limit}处错误未列出"]


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def _xlsx_extents(data: bytes) -> dict[str, tuple[int, int]]:
    """Sheet name → (last row, last column) of an .xlsx, read from its XML in a stream, as far
    as they matter: references within MAX_ROWS rows and MAX_COLUMNS columns are not counted.

    calamine makes a dense grid from the first to the last cell, so a 1.6 KB file whose
    cells are A1 and XFD1048576 asks for about 550 GB; the extents are known first. Not a
    zip (.xls, damaged files): {} and calamine decides.
    """
    import zipfile
    from xml.etree import ElementTree

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
            return {}
        rels = {r.get("Id"): r.get("Target") for r in ElementTree.fromstring(
            archive.read("xl/_rels/workbook.xml.rels"))}
        ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
        sheets = {s.get("name"): rels.get(s.get(ns)) for s in ElementTree.fromstring(
            archive.read("xl/workbook.xml")).iter() if s.tag.endswith("}sheet")}
    except (zipfile.BadZipFile, ElementTree.ParseError, KeyError):
        return {}
    extents = {}
    for name, target in sheets.items():
        if name not in SHEET_NAMES or not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        if path not in names:
            continue
        last_row = last_col = 0
        tail = b""
        with archive.open(path) as stream:
            while chunk := stream.read(1 << 20):
                text = tail + chunk
                for far in _FAR_REF.finditer(text):
                    # At 0 it lies in the tail, seen whole (with what preceded it) last round.
                    if far.start() == 0 or text[far.start() - 1] not in _SPACE:
                        continue
                    for letters, row in _CELL_REF.findall(b"<c " + far.group(0)):
                        last_row = max(last_row, int(row))
                        if letters:
                            last_col = max(last_col, _column_number(letters))
                tail = text[-200:]
        extents[name] = (last_row, last_col)
    return extents


def _check_extent(name: str, rows: int, columns: int) -> None:
    if rows > MAX_ROWS + 1 or columns > MAX_COLUMNS:
        raise WorkbookError(f"{name} 工作表过大：最多{MAX_ROWS}行、{MAX_COLUMNS}列")


def read_sheets(data: bytes, max_bytes: int | None = None,
                extra: Sequence[str] = ()) -> dict[str, list[list[Any]]]:
    """The rows (from A1, Excel's own row numbers minus one) of each of our sheets (and of the
    ``extra`` ones, the work report's).

    Raises ``WorkbookError`` with a Chinese message for a file that is empty, too large
    (in bytes, or a sheet past ``MAX_ROWS`` data rows or ``MAX_COLUMNS`` columns), not a
    workbook, or holds none of the sheets.
    """
    from python_calamine import CalamineWorkbook

    if not data:
        raise WorkbookError("文件为空，请选择要导入的工作簿。")
    if max_bytes is not None and len(data) > max_bytes:
        raise WorkbookError(f"文件超过 {max_bytes // (1024 * 1024)} MB 上限，无法导入。")
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = set(book.sheet_names)
        present = [n for n in (*SHEET_NAMES, *extra) if n in names]
        if not present:
            raise WorkbookError(
                "工作簿中没有可导入的工作表：应至少包含 " + "、".join((*SHEET_NAMES, *extra)) + " 之一。"
            )
        for name, (rows, columns) in _xlsx_extents(data).items():
            _check_extent(name, rows, columns)
        sheets = {}
        for name in present:
            sheet = book.get_sheet_by_name(name)
            _check_extent(name, sheet.height, sheet.width)  # .xls and .ods: bounded formats
            sheets[name] = sheet.to_python(skip_empty_area=False)
        return sheets
    except WorkbookError:
        raise
    except Exception as exc:  # calamine raises several kinds for damaged or foreign files
        raise WorkbookError(
            "无法读取该文件：它不是有效的 Excel 工作簿（.xlsx、.xls）或 ODS 表格（.ods）。"
        ) from exc


# --- sheets -----------------------------------------------------------------------------


def _find_header(rows: Sequence[Sequence[Any]], first: str) -> int | None:
    """The header row: the first whose first filled cell is ``first`` (a sheet may leave
    column A empty as a margin; calamine's rows start at A1)."""
    for i, row in enumerate(rows):
        for cell in row:
            if not is_blank(cell):
                if normalise_header(cell) == first:
                    return i
                break
    return None


def parse_sheet(sheet: Sheet, rows: Sequence[Sequence[Any]], book: ParsedBook) -> None:
    """Fill ``book`` with this sheet's records, errors and warnings."""
    name = sheet.name
    header_index = _find_header(rows, sheet.columns[0].header)
    if header_index is None:
        book.errors.append(error(name, 1, sheet.columns[0].header,
                                 f"未找到表头行（表头第一列应为“{sheet.columns[0].header}”）"))
        return
    header_row = header_index + 1
    book.header_rows[name] = header_row
    positions: dict[str, int] = {}
    unknown: list[str] = []
    wanted = {normalise_header(c.header): c for c in sheet.columns}
    for i, cell in enumerate(rows[header_index]):
        text = normalise_header(cell)
        if not text:
            continue
        column = wanted.get(text)
        if column is None:
            unknown.append(str(cell).strip())
        elif column.field not in positions:
            positions[column.field] = i
    if unknown:
        book.warnings.append(
            f"{name} 第{header_row}行：以下列不属于导入格式，已忽略：{'、'.join(unknown)}"
        )
    missing = [c for c in sheet.columns if c.field not in positions and not c.optional_column]
    for column in missing:
        book.errors.append(error(name, header_row, column.header, "缺少此列"))
    if missing:
        return

    records: list[Record] = []
    seen: dict[tuple, int] = {}
    columns = [(c, positions[c.field], _reader(c), blank_value(c)) for c in sheet.columns
               if c.field in positions]
    key_of, single_key = itemgetter(*sheet.key), len(sheet.key) == 1
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        line = index + 1
        width = len(row)
        values: dict[str, Any] = {}
        problems: list[str] = []
        blanks = 0
        for column, pos, reader, empty in columns:
            raw = row[pos] if pos < width else ""
            if raw == "" or raw is None or (raw.__class__ is str and not raw.strip()):
                blanks += 1
                if column.required:
                    problems.append(error(name, line, column.header, "不能为空"))
                values[column.field] = empty
                continue
            try:
                values[column.field] = reader(raw)
            except CellError as exc:
                problems.append(error(name, line, column.header, str(exc)))
                values[column.field] = None
        if blanks == len(columns) and all(is_blank(v) for v in row):
            continue  # a wholly empty row
        book.rows += 1
        key = key_of(values)
        if single_key:
            key = (key,)
        if None not in key and "" not in key:
            # Duplicates are named even when another cell of either row is wrong.
            if key in seen:
                first = sheet.column(sheet.key[0]).header
                problems.insert(0, error(name, line, first, f"与第{seen[key]}行重复（{_key_text(sheet, key)}）"))
            else:
                seen[key] = line
        if problems:
            book.errors.extend(problems)
            if values.get("code") and "code" in positions:
                book.refused_codes.append((name, line, values["code"]))
            continue
        if sheet is ISSUES and not _check_issue(values, line, book):
            continue
        if sheet is PLANS and values["amount"] is None and not values.get("level"):
            book.errors.append(error(name, line, "年度计划投资(万元)", "不能为空"))
            continue
        records.append(Record(line, values))
    book.records[name] = records


def _reader(column: Column) -> Any:
    """The function that reads one non-blank cell of ``column``."""
    reader = READERS.get(column.kind)
    if reader is not None:
        return reader
    if column.kind == "text" and not column.max_len:
        return as_text
    # The common case (a valid cell) checked here; anything else gets read_cell's message.
    if column.kind == "label":
        choices = frozenset(column.choices)

        def read_label(value: Any) -> Any:
            text = as_text(value)
            return text if text in choices else read_cell(column, value)

        return read_label
    max_len, code = column.max_len, column.kind == "code"

    def read_text(value: Any) -> Any:
        text = as_text(value)
        if (max_len and len(text) > max_len) or (code and BAD_CODE_RE.search(text)):
            return read_cell(column, value)
        return text

    return read_text


def _key_text(sheet: Sheet, key: tuple) -> str:
    return "，".join(f"{sheet.column(f).header} {v}" for f, v in zip(sheet.key, key, strict=True))


def _check_issue(values: dict[str, Any], line: int, book: ParsedBook) -> bool:
    closed = values["closed_on"]
    if values["state"] == CLOSED_STATE and closed is None:
        book.errors.append(error(ISSUES.name, line, "办结日期", "状态为已办结时不能为空"))
        return False
    if values["state"] != CLOSED_STATE and closed is not None:
        book.errors.append(error(ISSUES.name, line, "办结日期", f"状态为{values['state']}时应为空"))
        return False
    if closed is not None and closed < values["raised_on"]:
        book.errors.append(error(ISSUES.name, line, "办结日期", "不能早于提出日期"))
        return False
    return True


def parse_book(sheets: dict[str, Sequence[Sequence[Any]]], extra: Sequence[Sheet] = ()) -> ParsedBook:
    """Every record of the sheets present (ours, then ``extra``), or every error."""
    book = ParsedBook()
    for sheet in (*SHEETS, *extra):
        if sheet.name in sheets:
            parse_sheet(sheet, sheets[sheet.name], book)
    return book


def check_codes(book: ParsedBook, stored_codes: Iterable[str]) -> None:
    """项目编号 in the other sheets must exist in 项目 or already in the database."""
    known = set(stored_codes) | {r.values["code"] for r in book.records.get(PROJECTS.name, [])}
    for sheet in SHEETS[1:]:
        kept = []
        for record in book.records.get(sheet.name, []):
            code = record.values["code"]
            if code and code not in known:
                book.errors.append(error(sheet.name, record.row, "项目编号",
                                         f"项目“{code}”不存在（项目表和系统中均没有）"))
            else:
                kept.append(record)
        if sheet.name in book.records:
            book.records[sheet.name] = kept
    for name, row, code in book.refused_codes:
        if name != PROJECTS.name and code not in known:
            book.errors.append(error(name, row, "项目编号", f"项目“{code}”不存在（项目表和系统中均没有）"))


def sort_errors(errors: list[str]) -> list[str]:
    """Errors in sheet order, then Excel row order, then column order, then as found."""
    pattern = re.compile(r"^(\S+) 第(\d+)行 ?([^：]*)")
    columns = {s.name: {h: i for i, h in enumerate(s.headers)} for s in SHEETS}

    def key(item: tuple[int, str]) -> tuple:
        index, text = item
        match = pattern.match(text)
        if not match:
            return (-1, 0, 0, index)
        sheet = match.group(1)
        column = columns.get(sheet, {}).get(match.group(3), -1)
        return (SHEET_ORDER.get(sheet, 99), int(match.group(2)), column, index)

    return [text for _, text in sorted(enumerate(errors), key=key)]
