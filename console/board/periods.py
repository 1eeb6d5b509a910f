"""The board's periods (today, this week, this month, last 4 weeks, custom) as UTC instants bounded
by UK midnights, and the Monday-to-Monday weeks a period touches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from console.working_time import LONDON, local_to_utc

MAX_CUSTOM_DAYS = 366


class PeriodKind(StrEnum):
    TODAY = "today"
    THIS_WEEK = "this_week"
    THIS_MONTH = "this_month"
    LAST_4_WEEKS = "last_4_weeks"
    CUSTOM = "custom"


PERIOD_WORDS = {
    PeriodKind.TODAY: "Today",
    PeriodKind.THIS_WEEK: "This week",
    PeriodKind.THIS_MONTH: "This month",
    PeriodKind.LAST_4_WEEKS: "Last 4 weeks",
    PeriodKind.CUSTOM: "Custom…",
}


class PeriodError(ValueError):
    """A custom period that cannot be measured; the message says why."""


def midnight(day: date) -> datetime:
    """00:00 UK time on `day`, as UTC (a UK midnight always exists: clocks change at 01:00 or 02:00)."""
    return local_to_utc(day, time(0, 0), LONDON)


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC; `first_day` and `last_day` are the UK dates it covers."""

    kind: PeriodKind
    first_day: date
    last_day: date
    start: datetime
    end: datetime

    @property
    def words(self) -> str:
        if self.first_day == self.last_day:
            return f"{self.first_day:%a %d %b %Y}"
        if self.first_day.year == self.last_day.year:
            return f"{self.first_day:%d %b} – {self.last_day:%d %b %Y}"
        return f"{self.first_day:%d %b %Y} – {self.last_day:%d %b %Y}"

    def weeks(self) -> list[datetime]:
        """Boundaries of the Monday-00:00 (UK) weeks the period touches: n+1 instants for n weeks."""
        monday = self.first_day - timedelta(days=self.first_day.weekday())
        bounds = [midnight(monday)]
        while bounds[-1] < self.end:
            monday += timedelta(days=7)
            bounds.append(midnight(monday))
        return bounds


def _days(kind: PeriodKind, first: date, last: date) -> Period:
    return Period(kind, first, last, midnight(first), midnight(last + timedelta(days=1)))


def period(kind: PeriodKind, now: datetime, first: date | None = None, last: date | None = None) -> Period:
    """The period of `kind` around `now` (UK dates); CUSTOM takes `first` and `last` (both included)."""
    today = now.astimezone(LONDON).date()
    if kind is PeriodKind.TODAY:
        return _days(kind, today, today)
    if kind is PeriodKind.THIS_WEEK:
        monday = today - timedelta(days=today.weekday())
        return _days(kind, monday, monday + timedelta(days=6))
    if kind is PeriodKind.THIS_MONTH:
        first_of = today.replace(day=1)
        next_month = (first_of + timedelta(days=32)).replace(day=1)
        return _days(kind, first_of, next_month - timedelta(days=1))
    if kind is PeriodKind.LAST_4_WEEKS:
        return _days(kind, today - timedelta(days=27), today)
    if first is None or last is None:
        raise PeriodError("choose the first and the last day")
    if last < first:
        raise PeriodError("the last day is before the first")
    if (last - first).days + 1 > MAX_CUSTOM_DAYS:
        raise PeriodError(f"choose at most {MAX_CUSTOM_DAYS} days")
    return _days(kind, first, last)
