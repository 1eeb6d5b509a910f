"""A supervisor reassigns a broken promise with a note: version checked, on the timeline, audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from console.clock import ManualClock
from console.promise_rules import PromiseRuleError
from console.services.customers import CustomerService
from console.services.people import PeopleService
from console.services.promises import PromiseConflictError, PromiseService
from domain.vocabulary import PromiseKind, Role
from storage import audit
from storage.models import AuditEntry, ContactEvent
from storage.queries import users
from storage.store import Store
from tests.helpers import factories

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def services(store: Store) -> tuple[ManualClock, PromiseService, PromiseService, PromiseService]:
    alex, jo = factories.user("alex"), factories.user("jo")
    sam, kim = factories.user("sam", Role.SUPERVISOR), factories.user("kim", Role.SUPERVISOR)
    someone = factories.customer()
    with store.write() as session:
        session.add_all([alex, jo, sam, kim, someone])
    clock = ManualClock(NOW)
    with store.read() as session:
        records = [users.by_username(session, name) for name in ("alex", "jo", "sam", "kim")]
    assert all(records)
    a, _jo, s, k = (PromiseService(store, clock, r) for r in records if r)
    return clock, a, s, k


def test_supervisor_reassigns_a_broken_promise(any_store: Store) -> None:
    clock, alex, sam, _ = services(any_store)
    customer_id = CustomerService(any_store).find_account("40000001").id
    promise = alex.make(customer_id, PromiseKind.CALLBACK, NOW + timedelta(hours=1), phone="07700 900123")
    clock.advance(timedelta(hours=2))  # broken
    jo_id = next(u.id for u in PeopleService(any_store).colleagues() if u.username == "jo")
    moved = sam.reassign(promise, jo_id, "Alex is off sick: call her before noon")
    assert moved.owner_name == "Jo" and moved.version == promise.version + 1
    with any_store.read() as session:
        subjects = list(session.scalars(select(ContactEvent.subject).order_by(ContactEvent.occurred_at)))
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert audit.verify(session) == []
    assert subjects[-1] == "Promise reassigned: callback, from Alex to Jo"
    assert entry is not None and entry.action == "promise.reassign" and entry.actor == "sam"
    assert entry.detail["to_owner"] == str(jo_id) and entry.detail["note"].startswith("Alex is off sick")


def test_reassigning_needs_a_supervisor_a_note_and_the_current_version(any_store: Store) -> None:
    _clock, alex, sam, kim = services(any_store)
    customer_id = CustomerService(any_store).find_account("40000001").id
    promise = alex.make(customer_id, PromiseKind.CALLBACK, NOW + timedelta(hours=1), phone="07700 900123")
    jo_id = next(u.id for u in PeopleService(any_store).colleagues() if u.username == "jo")
    with pytest.raises(PromiseRuleError, match="only a supervisor"):
        alex.reassign(promise, jo_id, "note")
    with pytest.raises(PromiseRuleError, match="add a note"):
        sam.reassign(promise, jo_id, "  ")
    with pytest.raises(PromiseRuleError, match="already owns"):
        sam.reassign(promise, promise.owner_id, "note")
    kim.reassign(promise, jo_id, "Jo is free")
    with pytest.raises(PromiseConflictError, match="changed by someone else"):
        sam.reassign(promise, jo_id, "stale")  # sam still holds the old version
    with any_store.read() as session:
        assert audit.verify(session) == []
        count = len(list(session.scalars(select(AuditEntry.seq))))
    assert count == 1  # the refused attempts left nothing behind
