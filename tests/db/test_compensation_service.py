"""Service dates and compensation suggestions through the services on both engines: dates recorded
with an audit entry and a timeline event, refused with nothing saved, and a requester's goodwill
decisions read back for the notice that tells them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

import pytest
from sqlalchemy import select

from console.clock import ManualClock
from console.compensation import FactsError, ServiceFacts
from console.services.compensation import CompensationService
from console.services.customers import CustomerService
from console.services.goodwill import GoodwillService, decision_words
from domain.vocabulary import CaseKind, GoodwillKind, Role
from storage import audit
from storage.models import AuditEntry, Case, ContactEvent
from storage.queries import users
from storage.store import Store
from tests.helpers import factories

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # a Tuesday
REPORTED = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # Monday: repair due by the end of Wed 18 Nov


class World(NamedTuple):
    store: Store
    clock: ManualClock
    customer_id: uuid.UUID
    case_id: uuid.UUID
    alex: CompensationService


@pytest.fixture
def world(any_store: Store) -> World:
    with any_store.write() as session:
        owner = factories.customer()
        fault = factories.case(owner, opened_at=REPORTED, kind=CaseKind.BROADBAND_FAULT)
        session.add_all(
            [
                factories.user("alex"),
                factories.user("sam", Role.SUPERVISOR, goodwill_limit_pence=10_000),
                owner,
            ]
        )
        session.flush()
        session.add(fault)
    clock = ManualClock(NOW)
    with any_store.read() as session:
        alex = users.by_username(session, "alex")
    assert alex is not None
    return World(any_store, clock, owner.id, fault.id, CompensationService(any_store, clock, alex))


def test_a_fault_with_no_dates_yet_counts_from_the_opening_so_far(world: World) -> None:
    found = world.alex.suggestion(world.case_id)
    assert found is not None
    # Thu 19 to Tue 24 Nov: 6 days at the April 2026 rate.
    assert found.total_pence == 6 * 1034
    assert "not restored yet, so far to Tue 24 Nov" in found.words()


def test_recording_dates_saves_them_with_an_audit_entry_and_a_timeline_event(world: World) -> None:
    dates = world.alex.dates(world.case_id)
    facts = ServiceFacts(
        CaseKind.BROADBAND_FAULT,
        reported_at=REPORTED,
        restored_at=datetime(2026, 11, 22, 12, 0, tzinfo=UTC),
        appointment_at=datetime(2026, 11, 18, 8, 0, tzinfo=UTC),
        appointment_missed=True,
        customer_delay_days=1,
        customer_delay_reason="the customer declined the earliest slot",
    )
    stored = world.alex.record(dates, facts)
    assert stored.restored_at == facts.restored_at and stored.appointment_missed
    assert stored.customer_delay_days == 1 and stored.version == dates.version + 1
    found = world.alex.suggestion(world.case_id)
    assert found is not None
    assert found.total_pence == 3 * 1034 + 3231
    assert "less 1 day the customer declined the earliest slot" in found.words()
    with world.store.read() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.service_dates")).one()
        assert entry.actor == "alex" and entry.entity_id == world.case_id
        assert entry.detail["scheme_owes_pence"] == found.total_pence
        assert entry.detail["changed"]["restored_at"] == "2026-11-22T12:00:00+00:00"
        assert audit.verify(session) == []
        event = session.scalars(
            select(ContactEvent).where(ContactEvent.subject.like("Service dates recorded on%"))
        ).one()
        assert event.case_id == world.case_id and "restored at" in event.summary


def test_impossible_dates_are_refused_and_nothing_is_saved(world: World) -> None:
    dates = world.alex.dates(world.case_id)
    backwards = ServiceFacts(
        CaseKind.BROADBAND_FAULT, reported_at=REPORTED, restored_at=REPORTED - timedelta(hours=2)
    )
    with pytest.raises(FactsError, match="restored before"):
        world.alex.record(dates, backwards)
    with world.store.read() as session:
        case = session.get_one(Case, world.case_id)
        assert case.restored_at is None and case.version == dates.version
        assert not session.scalars(select(AuditEntry).where(AuditEntry.action == "case.service_dates")).all()


def test_dates_changed_meanwhile_are_not_overwritten(world: World) -> None:
    seen = world.alex.dates(world.case_id)
    facts = ServiceFacts(CaseKind.BROADBAND_FAULT, reported_at=REPORTED)
    world.alex.record(seen, facts)
    with pytest.raises(FactsError, match="changed by someone else"):
        world.alex.record(seen, ServiceFacts(CaseKind.BROADBAND_FAULT, reported_at=REPORTED, restored_at=NOW))


def test_new_service_dates_round_trip(any_store: Store) -> None:
    with any_store.write() as session:
        owner = factories.customer()
        session.add_all([factories.user("alex"), owner])
        session.flush()
        order = factories.case(owner, kind=CaseKind.NEW_SERVICE, opened_at=REPORTED)
        session.add(order)
    clock = ManualClock(NOW)
    with any_store.read() as session:
        alex = users.by_username(session, "alex")
    assert alex is not None
    service = CompensationService(any_store, clock, alex)
    facts = ServiceFacts(
        CaseKind.NEW_SERVICE, promised_start=date(2026, 11, 18), started_on=date(2026, 11, 23)
    )
    stored = service.record(service.dates(order.id), facts)
    assert (stored.promised_start_on, stored.started_on) == (date(2026, 11, 18), date(2026, 11, 23))
    found = service.suggestion(order.id)
    assert found is not None and found.total_pence == 5 * 646


def test_a_requester_reads_the_decisions_made_on_their_requests(world: World) -> None:
    def goodwill(name: str) -> GoodwillService:
        with world.store.read() as session:
            record = users.by_username(session, name)
        assert record is not None
        return GoodwillService(world.store, world.clock, record)

    alex, sam = goodwill("alex"), goodwill("sam")
    since = world.clock.now()
    given = alex.request(
        world.customer_id, GoodwillKind.GOODWILL_CREDIT, "20", "service outage", "Down 3 days"
    )
    asked = alex.request(world.customer_id, GoodwillKind.COMPENSATION, "75", "delayed repair", "Scheme")
    refused = alex.request(world.customer_id, GoodwillKind.GOODWILL_CREDIT, "90", "other", "Because")
    assert alex.decisions_since(since) == []
    world.clock.advance(timedelta(minutes=5))
    sam.approve(asked)
    sam.reject(refused, "Already credited last week")
    decided = alex.decisions_since(since)
    assert [d.id for d in decided] == [asked.id, refused.id]  # not the one given within the limit
    assert given.id not in {d.id for d in decided}
    customer = CustomerService(world.store).find_account("40000001")
    name = decided[0].customer_name
    assert name.startswith(customer.given_name)
    assert (
        decision_words(decided[0])
        == f"Compensation £75.00 for {name} approved by {decided[0].decided_by_name}"
    )
    assert decision_words(decided[1]) == (
        f"Goodwill £90.00 for {name} rejected by {decided[1].decided_by_name}: Already credited last week"
    )
    assert alex.decisions_since(world.clock.now() + timedelta(seconds=1)) == []
