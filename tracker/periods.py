"""Pure: the reporting period (a year and a month), the one value every page and the brief pass.

``Period`` is a named tuple, so ``year, month = period`` and ordering work as for a pair;
``str(period)`` is the ``YYYY-MM`` of addresses and file names.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import NamedTuple

PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")
EARLIEST_YEAR = 2000


class Period(NamedTuple):
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """``YYYY-MM`` → Period; ValueError with the user's message when malformed."""
        match = PERIOD_RE.match(text or "")
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < EARLIEST_YEAR:
            raise ValueError(f"期间“{text}”格式不正确，应为 YYYY-MM，例如 2026-07。")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def last_completed(cls, today: date) -> Period:
        """The default reporting period: the month before ``today``'s."""
        if today.month == 1:
            return cls(today.year - 1, 12)
        return cls(today.year, today.month - 1)

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"

    def previous(self) -> Period:
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)

    def next(self) -> Period:
        return Period(self.year + 1, 1) if self.month == 12 else Period(self.year, self.month + 1)

    @property
    def label(self) -> str:
        """1月 for January, 1-m月 after: the narrative's period."""
        return period_label(self.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        """The brief's "as of" day."""
        return month_end(self.year, self.month)

    def is_future(self, today: date) -> bool:
        return (self.year, self.month) > (today.year, today.month)


def month_end(year: int, month: int) -> date:
    """The last day of a month: the brief's "as of" day."""
    return date(year, month, calendar.monthrange(year, month)[1])


def last_completed_month(today: date) -> Period:
    """The default reporting period: the month before ``today``'s."""
    return Period.last_completed(today)


def period_label(month: int) -> str:
    """1月 for January, 1-m月 after: the narrative's period."""
    return "1月" if month == 1 else f"1-{month}月"
