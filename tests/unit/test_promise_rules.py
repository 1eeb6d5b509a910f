"""Promise urgency, countdown words and the rules for making and ending promises."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console.promise_rules import (
    NewPromise,
    Outcome,
    PromiseRuleError,
    Urgency,
    check_new_promise,
    check_outcome,
    countdown,
    urgency,
)
from domain.vocabulary import PromiseKind, PromiseStatus

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("due_in", "expected"),
    [
        (timedelta(hours=2), Urgency.ON_TRACK),
        (timedelta(minutes=15, seconds=1), Urgency.ON_TRACK),
        (timedelta(minutes=15), Urgency.DUE_SOON),
        (timedelta(seconds=1), Urgency.DUE_SOON),
        (timedelta(0), Urgency.OVERDUE),
        (-timedelta(hours=3), Urgency.OVERDUE),
    ],
)
def test_urgency(due_in: timedelta, expected: Urgency) -> None:
    assert urgency(NOW + due_in, NOW) is expected


def test_due_soon_threshold_is_a_setting() -> None:
    assert urgency(NOW + timedelta(minutes=25), NOW, due_soon=timedelta(minutes=30)) is Urgency.DUE_SOON


@pytest.mark.parametrize(
    ("due_in", "words"),
    [
        (timedelta(seconds=45), "in 45 s"),
        (timedelta(minutes=12, seconds=29), "in 12 min"),
        (timedelta(minutes=12, seconds=30), "in 13 min"),
        (timedelta(minutes=1, seconds=53), "in 2 min"),  # as a person reads it, not rounded down
        (timedelta(minutes=1, seconds=20), "in 1 min"),
        (timedelta(seconds=60), "in 1 min"),
        (timedelta(seconds=59), "in 59 s"),  # the last minute counts seconds
        (timedelta(minutes=59, seconds=40), "in 1 h"),
        (timedelta(hours=2, minutes=4, seconds=31), "in 2 h 5 min"),
        (timedelta(hours=23, minutes=59, seconds=50), "in 1 day"),
        (timedelta(days=1, hours=1, minutes=40), "in 1 day 2 h"),
        (timedelta(days=2, hours=23, minutes=40), "in 3 days"),
        (timedelta(days=8, hours=13), "in 9 days"),
        (-timedelta(minutes=1, seconds=53), "overdue by 2 min"),
        (-timedelta(seconds=20), "overdue by 20 s"),
        (timedelta(hours=2, minutes=5), "in 2 h 5 min"),
        (timedelta(hours=3), "in 3 h"),
        (timedelta(days=1, hours=2), "in 1 day 2 h"),
        (timedelta(days=9), "in 9 days"),
        (-timedelta(hours=3), "overdue by 3 h"),
        (timedelta(0), "overdue by 0 s"),
    ],
)
def test_countdown_words(due_in: timedelta, words: str) -> None:
    assert countdown(NOW + due_in, NOW) == words


def promise(**changes: object) -> NewPromise:
    values: dict[str, object] = {
        "kind": PromiseKind.CALLBACK,
        "due_at": NOW + timedelta(hours=1),
        "window_end_at": None,
        "phone_e164": "+447700900123",
        "note": "",
    }
    return NewPromise(**(values | changes))  # type: ignore[arg-type]


def test_a_good_promise_passes() -> None:
    check_new_promise(promise(), NOW)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"due_at": NOW - timedelta(minutes=1)}, "in the past"),
        ({"due_at": NOW}, "in the past"),
        ({"due_at": NOW + timedelta(days=400)}, "more than a year"),
        ({"window_end_at": NOW + timedelta(minutes=30)}, "window must end after"),
        ({"phone_e164": None}, "needs a number to call"),
        ({"note": "x" * 2001}, "too long"),
    ],
)
def test_promises_that_could_not_be_kept_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(PromiseRuleError, match=message):
        check_new_promise(promise(**changes), NOW)


def test_an_update_promise_needs_no_phone() -> None:
    check_new_promise(promise(kind=PromiseKind.PROGRESS_UPDATE, phone_e164=None), NOW)


@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        (Outcome(PromiseStatus.OPEN, "x"), "ends with an outcome"),
        (Outcome(PromiseStatus.DONE, "  "), "say what happened"),
        (Outcome(PromiseStatus.NOT_REACHABLE, "no answer"), "when to try again"),
        (Outcome(PromiseStatus.NOT_REACHABLE, "", NOW - timedelta(minutes=1)), "future"),
        (Outcome(PromiseStatus.RESCHEDULED, "", NOW + timedelta(hours=1), True), "reason"),
        (Outcome(PromiseStatus.RESCHEDULED, "engineer ill", NOW + timedelta(hours=1)), "was told"),
        (Outcome(PromiseStatus.RESCHEDULED, "engineer ill", None, True), "new time"),
    ],
)
def test_outcomes_that_are_refused(outcome: Outcome, message: str) -> None:
    with pytest.raises(PromiseRuleError, match=message):
        check_outcome(outcome, NOW)


def test_outcomes_that_are_accepted() -> None:
    check_outcome(Outcome(PromiseStatus.DONE, "Called back, line fixed"), NOW)
    check_outcome(Outcome(PromiseStatus.NOT_REACHABLE, "", NOW + timedelta(hours=1)), NOW)
    check_outcome(Outcome(PromiseStatus.RESCHEDULED, "engineer ill", NOW + timedelta(days=1), False), NOW)
