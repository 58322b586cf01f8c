"""Request helpers every page uses: today in the park, the period of an address, htmx,
whole numbers from a query string, and pagination.

Only routes and commands read the clock and the request; services are given the day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from flask import abort, current_app, request
from werkzeug.routing import BaseConverter

from tracker.periods import Period
from tracker.timeutil import today


def park_today() -> date:
    """Today in the park's time zone (``TIMEZONE``)."""
    return today(current_app.config["TIMEZONE"])


def default_period() -> Period:
    """The last completed month."""
    return Period.last_completed(park_today())


def parse_period(text: str | None) -> Period:
    """``YYYY-MM`` → Period; empty → the default; a malformed or future period answers 400."""
    if text is None or text == "":
        return default_period()
    try:
        period = Period.parse(text)
    except ValueError as exc:
        abort(400, description=str(exc))
    if period.is_future(park_today()):
        abort(400, description=f"期间 {text} 尚未到来，不能查看或填报未来月份。")
    return period


class PeriodConverter(BaseConverter):
    """``<period:period>`` in an address: a Period, or the 400 page of ``parse_period``."""

    regex = "[^/]+"

    def to_python(self, value: str) -> Period:
        return parse_period(value)

    def to_url(self, value: object) -> str:
        return str(value)


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


@dataclass(frozen=True)
class Page:
    """One page of a list: which rows to show and how to link the neighbours."""

    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def paginate(total: int, number: int, size: int) -> Page:
    """The page ``number`` of ``total`` rows, clamped to the pages that exist."""
    pages = max(1, math.ceil(total / size))
    return Page(number=min(max(number, 1), pages), size=size, total=total)
