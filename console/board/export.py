"""The per-advisor measures as CSV (the csv module; UTF-8 with a header row), for a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from console.board.measures import AdvisorMeasures
from console.board.periods import Period

HEADER = (
    "advisor",
    "team",
    "period_first_day",
    "period_last_day",
    "promises_due",
    "promises_kept_on_time_pct",
    "cases_resolved",
    "first_contact_resolution_pct",
    "customer_contacts",
    "repeat_contact_pct",
    "handoffs_acknowledged",
    "average_acknowledge_minutes",
    "goodwill_given_pence",
    "goodwill_count",
    "goodwill_above_limit",
    "goodwill_limit_pence",
    "offers_while_case_open",
)


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _minutes(value: timedelta | None) -> str:
    return "" if value is None else f"{value.total_seconds() / 60:.1f}"


def advisor_rows(period: Period, advisors: Sequence[AdvisorMeasures]) -> list[tuple[str, ...]]:
    """One row per advisor, in the order given; an empty cell where there was nothing to rate."""
    return [
        (
            a.name,
            a.team.value,
            period.first_day.isoformat(),
            period.last_day.isoformat(),
            str(a.promises_due),
            _pct(a.promises_kept_pct),
            str(a.cases_resolved),
            _pct(a.first_contact_resolution_pct),
            str(a.contacts),
            _pct(a.repeat_contact_pct),
            str(a.handoffs_acknowledged),
            _minutes(a.average_acknowledge),
            str(a.goodwill_pence),
            str(a.goodwill_count),
            str(a.goodwill_over_limit),
            str(a.goodwill_limit_pence),
            str(a.offers_while_case_open),
        )
        for a in advisors
    ]


def write_advisor_csv(path: Path, period: Period, advisors: Sequence[AdvisorMeasures]) -> int:
    """Write the header and one row per advisor to `path`; returns the number of advisors written.
    OSError if the file cannot be written."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADER)
        writer.writerows(advisor_rows(period, advisors))
    return len(advisors)
