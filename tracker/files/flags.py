"""The flags shown beside a photo (DESIGN.md section 14), from plain values.

- 拍摄时间不符: the EXIF capture time lies outside the reported month ± ``CAPTURE_SLACK_DAYS``.
- 疑似重复: a photo of another month of the same project has a perceptual hash within
  ``DUPLICATE_DISTANCE`` bits (of 64). A re-saved or resized copy of a picture differs by a
  few bits; two different site photos by twenty or more.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

CAPTURE_SLACK_DAYS = 7
DUPLICATE_DISTANCE = 6

WRONG_TIME = "拍摄时间不符"
DUPLICATE = "疑似重复"


@dataclass(frozen=True)
class PhotoFacts:
    """What the flags look at of one photo."""

    id: int
    year: int
    month: int
    taken_at: datetime | None
    phash: str | None


def capture_time_mismatch(taken_at: datetime | None, year: int, month: int) -> bool:
    """True when the capture time is known and outside the month ± the slack."""
    if taken_at is None:
        return False
    first = date(year, month, 1) - timedelta(days=CAPTURE_SLACK_DAYS)
    last = date(year, month, calendar.monthrange(year, month)[1]) + timedelta(days=CAPTURE_SLACK_DAYS)
    return not first <= taken_at.date() <= last


def hash_distance(a: str, b: str) -> int:
    """Differing bits of two hex perceptual hashes."""
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def near_duplicate(a: str | None, b: str | None) -> bool:
    return bool(a and b) and len(a) == len(b) and hash_distance(a, b) <= DUPLICATE_DISTANCE  # type: ignore[arg-type]


def flags_of(photo: PhotoFacts, project_photos: Iterable[PhotoFacts]) -> list[str]:
    """The flags of ``photo`` among every photo of its project (itself may be among them)."""
    flags = []
    if capture_time_mismatch(photo.taken_at, photo.year, photo.month):
        flags.append(WRONG_TIME)
    if any(
        (other.year, other.month) != (photo.year, photo.month) and near_duplicate(photo.phash, other.phash)
        for other in project_photos
    ):
        flags.append(DUPLICATE)
    return flags
