"""Pure: reading one cell of the park's workbook (money, whole numbers, years, months, dates, text).

Float noise: a float is read through its shortest ``repr``; when that still has more than two
decimals but lies within ``NOISE`` of a two-decimal number, the difference is noise from a
formula (1470.3700000001 → 1470.37); anything further away is a real third decimal, refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

MAX_MONEY = Decimal("999999999999.99")  # Numeric(14, 2)
NOISE = Decimal("0.000001")
CENT = Decimal("0.01")
BAD_CODE_RE = re.compile(r"[/\s]")
DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")




@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, the record field it fills, how it is read."""

    header: str
    field: str
    kind: str  # text | code | label | year | month | money | date | plan_date
    required: bool = True
    choices: tuple[str, ...] = ()
    max_len: int = 0
    optional_column: bool = False  # the whole column may be missing: nothing of it changes


class CellError(ValueError):
    """A cell that cannot be read; the message is the reason after the colon."""


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def normalise_header(value: Any) -> str:
    """A header cell as compared: trimmed, full-width parentheses made half-width."""
    return str(value).strip().replace("（", "(").replace("）", ")") if value is not None else ""


def as_text(value: Any) -> str:
    """Any cell as trimmed text; whole floats lose their ``.0``; dates read as YYYY-MM-DD."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def to_money(value: Any) -> Decimal:
    """万元 with at most two decimals, without float noise (see the module's docstring)."""
    if isinstance(value, bool):
        raise CellError("不是有效的数字")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellError("不是有效的数字")
        exact = Decimal(repr(value))
        cents = exact.quantize(CENT, rounding=ROUND_HALF_UP)
        if exact != cents:
            tolerance = max(NOISE, abs(exact) * Decimal("1e-12"))
            if abs(exact - cents) > tolerance:
                raise CellError("最多保留两位小数")
        amount = cents
    elif isinstance(value, int):
        amount = Decimal(value)
    else:
        text = as_text(value).replace(",", "").replace("，", "")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise CellError("不是有效的数字") from None
        if not amount.is_finite():
            raise CellError("不是有效的数字")
        if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
            raise CellError("最多保留两位小数")
        amount = amount.quantize(CENT)
    if amount < 0:
        raise CellError("不能为负数")
    if amount > MAX_MONEY:
        raise CellError("数值过大")
    return amount + Decimal("0.00")  # always two places, -0.00 → 0.00


def to_whole(value: Any) -> int:
    """A whole number from 2026.0, 2026 or "2026"."""
    if isinstance(value, bool):
        raise CellError("应为整数")
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError("应为整数")
        return int(value)
    if isinstance(value, int):
        return value
    text = as_text(value)
    if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
        return int(Decimal(text))
    raise CellError("应为整数")


def _whole_between(value: Any, lo: int, hi: int, message: str) -> int:
    try:
        number = to_whole(value)
    except CellError:
        raise CellError(message) from None
    if not lo <= number <= hi:
        raise CellError(message)
    return number


def to_year(value: Any) -> int:
    return _whole_between(value, 2000, 2100, "应为四位年份，如 2026")


def to_month(value: Any) -> int:
    return _whole_between(value, 1, 12, "应为1至12之间的整数")


def to_date(value: Any) -> date:
    """A date cell, or text ``YYYY-MM-DD``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = as_text(value) if isinstance(value, str) else None
    match = DATE_RE.match(text or "")
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    raise CellError("不是有效的日期（应为日期单元格或 YYYY-MM-DD 格式的文字）")


NOT_APPLICABLE = "不适用"


def to_plan_date(value: Any) -> date | str:
    """A planned date (节点计划 计划完成日期): a date as ``to_date`` reads it, or ``不适用``."""
    if isinstance(value, str) and value.strip() == NOT_APPLICABLE:
        return NOT_APPLICABLE
    try:
        return to_date(value)
    except CellError:
        raise CellError("应为日期（日期单元格或 YYYY-MM-DD 格式的文字）或“不适用”") from None


def read_cell(column: Column, value: Any) -> Any:
    """The typed value of one non-blank cell; raises ``CellError``."""
    reader = READERS.get(column.kind)
    if reader is not None:
        return reader(value)
    kind = column.kind
    text = as_text(value)
    if kind == "label":
        if text not in column.choices:
            raise CellError(f"“{text}”不是有效的{column.header}，应为 {'、'.join(column.choices)} 之一")
        return text
    if column.max_len and len(text) > column.max_len:
        raise CellError(f"不能超过{column.max_len}个字符")
    if kind == "code" and BAD_CODE_RE.search(text):
        raise CellError(f"“{text}”不能包含“/”或空格")
    return text


READERS = {"money": to_money, "year": to_year, "month": to_month, "date": to_date,
           "plan_date": to_plan_date}


def blank_value(column: Column) -> Any:
    """What a blank optional cell means: empty text, or no value."""
    return "" if column.kind == "text" else None


