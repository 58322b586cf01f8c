"""Reading forms: the base of Duban's WTForms forms, and ``FormReader`` for the admin-style
forms that read request data field by field (typed values, one Chinese message per bad field)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

WHOLE_RE = re.compile(r"[0-9]{1,9}")


def whole_number(text: object) -> int | None:
    """A plain whole number of at most nine ASCII digits, else None.

    The one reader of numbers in addresses and forms: ``str.isdigit`` accepts ``²`` (which
    ``int`` then refuses) and unbounded digits overflow the database's integers.
    """
    text = text.strip() if isinstance(text, str) else ""
    return int(text) if WHOLE_RE.fullmatch(text) else None


WRITES = ("POST", "PUT", "PATCH", "DELETE")


class TextForm(FlaskForm):
    """A form of text fields only: uploaded files never reach its fields.

    Flask-WTF merges ``request.files`` into the form data, so a file posted where
    text belongs would reach a validator as a FileStorage (and crash it); with only
    ``request.form`` read, such a field is simply empty.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not args and "formdata" not in kwargs and request and request.method in WRITES:
            kwargs["formdata"] = request.form
        super().__init__(*args, **kwargs)


MAX_MONEY = Decimal("999999999999.99")  # Numeric(14, 2)
MONEY_RE = re.compile(r"^\d+(\.\d{1,2})?$")
INT_RE = re.compile(r"^[+-]?[0-9]{1,9}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Control characters (NUL breaks PostgreSQL text); tab and newlines are allowed in long text.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class FormReader:
    """Reads fields from ``data``; ``values`` holds what parsed, ``errors`` the rest.

    Every reader returns None for a bad or missing optional value, so a caller
    may go on reading and show every error at once.
    """

    def __init__(self, data: Mapping[str, Any] | MultiDict) -> None:
        self.data = data
        self.values: dict[str, Any] = {}
        self.errors: dict[str, str] = {}

    @property
    def ok(self) -> bool:
        return not self.errors

    def raw(self, name: str) -> str:
        value = self.data.get(name, "")
        return value.strip() if isinstance(value, str) else ""

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def text(
        self,
        name: str,
        label: str,
        *,
        required: bool = False,
        max_len: int = 200,
        multiline: bool = False,
        forbid: str = "",
    ) -> str | None:
        value = self.raw(name)
        if multiline:
            value = value.replace("\r\n", "\n")
        if not value:
            if required:
                self.error(name, f"请填写{label}")
                return None
            self.values[name] = ""
            return ""
        if CONTROL_RE.search(value) or (not multiline and ("\n" in value or "\r" in value)):
            self.error(name, f"{label}含有不允许的控制字符")
            return None
        if len(value) > max_len:
            self.error(name, f"{label}不能超过 {max_len} 个字符（现有 {len(value)} 个）")
            return None
        for ch in forbid:
            if ch in value or (ch == " " and re.search(r"\s", value)):
                shown = "空格" if ch == " " else f"“{ch}”"
                self.error(name, f"{label}不能包含{shown}")
                return None
        self.values[name] = value
        return value

    def _blank(self, name: str, message: str, required: bool) -> None:
        """An empty field: the message when it is required, else the value None."""
        if required:
            self.error(name, message)
        else:
            self.values[name] = None

    def money(self, name: str, label: str, *, required: bool = False) -> Decimal | None:
        """万元, not negative, at most two decimals; thousands separators accepted."""
        value = self.raw(name).replace(",", "").replace("，", "")
        if not value:
            return self._blank(name, f"请填写{label}", required)
        if value.startswith("-") and MONEY_RE.match(value[1:]):
            self.error(name, f"{label}不能为负数")
            return None
        if not MONEY_RE.match(value):
            self.error(name, f"{label}应为数字（万元），最多两位小数，例如 1200.50")
            return None
        try:
            amount = Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern already refused it
            self.error(name, f"{label}应为数字")
            return None
        if amount > MAX_MONEY:
            self.error(name, f"{label}过大（上限 999999999999.99 万元）")
            return None
        self.values[name] = amount
        return amount

    def integer(
        self, name: str, label: str, *, lo: int, hi: int, required: bool = False
    ) -> int | None:
        value = self.raw(name)
        if not value:
            return self._blank(name, f"请填写{label}", required)
        if not INT_RE.match(value):
            self.error(name, f"{label}应为整数")
            return None
        number = int(value)
        if not lo <= number <= hi:
            self.error(name, f"{label}应在 {lo} 到 {hi} 之间")
            return None
        self.values[name] = number
        return number

    def day(self, name: str, label: str, *, required: bool = False) -> date | None:
        """A date as YYYY-MM-DD that exists (2026-02-30 does not)."""
        value = self.raw(name)
        if not value:
            return self._blank(name, f"请填写{label}", required)
        if not DATE_RE.match(value):
            self.error(name, f"{label}格式应为 YYYY-MM-DD，例如 2026-09-30")
            return None
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            self.error(name, f"{label}“{value}”不是有效日期")
            return None
        if not 2000 <= parsed.year <= 2100:
            self.error(name, f"{label}应在 2000 年到 2100 年之间")
            return None
        self.values[name] = parsed
        return parsed

    def choice(self, name: str, label: str, enum: type[Enum], *, required: bool = True) -> Any:
        value = self.raw(name)
        if not value:
            return self._blank(name, f"请选择{label}", required)
        for member in enum:
            if value in (member.value, member.name):
                self.values[name] = member
                return member
        allowed = "、".join(str(m.value) for m in enum)
        self.error(name, f"{label}只能是：{allowed}")
        return None

    def ref(self, name: str, label: str, *, required: bool = False) -> int | None:
        """The id of a row chosen in a select; the service checks that it exists."""
        value = self.raw(name)
        if not value:
            return self._blank(name, f"请选择{label}", required)
        number = whole_number(value)
        if number is None:
            self.error(name, f"{label}选择无效，请从列表中选择")
            return None
        self.values[name] = number
        return number

    def refs(self, name: str, label: str) -> list[int]:
        """Several ids (a multiple select); anything not an id is an error."""
        getlist = getattr(self.data, "getlist", None)
        raw = getlist(name) if getlist else [self.data.get(name, "")]
        ids: list[int] = []
        for item in raw:
            item = item.strip() if isinstance(item, str) else ""
            if not item:
                continue
            if not re.fullmatch(r"\d{1,12}", item):
                self.error(name, f"{label}选择无效，请从列表中选择")
                return []
            if int(item) not in ids:
                ids.append(int(item))
        self.values[name] = ids
        return ids

    def flag(self, name: str) -> bool:
        """A checkbox: present and not "0"/"false" means yes."""
        value = self.raw(name).lower()
        checked = value not in ("", "0", "false", "off", "no")
        self.values[name] = checked
        return checked
