"""The Period value every page, address and brief passes around."""

from datetime import date

import pytest

from tracker.periods import Period


def test_a_period_reads_and_writes_yyyy_mm():
    p = Period.parse("2026-07")
    assert p == (2026, 7) and str(p) == "2026-07"
    year, month = p
    assert (year, month) == (2026, 7)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-07", "2026-7", "abc", "", "1999-12"])
def test_a_malformed_period_is_refused_with_the_users_message(text):
    with pytest.raises(ValueError, match="格式不正确"):
        Period.parse(text)


def test_neighbours_labels_and_days_across_the_year_end():
    assert Period(2026, 1).previous() == Period(2025, 12)
    assert Period(2025, 12).next() == Period(2026, 1)
    assert Period(2026, 1).label == "1月" and Period(2026, 6).label == "1-6月"
    assert Period(2024, 2).last_day == date(2024, 2, 29) and Period(2026, 2).first_day == date(2026, 2, 1)
    assert Period.last_completed(date(2026, 1, 5)) == Period(2025, 12)
    assert Period(2026, 12).is_future(date(2026, 11, 30)) and not Period(2026, 11).is_future(date(2026, 11, 30))
