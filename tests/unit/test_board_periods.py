"""The board's periods: UK-midnight boundaries across clock changes, Monday weeks, custom days refused
with a reason; and the CSV export of advisor measures."""

from __future__ import annotations

import csv
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from console.board.export import HEADER, write_advisor_csv
from console.board.measures import AdvisorMeasures, pareto
from console.board.periods import PeriodError, PeriodKind, period
from domain.vocabulary import Team
from storage.queries.board import RootCauseCount

# Wednesday 1 April 2026, 10:00 BST: the clocks went forward on Sunday 29 March.
SPRING = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def test_today_and_this_week_start_at_uk_midnight() -> None:
    today = period(PeriodKind.TODAY, SPRING)
    assert (today.start, today.end) == (
        datetime(2026, 3, 31, 23, 0, tzinfo=UTC),
        datetime(2026, 4, 1, 23, 0, tzinfo=UTC),
    )
    week = period(PeriodKind.THIS_WEEK, SPRING)
    assert (week.first_day, week.last_day) == (date(2026, 3, 30), date(2026, 4, 5))
    assert week.start == datetime(2026, 3, 29, 23, 0, tzinfo=UTC)


def test_weeks_across_the_clock_change_are_monday_to_monday_in_uk_time() -> None:
    custom = period(PeriodKind.CUSTOM, SPRING, date(2026, 3, 25), date(2026, 3, 31))
    assert custom.weeks() == [
        datetime(2026, 3, 23, 0, 0, tzinfo=UTC),  # GMT
        datetime(2026, 3, 29, 23, 0, tzinfo=UTC),  # Monday 30 March 00:00 BST
        datetime(2026, 4, 5, 23, 0, tzinfo=UTC),
    ]
    assert custom.end - custom.start == timedelta(days=7, hours=-1)  # one hour lost that week


def test_this_month_and_last_four_weeks() -> None:
    month = period(PeriodKind.THIS_MONTH, datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    assert (month.first_day, month.last_day) == (date(2026, 12, 1), date(2026, 12, 31))
    four = period(PeriodKind.LAST_4_WEEKS, SPRING)
    assert (four.first_day, four.last_day) == (date(2026, 3, 5), date(2026, 4, 1))
    assert four.words == "05 Mar – 01 Apr 2026"


def test_custom_periods_that_make_no_sense_are_refused() -> None:
    with pytest.raises(PeriodError, match="before the first"):
        period(PeriodKind.CUSTOM, SPRING, date(2026, 3, 2), date(2026, 3, 1))
    with pytest.raises(PeriodError, match="at most 366 days"):
        period(PeriodKind.CUSTOM, SPRING, date(2024, 1, 1), date(2026, 1, 1))
    with pytest.raises(PeriodError, match="choose the first"):
        period(PeriodKind.CUSTOM, SPRING)


def test_pareto_shares_add_up() -> None:
    ranked = pareto([RootCauseCount("a", 3, 0, None, None), RootCauseCount(None, 1, 1, 2.0, 4.0)])
    assert [(r.category, r.share_pct, r.cumulative_pct) for r in ranked] == [
        ("a", 75.0, 75.0),
        ("not recorded", 25.0, 100.0),
    ]


def test_advisor_csv(tmp_path: Path) -> None:
    measures = AdvisorMeasures(
        uuid.uuid4(), "Jo, Okafor", Team.BILLING, 4, 75.0, 0, None, 3, 100 / 3, 2,
        timedelta(minutes=90), 2500, 2, 1, 5000, 0,
    )  # fmt: skip
    path = tmp_path / "m.csv"
    assert write_advisor_csv(path, period(PeriodKind.TODAY, SPRING), [measures]) == 1
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == list(HEADER)
    assert rows[1] == [
        "Jo, Okafor", "billing", "2026-04-01", "2026-04-01", "4", "75.0", "0", "", "3", "33.3", "2",
        "90.0", "2500", "2", "1", "5000", "0",
    ]  # fmt: skip
