"""Time: UTC for storage, the park's time zone (``TIMEZONE``) for "today"."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """Naive UTC, the way every timestamp column stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


def today(tz: str = "Asia/Shanghai") -> date:
    """Today's date in the park's time zone."""
    return datetime.now(ZoneInfo(tz)).date()


def local(ts: datetime, tz: str = "Asia/Shanghai") -> datetime:
    """A stored UTC timestamp in the park's time zone, for display."""
    return ts.replace(tzinfo=UTC).astimezone(ZoneInfo(tz))


def utc_start(day: date, tz: str = "Asia/Shanghai") -> datetime:
    """The stored (naive UTC) instant the park's ``day`` begins: the bound to compare stored
    timestamps with, since a day in Shanghai starts at 16:00 UTC the day before."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(tz)).astimezone(UTC).replace(tzinfo=None)
