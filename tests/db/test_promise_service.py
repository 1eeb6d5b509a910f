"""Promises through the service with a hand-moved clock: made, timed, ended, never lost."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import pytest

from console.clock import ManualClock
from console.promise_rules import Outcome, PromiseRuleError, Urgency
from console.services.customers import CustomerService
from console.services.promises import PromiseConflictError, PromiseService
from domain.vocabulary import Channel, PromiseKind, PromiseStatus, Role
from storage.queries import users
from storage.store import Store
from tests.helpers import factories

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


class World(NamedTuple):
    store: Store
    clock: ManualClock
    alex: PromiseService
    jo: PromiseService


@pytest.fixture
def world(sqlite_store: Store) -> World:
    alex, jo = factories.user("alex"), factories.user("jo")
    someone = factories.customer()
    with sqlite_store.write() as session:
        session.add_all([alex, jo, someone])
        session.flush()
        session.add(factories.phone(someone, "07700 900123"))
    clock = ManualClock(NOW)
    with sqlite_store.read() as session:
        alex_record, jo_record = users.by_username(session, "alex"), users.by_username(session, "jo")
    assert alex_record and jo_record
    return (
        sqlite_store,
        clock,
        PromiseService(sqlite_store, clock, alex_record),
        PromiseService(sqlite_store, clock, jo_record),
    )


def customer_id(store: Store) -> uuid.UUID:
    return CustomerService(store).find_account("40000001").id


def test_make_a_callback_and_watch_it_become_due_then_overdue(world: World) -> None:
    store, clock, alex, _ = world
    promise = alex.make(
        customer_id(store),
        PromiseKind.CALLBACK,
        NOW + timedelta(hours=1),
        phone="07700 900123",
        note="Call re fault",
    )
    assert promise.owner_name == "Alex" and promise.phone_e164 == "+447700900123"
    assert alex.urgency(promise) is Urgency.ON_TRACK
    clock.advance(timedelta(minutes=45))
    assert alex.urgency(promise) is Urgency.DUE_SOON
    clock.advance(timedelta(minutes=16))
    assert alex.urgency(promise) is Urgency.OVERDUE
    assert [p.id for p in alex.escalate_overdue()] == [promise.id]
    assert alex.escalate_overdue() == []
    history = CustomerService(store).history(promise.customer_id)
    assert history[0].channel is Channel.SYSTEM and history[0].subject == "Promise made: callback"


def test_worklist_is_the_owners_open_promises_soonest_first(world: World) -> None:
    store, _, alex, jo = world
    cid = customer_id(store)
    later = alex.make(cid, PromiseKind.PROGRESS_UPDATE, NOW + timedelta(days=1))
    sooner = alex.make(cid, PromiseKind.PROGRESS_UPDATE, NOW + timedelta(hours=1))
    jo.make(cid, PromiseKind.PROGRESS_UPDATE, NOW + timedelta(minutes=5))
    assert [p.id for p in alex.worklist()] == [sooner.id, later.id]


def test_due_time_in_the_past_is_refused_and_nothing_saved(world: World) -> None:
    store, _, alex, _ = world
    with pytest.raises(PromiseRuleError, match="in the past"):
        alex.make(customer_id(store), PromiseKind.CALLBACK, NOW - timedelta(minutes=5), phone="07700 900123")
    assert alex.worklist() == []


def test_callback_for_a_customer_with_no_number(world: World) -> None:
    store, _, alex, _ = world
    with pytest.raises(PromiseRuleError, match="needs a number to call"):
        alex.make(customer_id(store), PromiseKind.CALLBACK, NOW + timedelta(hours=1))
    with pytest.raises(PromiseRuleError, match="not a phone number"):
        alex.make(customer_id(store), PromiseKind.CALLBACK, NOW + timedelta(hours=1), phone="call me maybe")


def test_not_reachable_creates_the_next_attempt(world: World) -> None:
    store, clock, alex, _ = world
    first = alex.make(
        customer_id(store), PromiseKind.CALLBACK, NOW + timedelta(hours=1), phone="07700 900123"
    )
    clock.advance(timedelta(hours=1))
    ended = alex.close(first, Outcome(PromiseStatus.NOT_REACHABLE, "voicemail", NOW + timedelta(hours=3)))
    assert ended.status is PromiseStatus.NOT_REACHABLE
    (follow_up,) = alex.worklist()
    assert follow_up.due_at == NOW + timedelta(hours=3) and follow_up.phone_e164 == "+447700900123"


def test_two_people_ending_the_same_promise(world: World) -> None:
    """Its owner and a supervisor (who may end anyone's promise) at once: the second is told."""
    store, clock, alex, _ = world
    with store.write() as session:
        session.add(factories.user("sam", Role.SUPERVISOR))
    with store.read() as session:
        sam = users.by_username(session, "sam")
    assert sam is not None
    promise = alex.make(
        customer_id(store), PromiseKind.CALLBACK, NOW + timedelta(hours=1), phone="07700 900123"
    )
    alex.close(promise, Outcome(PromiseStatus.DONE, "Called, fixed"))
    with pytest.raises(PromiseConflictError, match=r"already ended \(done\): Called, fixed"):
        PromiseService(store, clock, sam).close(promise, Outcome(PromiseStatus.DONE, "I called too"))
    assert [p.outcome for p in alex.for_customer(promise.customer_id)] == ["Called, fixed"]


def test_an_advisor_does_not_end_a_colleagues_promise(world: World) -> None:
    store, _, alex, jo = world
    promise = alex.make(
        customer_id(store), PromiseKind.CALLBACK, NOW + timedelta(hours=1), phone="07700 900123"
    )
    with pytest.raises(PromiseRuleError, match="only the promise's owner, its case's owner or a supervisor"):
        jo.close(promise, Outcome(PromiseStatus.DONE, "I called too"))
    assert alex.worklist()[0].status is PromiseStatus.OPEN


def test_a_promise_cannot_end_without_an_outcome(world: World) -> None:
    store, _, alex, _ = world
    promise = alex.make(
        customer_id(store), PromiseKind.CALLBACK, NOW + timedelta(hours=1), phone="07700 900123"
    )
    with pytest.raises(PromiseRuleError):
        alex.close(promise, Outcome(PromiseStatus.DONE, ""))
    assert alex.worklist()[0].status is PromiseStatus.OPEN
