"""Rules for promises: how urgent one is now, its countdown in words, and what may end it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from console.working_time import WorkingHours, local_to_utc
from domain.records import UserRecord
from domain.vocabulary import PromiseKind, PromiseStatus, Role

DEFAULT_DUE_SOON = timedelta(minutes=15)
MAX_NOTE = 2_000
MAX_AHEAD = timedelta(days=366)


class Urgency(StrEnum):
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


class PromiseConflictError(RuntimeError):
    """Someone else ended this promise first; the message says who and how."""


class PromiseRuleError(ValueError):
    """A promise or its outcome breaks a rule; the message says which, in words for the advisor."""


def urgency(due_at: datetime, now: datetime, due_soon: timedelta = DEFAULT_DUE_SOON) -> Urgency:
    if now >= due_at:
        return Urgency.OVERDUE
    if due_at - now <= due_soon:
        return Urgency.DUE_SOON
    return Urgency.ON_TRACK


def _nearest(value: int, unit: int) -> int:
    """`value` in whole `unit`s, halves rounded up (as a person reads 1 min 30 s: "2 min")."""
    return (value + unit // 2) // unit


def span_words(delta: timedelta) -> str:
    """`45 s`, `2 min`, `2 h 5 min`, `1 day 2 h`, `9 days`: a length of time as a person would say it.

    Seconds under a minute; above that, rounded to the nearest minute (1 min 53 s reads `2 min`), and
    days to the nearest hour then day. The one formatter for every countdown and span on screen.
    """
    seconds = int(abs(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = _nearest(seconds, 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        hours, minutes = divmod(minutes, 60)
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    hours = _nearest(minutes, 60)
    days, hours = divmod(hours, 24)
    if days >= 3:
        days = _nearest(days * 24 + hours, 24)
        return f"{days} days"
    unit = "day" if days == 1 else "days"
    return f"{days} {unit} {hours} h" if hours else f"{days} {unit}"


# The second of a minute, counted from the due time, at which the words of `span_words` move on
# (above a minute): a tick need only look at rows whose due time has this phase (widgets' models).
WORDS_CHANGE_AT = 30


def countdown(due_at: datetime, now: datetime) -> str:
    """`in 12 min`, `in 2 h 5 min`, `overdue by 3 h`: what the advisor reads at a glance."""
    if now >= due_at:
        return f"overdue by {span_words(now - due_at)}"
    return f"in {span_words(due_at - now)}"


@dataclass(frozen=True)
class NewPromise:
    kind: PromiseKind
    due_at: datetime
    window_end_at: datetime | None
    phone_e164: str | None
    note: str


def check_new_promise(promise: NewPromise, now: datetime) -> None:
    """Refuse, with the reason, a promise that could not be kept as written."""
    if promise.due_at <= now:
        raise PromiseRuleError("the due time is in the past: choose a time from now on")
    if promise.due_at - now > MAX_AHEAD:
        raise PromiseRuleError("the due time is more than a year away: make a nearer promise")
    if promise.window_end_at is not None and promise.window_end_at <= promise.due_at:
        raise PromiseRuleError("the window must end after it starts")
    if promise.kind is PromiseKind.CALLBACK and not promise.phone_e164:
        raise PromiseRuleError(
            "a callback needs a number to call: the customer has none on file, so ask for one"
        )
    if len(promise.note) > MAX_NOTE:
        raise PromiseRuleError(
            f"the note is too long ({len(promise.note):,} characters, at most {MAX_NOTE:,})"
        )


@dataclass(frozen=True)
class Outcome:
    """How a promise ends. `next_attempt_at` is required when the customer was not reachable."""

    status: PromiseStatus
    text: str
    next_attempt_at: datetime | None = None
    customer_told: bool | None = None


def check_outcome(outcome: Outcome, now: datetime) -> None:
    text = outcome.text.strip()
    if outcome.status is PromiseStatus.OPEN:
        raise PromiseRuleError("a promise ends with an outcome: done, not reachable or rescheduled")
    if len(text) > MAX_NOTE:
        raise PromiseRuleError(f"the outcome is too long ({len(text):,} characters, at most {MAX_NOTE:,})")
    if outcome.status is PromiseStatus.DONE and not text:
        raise PromiseRuleError("say what happened: an outcome needs a few words")
    if outcome.status is PromiseStatus.NOT_REACHABLE:
        if outcome.next_attempt_at is None:
            raise PromiseRuleError("the customer was not reachable: set when to try again")
        if outcome.next_attempt_at <= now:
            raise PromiseRuleError("the next attempt must be in the future")
    if outcome.status is PromiseStatus.RESCHEDULED:
        if not text:
            raise PromiseRuleError("give the reason for rescheduling")
        if outcome.customer_told is None:
            raise PromiseRuleError("say whether the customer was told the new time")
        if outcome.next_attempt_at is None or outcome.next_attempt_at <= now:
            raise PromiseRuleError("a rescheduled promise needs a new time in the future")


def check_ender(actor: UserRecord, owner_id: object, case_owner_id: object) -> None:
    """A promise is ended by its owner, the owner of its case, or a supervisor (so is the server's)."""
    if actor.role is Role.SUPERVISOR or actor.id in (owner_id, case_owner_id):
        return
    raise PromiseRuleError("only the promise's owner, its case's owner or a supervisor ends this promise")


def check_reassign(
    actor_role: Role, promise_status: PromiseStatus, owner_id: object, new_owner: UserRecord | None, note: str
) -> None:
    """A supervisor gives an open promise to another active colleague, saying why."""
    if actor_role is not Role.SUPERVISOR:
        raise PromiseRuleError("only a supervisor reassigns a colleague's promise")
    if promise_status is not PromiseStatus.OPEN:
        raise PromiseRuleError("this promise has already ended: there is nothing to reassign")
    if new_owner is None or not new_owner.active:
        raise PromiseRuleError("choose an active colleague to give the promise to")
    if new_owner.id == owner_id:
        raise PromiseRuleError(f"{new_owner.display_name} already owns this promise")
    text = note.strip()
    if not text:
        raise PromiseRuleError("add a note for the new owner: what was promised and what to do now")
    if len(text) > MAX_NOTE:
        raise PromiseRuleError(f"the note is too long ({len(text):,} characters, at most {MAX_NOTE:,})")


@dataclass(frozen=True)
class QuickPick:
    label: str
    due_at: datetime
    window_end_at: datetime | None


def quick_picks(now: datetime, zone: ZoneInfo, hours: WorkingHours | None = None) -> list[QuickPick]:
    """The due times an advisor picks in one keystroke; `zone` is the workstation's. The morning pick
    is the next working day's (tomorrow, unless that is a weekend or bank holiday of `hours`)."""
    today = now.astimezone(zone).date()
    morning = hours.next_working_day(today) if hours is not None else today + timedelta(days=1)
    return [
        QuickPick("In 1 hour", now + timedelta(hours=1), None),
        QuickPick("In 2 hours", now + timedelta(hours=2), None),
        QuickPick(
            "Tomorrow morning (9–12)",
            local_to_utc(morning, time(9, 0), zone),
            local_to_utc(morning, time(12, 0), zone),
        ),
    ]
