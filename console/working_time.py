"""Working-hours arithmetic in UK local time, skipping weekends and bank holidays (`holidays`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import holidays  # imported when a calendar is first needed: it costs a tenth of a second at start

    from storage.server import WorkingCalendar

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class WorkingHours:
    """Monday to Friday, `start` to `end` local time, except bank holidays of `subdivision`."""

    start: time = time(8, 0)
    end: time = time(18, 0)
    zone: ZoneInfo = LONDON
    subdivision: str = "ENG"
    _cache: dict[int, holidays.HolidayBase] = field(default_factory=dict, compare=False, repr=False)

    def bank_holiday(self, day: date) -> str | None:
        calendar = self._cache.get(day.year)
        if calendar is None:
            import holidays

            calendar = holidays.country_holidays("GB", subdiv=self.subdivision, years=day.year)
            self._cache[day.year] = calendar
        name = calendar.get(day)
        return str(name) if name else None

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and self.bank_holiday(day) is None

    def _opening(self, day: date) -> datetime:
        return datetime.combine(day, self.start, tzinfo=self.zone)

    def _closing(self, day: date) -> datetime:
        return datetime.combine(day, self.end, tzinfo=self.zone)

    def next_working_day(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def is_open_at(self, moment: datetime) -> bool:
        """`moment` falls on a working day between opening and closing time."""
        local = moment.astimezone(self.zone)
        day = local.date()
        return self.is_working_day(day) and self._opening(day) <= local < self._closing(day)

    def next_sensible(self, moment: datetime, ahead: timedelta) -> datetime:
        """The default time for a callback or another try: `moment + ahead` on the next quarter hour,
        or, when that falls outside working hours, the next opening time; in UTC."""
        local = (moment + ahead).astimezone(self.zone)
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=(15 - local.minute % 15) % 15)
        day = local.date()
        if self.is_working_day(day) and local < self._closing(day):
            return max(local, self._opening(day)).astimezone(UTC)
        return self._opening(self.next_working_day(day)).astimezone(UTC)

    def add(self, moment: datetime, duration: timedelta) -> datetime:
        """`duration` of working time after `moment`; the answer is in UTC."""
        if duration < timedelta(0):
            raise ValueError("working time cannot be negative")
        local = moment.astimezone(self.zone)
        day = local.date()
        if not self.is_working_day(day) or local >= self._closing(day):
            day = self.next_working_day(day)
            local = self._opening(day)
        elif local < self._opening(day):
            local = self._opening(day)
        remaining = duration
        while True:
            # Wall-clock difference within one local day: opening hours never span a clock change.
            left_today = self._closing(day).replace(tzinfo=None) - local.replace(tzinfo=None)
            if remaining <= left_today:
                wall = local.replace(tzinfo=None) + remaining
                return wall.replace(tzinfo=self.zone).astimezone(UTC)
            remaining -= left_today
            day = self.next_working_day(day)
            local = self._opening(day)

    def server_calendar(self, today: date, years_back: int = 3, years_ahead: int = 12) -> WorkingCalendar:
        """These hours and the bank holidays of the years around `today`, as `server init` publishes
        them for the server's acknowledge-by check (run `server init` again to move the years on)."""
        import holidays

        from storage.server import WorkingCalendar

        years = range(today.year - years_back, today.year + years_ahead + 1)
        days = holidays.country_holidays("GB", subdiv=self.subdivision, years=years)
        return WorkingCalendar(
            self.start,
            self.end,
            str(self.zone),
            tuple(sorted((day, str(name)) for day, name in days.items())),
        )

    def end_of_working_day(self, day: date, after: int) -> datetime:
        """Closing time of the `after`-th full working day after `day` (for 'by the end of the second')."""
        for _ in range(after):
            day = self.next_working_day(day)
        return self._closing(day).astimezone(UTC)


class LocalTimeError(ValueError):
    """A wall-clock time that does not exist on that day (the hour skipped when clocks go forward)."""


def local_to_utc(day: date, at: time, zone: ZoneInfo = LONDON) -> datetime:
    """A local date and time as UTC. When clocks go back the earlier of the two instants is taken,
    so a promise is never late by the repeated hour; a time skipped when clocks go forward is refused."""
    candidate = datetime.combine(day, at, tzinfo=zone)
    round_trip = candidate.astimezone(UTC).astimezone(zone)
    if round_trip.replace(tzinfo=None) != candidate.replace(tzinfo=None):
        raise LocalTimeError(
            f"{at:%H:%M} does not exist on {day:%a %d %b %Y}: the clocks go forward that night"
        )
    return candidate.replace(fold=0).astimezone(UTC)


def month_start(moment: datetime) -> datetime:
    """Midnight on the 1st of `moment`'s month in UK time, as UTC: the month advisors are measured by."""
    local = moment.astimezone(LONDON)
    return local_to_utc(local.date().replace(day=1), time(0, 0))
