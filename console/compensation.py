"""The UK automatic compensation scheme as pure functions: its figures (read from
resources/compensation_scheme.toml) and what a case's dates say is owed, with the arithmetic in words."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib.resources import files
from itertools import pairwise
from pathlib import Path
from typing import Any

from console.money import AmountError, format_pence, parse_pounds
from console.working_time import LONDON, WorkingHours
from domain.vocabulary import CaseKind

SCHEME_FILE = "compensation_scheme.toml"
MAX_DELAY_DAYS = 365
MAX_DELAY_REASON = 500
REPAIR_WORKING_DAYS = 2  # repair due by the end of the second full working day after the report
SHORT_NOTICE = timedelta(hours=24)

LOSS_OF_SERVICE_KINDS = {CaseKind.BROADBAND_FAULT: "Broadband", CaseKind.LANDLINE_FAULT: "Landline"}
DELAYED_START_KINDS = frozenset({CaseKind.NEW_SERVICE})
APPOINTMENT_KINDS = frozenset({*LOSS_OF_SERVICE_KINDS, *DELAYED_START_KINDS, CaseKind.ENGINEER_APPOINTMENT})


def covered(kind: CaseKind) -> bool:
    """Whether the scheme can owe anything on a case of this kind (landline and broadband only)."""
    return kind in APPOINTMENT_KINDS


# -- the figures ----------------------------------------------------------------------------------


class SchemeError(ValueError):
    """The scheme file cannot be used; the message names the file and the line or key."""


@dataclass(frozen=True)
class Rates:
    """One April's amounts, in pence, and where they were published."""

    effective_from: date
    loss_of_service_per_day: int
    delayed_start_per_day: int
    missed_appointment: int
    source: str
    verified: bool = True
    check: str | None = None
    # The exact address(es) the figures were read at.
    page: str | None = None


@dataclass(frozen=True)
class Scheme:
    name: str
    rates: tuple[Rates, ...]

    def rates_on(self, day: date) -> Rates | None:
        """The amounts in force on `day`; None before the scheme began."""
        found = None
        for rates in self.rates:
            if rates.effective_from <= day:
                found = rates
        return found


_AMOUNTS = ("loss_of_service_per_day", "delayed_start_per_day", "missed_appointment")
_KEYS = {"effective_from", *_AMOUNTS, "source", "verified", "check", "page"}


def default_scheme_path() -> Path:
    return Path(str(files("resources").joinpath(SCHEME_FILE)))


def load_scheme(path: Path | None = None) -> Scheme:
    """Read and check the scheme file (by default the one in resources/); SchemeError if unusable."""
    path = path or default_scheme_path()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SchemeError(f"{path}: cannot be read ({error.strerror or error})") from None
    return parse_scheme(text, str(path))


def parse_scheme(text: str, file_name: str = SCHEME_FILE) -> Scheme:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SchemeError(f"{file_name}: not valid TOML: {error}") from None
    lines = text.splitlines()

    def fail(message: str, block: int | None = None, key: str | None = None) -> SchemeError:
        where = _line_of(lines, block, key)
        at = f" line {where}" if where else ""
        name = "rates" if block is None else f"rates[{block + 1}]"
        name += f".{key}" if key else ""
        return SchemeError(f"{file_name}{at}, {name}: {message}")

    scheme_name = data.get("scheme")
    if not isinstance(scheme_name, str) or not scheme_name.strip():
        raise SchemeError(f"{file_name}, scheme: give the scheme's name as text")
    blocks = data.get("rates")
    if not isinstance(blocks, list) or not blocks:
        raise fail("no [[rates]] blocks: at least one set of amounts is needed")
    rates: list[Rates] = []
    for index, block in enumerate(blocks):
        if not isinstance(block, dict):
            raise fail("each entry must be a [[rates]] block", index)
        unknown = sorted(set(block) - _KEYS)
        if unknown:
            raise fail(f"unknown key (expected one of {', '.join(sorted(_KEYS))})", index, unknown[0])
        rates.append(_rates(block, index, fail))
    for index, (before, after) in enumerate(pairwise(rates), start=1):
        if after.effective_from <= before.effective_from:
            raise fail(
                f"{after.effective_from} is not after {before.effective_from}: keep the blocks in date order",
                index,
                "effective_from",
            )
    return Scheme(scheme_name.strip(), tuple(rates))


def _rates(block: dict[str, Any], index: int, fail: Callable[..., SchemeError]) -> Rates:
    effective = block.get("effective_from")
    if isinstance(effective, datetime) or not isinstance(effective, date):
        raise fail("give the first day as a date, like 2024-04-01", index, "effective_from")
    amounts: dict[str, int] = {}
    for key in _AMOUNTS:
        value = block.get(key)
        if value is None:
            raise fail("missing", index, key)
        if not isinstance(value, str):
            raise fail(f'write the amount in quotes, like "9.76" (found {value!r})', index, key)
        try:
            amounts[key] = parse_pounds(value)
        except AmountError as error:
            raise fail(f"{value!r}: {error}", index, key) from None
    source = block.get("source")
    if not isinstance(source, str) or not source.strip():
        raise fail("say where the figures were published (page or statement, and its date)", index, "source")
    verified = block.get("verified", True)
    if not isinstance(verified, bool):
        raise fail("true or false", index, "verified")
    check = block.get("check")
    if check is not None and not isinstance(check, str):
        raise fail("text saying what must be checked", index, "check")
    if not verified and not (check or "").strip():
        raise fail("a figure not verified needs a note saying what to check", index, "check")
    page = block.get("page")
    if page is not None and (not isinstance(page, str) or not page.strip()):
        raise fail("the address the figures were read at, as text", index, "page")
    return Rates(
        effective,
        amounts["loss_of_service_per_day"],
        amounts["delayed_start_per_day"],
        amounts["missed_appointment"],
        source.strip(),
        verified,
        check.strip() if check else None,
        page.strip() if page else None,
    )


def _line_of(lines: list[str], block: int | None, key: str | None) -> int | None:
    """The 1-based line of `key` in the `block`-th [[rates]] (or of the block itself)."""
    if block is None:
        return None
    headers = [n for n, line in enumerate(lines) if line.strip().startswith("[[rates]]")]
    if block >= len(headers):
        return None
    start = headers[block]
    end = headers[block + 1] if block + 1 < len(headers) else len(lines)
    if key:
        for n in range(start + 1, end):
            if lines[n].split("=", 1)[0].strip() == key:
                return n + 1
    return start + 1


# -- the facts and the arithmetic -----------------------------------------------------------------


class FactsError(ValueError):
    """The service dates contradict each other or the clock; the message says which, for the field."""


@dataclass(frozen=True)
class ServiceFacts:
    """What a case records for the scheme. Times are UTC; start dates are UK calendar dates."""

    kind: CaseKind
    reported_at: datetime | None = None
    restored_at: datetime | None = None
    promised_start: date | None = None
    started_on: date | None = None
    appointment_at: datetime | None = None
    appointment_missed: bool = False
    cancellation_notice_at: datetime | None = None
    customer_delay_days: int = 0
    customer_delay_reason: str | None = None


def check_facts(facts: ServiceFacts, now: datetime) -> None:
    """FactsError if the facts cannot all be true."""
    if facts.reported_at is not None and facts.reported_at > now:
        raise FactsError("the fault cannot be reported in the future")
    if facts.restored_at is not None:
        if facts.reported_at is None:
            raise FactsError("give when the loss of service was reported before when it was restored")
        if facts.restored_at < facts.reported_at:
            raise FactsError("the service cannot be restored before the loss was reported")
        if facts.restored_at > now:
            raise FactsError("the service cannot be restored in the future: leave it unticked until it is")
    today = now.astimezone(LONDON).date()
    if facts.started_on is not None:
        if facts.promised_start is None:
            raise FactsError("give the promised start date before the actual one")
        if facts.started_on > today:
            raise FactsError("the service cannot have started in the future: leave it unticked until it does")
    if facts.appointment_missed or facts.cancellation_notice_at is not None:
        if facts.appointment_at is None:
            raise FactsError("give the appointment time")
        if facts.appointment_missed and facts.cancellation_notice_at is not None:
            raise FactsError("an appointment is either missed or cancelled, not both")
        if facts.appointment_missed and facts.appointment_at > now:
            raise FactsError("an appointment still to come cannot have been missed")
    if facts.cancellation_notice_at is not None:
        assert facts.appointment_at is not None
        if facts.cancellation_notice_at > now:
            raise FactsError("the cancellation cannot be given in the future")
        if facts.cancellation_notice_at > facts.appointment_at:
            raise FactsError("a cancellation after the appointment time is a missed appointment")
    if not 0 <= facts.customer_delay_days <= MAX_DELAY_DAYS:
        raise FactsError(f"days the customer caused: 0 to {MAX_DELAY_DAYS}")
    reason = (facts.customer_delay_reason or "").strip()
    if facts.customer_delay_days and not reason:
        raise FactsError("say how the customer caused the delay, e.g. declined the earliest slot")
    if len(reason) > MAX_DELAY_REASON:
        raise FactsError(f"the delay reason is too long (at most {MAX_DELAY_REASON} characters)")


@dataclass(frozen=True)
class Part:
    """One rule of the scheme applied to the case: what it pays and why, in words."""

    rule: str
    arithmetic: str
    pence: int
    # Notes for figures used that the scheme file marks as still to be checked.
    checks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    parts: tuple[Part, ...]

    @property
    def total_pence(self) -> int:
        return sum(part.pence for part in self.parts)

    @property
    def owed(self) -> bool:
        return self.total_pence > 0

    def words(self) -> str:
        lines = [part.arithmetic for part in self.parts]
        if len([p for p in self.parts if p.pence]) > 1:
            lines.append(f"Total: {format_pence(self.total_pence)}")
        return "\n".join(lines)

    def checks(self) -> list[str]:
        return list(dict.fromkeys(note for part in self.parts for note in part.checks))


def day_words(day: date, today: date | None = None) -> str:
    """`Mon 3 Nov` (with the year when it is not this year's)."""
    text = f"{day:%a} {day.day} {day:%b}"
    return text if today is None or day.year == today.year else f"{text} {day.year}"


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _figures(rates: Rates) -> str:
    start = rates.effective_from
    return f"the figures from {start.day} {start:%b %Y}: {rates.check}"


def _per_day(days: Iterable[date], scheme: Scheme, field: str) -> tuple[int, str, tuple[str, ...], int, int]:
    """Pay each day at the rate in force that day: (pence, arithmetic, check notes, days not covered,
    how many different rates)."""
    runs: list[tuple[int, int]] = []  # (rate, count) in date order
    checks: dict[str, None] = {}
    uncovered = 0
    for day in days:
        rates = scheme.rates_on(day)
        if rates is None:
            uncovered += 1
            continue
        rate = int(getattr(rates, field))
        if not rates.verified:
            checks[_figures(rates)] = None
        if runs and runs[-1][0] == rate:
            runs[-1] = (rate, runs[-1][1] + 1)
        else:
            runs.append((rate, 1))
    pence = sum(rate * count for rate, count in runs)
    terms = " + ".join(f"{_days(count)} × {format_pence(rate)}" for rate, count in runs)
    return pence, f"{terms} = {format_pence(pence)}" if runs else "", tuple(checks), uncovered, len(runs)


def _excuse(count: int, facts: ServiceFacts) -> tuple[int, str]:
    """Days the customer caused, taken off `count` (never below nothing), and the words for it."""
    excused = min(facts.customer_delay_days, count)
    if not excused:
        return 0, ""
    reason = (facts.customer_delay_reason or "").strip() or "caused by the customer"
    return excused, f", less {_days(excused)} {reason}"


def _finish(head: str, days: list[date], facts: ServiceFacts, scheme: Scheme, field: str, rule: str) -> Part:
    excused, less = _excuse(len(days), facts)
    paid = days[: len(days) - excused]
    pence, sums, checks, uncovered, rates = _per_day(paid, scheme, field)
    before = f", {_days(uncovered)} before the scheme began" if uncovered else ""
    if not pence:
        return Part(rule, f"{head}: {_days(len(days))}{less}{before}: nothing owed", 0, checks)
    plain = not less and not before and rates == 1
    lead = f"{head}: " if plain else f"{head}: {_days(len(days))}{less}{before}: "
    return Part(rule, f"{lead}{sums}", pence, checks)


def loss_of_service(
    facts: ServiceFacts, scheme: Scheme, as_of: datetime, calendar: WorkingHours
) -> Part | None:
    """(a) Each calendar day after the end of the 2nd full working day after the report, to the day
    the service came back (that day included); still down: to today, so far."""
    service = LOSS_OF_SERVICE_KINDS.get(facts.kind)
    if service is None or facts.reported_at is None:
        return None
    zone = calendar.zone
    today = as_of.astimezone(zone).date()
    reported = facts.reported_at.astimezone(zone).date()
    due = reported
    for _ in range(REPAIR_WORKING_DAYS):
        due = calendar.next_working_day(due)
    rule = "Delayed repair after a total loss of service"
    head = (
        f"{service} loss of service reported {day_words(reported, today)}; repair due by end of "
        f"{day_words(due, today)} ({_ordinal(REPAIR_WORKING_DAYS)} full working day)"
    )
    if facts.restored_at is not None:
        last = facts.restored_at.astimezone(zone).date()
        head += f"; restored {day_words(last, today)}"
        if last <= due:
            return Part(rule, f"{head}, in time: nothing owed", 0)
    else:
        last = today
        if last <= due:
            return Part(rule, f"{head}; not restored yet: nothing owed yet", 0)
        head += f"; not restored yet, so far to {day_words(last, today)}"
    days = [due + timedelta(days=n) for n in range(1, (last - due).days + 1)]
    return _finish(head, days, facts, scheme, "loss_of_service_per_day", rule)


def delayed_start(
    facts: ServiceFacts, scheme: Scheme, as_of: datetime, calendar: WorkingHours
) -> Part | None:
    """(b) Each day from the missed start date (included) to the day before the service started."""
    if facts.kind not in DELAYED_START_KINDS or facts.promised_start is None:
        return None
    today = as_of.astimezone(calendar.zone).date()
    promised = facts.promised_start
    rule = "Delayed start of a new service"
    head = f"New service due to start {day_words(promised, today)} (the missed start date counts)"
    if facts.started_on is not None:
        end = facts.started_on
        head += f"; started {day_words(end, today)}"
        if end <= promised:
            return Part(rule, f"{head}, on time: nothing owed", 0)
    else:
        end = today + timedelta(days=1)
        if today < promised:
            return Part(rule, f"{head}; not started yet: nothing owed yet", 0)
        head += f"; not started yet, so far to {day_words(today, today)}"
    days = [promised + timedelta(days=n) for n in range((end - promised).days)]
    return _finish(head, days, facts, scheme, "delayed_start_per_day", rule)


def missed_appointment(
    facts: ServiceFacts, scheme: Scheme, as_of: datetime, calendar: WorkingHours
) -> Part | None:
    """(c) Once, when the engineer missed the appointment or cancelled it with under 24 hours' notice."""
    if facts.kind not in APPOINTMENT_KINDS or facts.appointment_at is None:
        return None
    zone = calendar.zone
    today = as_of.astimezone(zone).date()
    local = facts.appointment_at.astimezone(zone)
    when = f"{day_words(local.date(), today)} {local:%H:%M}"
    rule = "Missed engineer appointment"
    rates = scheme.rates_on(local.date())
    if facts.appointment_missed:
        head = f"Engineer missed the appointment on {when}"
    elif facts.cancellation_notice_at is not None:
        notice = facts.appointment_at - facts.cancellation_notice_at
        hours = int(notice.total_seconds() // 3600)
        head = f"Engineer appointment {when} cancelled with {hours} hours' notice"
        if notice >= SHORT_NOTICE:
            return Part(rule, f"{head} (24 or more): nothing owed", 0)
        head += " (under 24)"
    else:
        return None
    if rates is None:
        return Part(rule, f"{head}: before the scheme began, nothing owed", 0)
    checks = () if rates.verified else (_figures(rates),)
    return Part(rule, f"{head}: {format_pence(rates.missed_appointment)}", rates.missed_appointment, checks)


def suggest(
    facts: ServiceFacts, scheme: Scheme, as_of: datetime, calendar: WorkingHours | None = None
) -> Suggestion | None:
    """What the scheme owes on a case as of `as_of`; None when it does not apply (kind or no facts)."""
    if not covered(facts.kind):
        return None
    calendar = calendar or WorkingHours()
    parts = [
        part
        for rule in (loss_of_service, delayed_start, missed_appointment)
        if (part := rule(facts, scheme, as_of, calendar)) is not None
    ]
    return Suggestion(tuple(parts)) if parts else None
