"""Working hours skip nights, weekends and bank holidays; local times survive clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.working_time import LONDON, LocalTimeError, WorkingHours, local_to_utc

HOURS = WorkingHours()


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


def test_within_a_day() -> None:
    assert HOURS.add(london(2026, 11, 25, 9, 0), timedelta(hours=4)) == london(2026, 11, 25, 13, 0)


def test_rolls_over_the_night_and_the_weekend() -> None:
    friday_late = london(2026, 11, 27, 17, 0)
    assert HOURS.add(friday_late, timedelta(hours=2)) == london(2026, 11, 30, 9, 0)


def test_starts_counting_at_opening_time() -> None:
    assert HOURS.add(london(2026, 11, 25, 6, 0), timedelta(hours=1)) == london(2026, 11, 25, 9, 0)
    assert HOURS.add(london(2026, 11, 28, 12, 0), timedelta(hours=1)) == london(2026, 11, 30, 9, 0)


def test_skips_christmas_and_the_observed_boxing_day() -> None:
    assert HOURS.bank_holiday(date(2026, 12, 28)) is not None
    assert HOURS.add(london(2026, 12, 24, 16, 0), timedelta(hours=4)) == london(2026, 12, 29, 10, 0)


def test_across_the_autumn_clock_change() -> None:
    friday = london(2026, 10, 23, 17, 0)  # BST, UTC+1
    due = HOURS.add(friday, timedelta(hours=2))
    assert due == london(2026, 10, 26, 9, 0)  # GMT, UTC+0
    assert due == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)


def test_end_of_second_full_working_day() -> None:
    assert HOURS.end_of_working_day(date(2026, 12, 23), 2) == london(2026, 12, 29, 18, 0)


def test_ambiguous_local_time_takes_the_first_instant() -> None:
    """01:30 on the night clocks go back happens twice; the promise takes the earlier one."""
    assert local_to_utc(date(2026, 10, 25), time(1, 30)) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_skipped_local_time_is_refused_with_a_reason() -> None:
    with pytest.raises(LocalTimeError, match="clocks go forward"):
        local_to_utc(date(2026, 3, 29), time(1, 30))


@given(
    st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)),
    st.integers(min_value=0, max_value=60 * 40),
)
def test_result_is_always_inside_working_hours(start: datetime, minutes: int) -> None:
    due = HOURS.add(start, timedelta(minutes=minutes)).astimezone(LONDON)
    assert due >= start
    assert HOURS.is_working_day(due.date())
    assert time(8, 0) <= due.time() <= time(18, 0)


# -- suggested times (a callback, another try, a check) ---------------------------------------------


@pytest.mark.parametrize(
    ("now", "ahead", "expected"),
    [
        (london(2026, 11, 24, 10, 7), timedelta(hours=1), london(2026, 11, 24, 11, 15)),  # by day: as asked
        (london(2026, 11, 24, 23, 11), timedelta(hours=1), london(2026, 11, 25, 8, 0)),  # not 00:11
        (london(2026, 11, 24, 23, 30), timedelta(hours=2), london(2026, 11, 25, 8, 0)),  # not 01:30
        (london(2026, 11, 24, 23, 29), timedelta(hours=1), london(2026, 11, 25, 8, 0)),  # not 00:30
        (london(2026, 11, 24, 5, 0), timedelta(hours=1), london(2026, 11, 24, 8, 0)),  # before opening
        (london(2026, 11, 24, 17, 30), timedelta(hours=1), london(2026, 11, 25, 8, 0)),  # after closing
        (london(2026, 11, 27, 17, 30), timedelta(hours=1), london(2026, 11, 30, 8, 0)),  # Friday: Monday
        (london(2026, 12, 24, 20, 0), timedelta(hours=1), london(2026, 12, 29, 8, 0)),  # Christmas
    ],
)
def test_the_next_sensible_time_is_within_working_hours(
    now: datetime, ahead: timedelta, expected: datetime
) -> None:
    suggested = HOURS.next_sensible(now.astimezone(UTC), ahead)
    assert suggested == expected.astimezone(UTC)
    assert HOURS.is_open_at(suggested)


def test_the_next_sensible_time_follows_the_teams_hours() -> None:
    late_team = WorkingHours(start=time(10, 0), end=time(20, 0))
    assert late_team.next_sensible(london(2026, 11, 24, 18, 40), timedelta(hours=1)) == london(
        2026, 11, 24, 19, 45
    ).astimezone(UTC)
    assert late_team.next_sensible(london(2026, 11, 24, 19, 30), timedelta(hours=1)) == london(
        2026, 11, 25, 10, 0
    ).astimezone(UTC)
