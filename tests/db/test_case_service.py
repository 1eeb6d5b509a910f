"""Resolving, confirming, closing, reopening and complaints through the case service on both engines:
version checks, contact events (letters when the customer is written to), promises and audit entries."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import pytest
from sqlalchemy import func, select, update

from console.case_rules import CaseRuleError
from console.clock import ManualClock
from console.services.cases import CaseConflictError, CaseService
from console.services.customers import CustomerService
from console.services.offers import OfferService
from console.services.promises import PromiseService
from domain import mutation_kinds
from domain.records import CaseSummary
from domain.vocabulary import (
    CaseKind,
    CaseStatus,
    Channel,
    Confirmation,
    Direction,
    PromiseKind,
    PromiseStatus,
    Severity,
)
from storage import audit
from storage.models import AuditEntry, Case, ContactEvent, Customer, Feedback
from storage.queries import sync as sync_queries
from storage.queries import users
from storage.store import Store
from tests.helpers import factories

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)

pytestmark = pytest.mark.postgres


class World(NamedTuple):
    store: Store
    clock: ManualClock
    cases: CaseService
    promises: PromiseService
    customer_id: uuid.UUID


@pytest.fixture
def world(any_store: Store) -> World:
    someone = factories.customer()
    with any_store.write() as session:
        session.add_all([factories.user("alex"), someone])
        session.flush()
        session.add(factories.phone(someone, "07700 900123"))
        session.add(factories.case(someone, "CS-1", CaseStatus.IN_PROGRESS))
    with any_store.read() as session:
        alex = users.by_username(session, "alex")
    assert alex is not None
    clock = ManualClock(NOW)
    return World(
        any_store,
        clock,
        CaseService(any_store, clock, alex),
        PromiseService(any_store, clock, alex),
        someone.id,
    )


def the_case(world: World) -> CaseSummary:
    return CustomerService(world.store).cases(world.customer_id)[0]


def events(world: World) -> list[ContactEvent]:
    with world.store.read() as session:
        found = session.scalars(
            select(ContactEvent)
            .where(ContactEvent.customer_id == world.customer_id)
            .order_by(ContactEvent.id)
        ).all()
        session.expunge_all()
        return list(found)


def test_resolve_confirmed_closes_with_root_cause_event_and_audit(world: World) -> None:
    done = world.cases.resolve(
        the_case(world), "line fault (copper)", "Cabinet card replaced", Confirmation.CONFIRMED
    )
    assert done.status is CaseStatus.CLOSED
    assert done.confirmation is Confirmation.CONFIRMED
    assert (done.root_cause_category, done.root_cause_text) == (
        "line fault (copper)",
        "Cabinet card replaced",
    )
    assert done.resolved_at == NOW and done.closed_at == NOW and done.version == 2
    assert [e.subject for e in events(world)] == ["CS-1 resolved and confirmed by the customer"]
    with world.store.read() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert entry is not None and entry.action == "case.resolve"
        assert entry.detail["root_cause_category"] == "line fault (copper)"
        assert audit.verify(session) == []


def test_not_reachable_makes_a_callback_promise_linked_to_the_case(world: World) -> None:
    due = NOW + timedelta(hours=3)
    done = world.cases.resolve(
        the_case(world), "router failure", "New router", Confirmation.NOT_REACHABLE, due
    )
    assert done.status is CaseStatus.RESOLVED and done.confirmation_attempts == 1
    (promise,) = world.promises.for_customer(world.customer_id)
    assert promise.kind is PromiseKind.CALLBACK and promise.case_id == done.id
    assert promise.due_at == due and promise.phone_e164 == "+447700900123"


def test_bad_input_saves_nothing(world: World) -> None:
    case = the_case(world)
    for category, text, message in [
        ("", "text", "choose the root cause category"),
        ("line fault (copper)", "", "the root cause is empty"),
        ("line fault (copper)", "x" * 10_000, "too long"),
    ]:
        with pytest.raises(CaseRuleError, match=message):
            world.cases.resolve(case, category, text, Confirmation.CONFIRMED)
    with pytest.raises(CaseRuleError, match="say when you will try again"):
        world.cases.resolve(case, "line fault (copper)", "text", Confirmation.NOT_REACHABLE)
    assert the_case(world) == case
    assert events(world) == []
    assert world.promises.for_customer(world.customer_id) == []


def test_two_failed_attempts_then_closed_in_writing_with_a_letter(world: World) -> None:
    first_due = NOW + timedelta(hours=3)
    case = world.cases.resolve(
        the_case(world), "line fault (copper)", "Fixed", Confirmation.NOT_REACHABLE, first_due
    )
    with pytest.raises(CaseRuleError, match="2 times"):
        world.cases.close_in_writing(case, "We wrote to you")
    world.clock.set(first_due)
    case = world.cases.record_confirmation(case, Confirmation.NOT_REACHABLE, first_due + timedelta(days=1))
    assert case.confirmation_attempts == 2
    promises = world.promises.for_customer(world.customer_id)
    assert [p.status for p in promises] == [PromiseStatus.OPEN, PromiseStatus.NOT_REACHABLE]
    assert promises[1].outcome == "customer not reachable to confirm the fix"

    closed = world.cases.close_in_writing(case, "Dear Ms Shah, we fixed the fault on 25 November ...")
    assert closed.status is CaseStatus.CLOSED and closed.confirmation is Confirmation.TOLD_IN_WRITING
    letters = [e for e in events(world) if e.channel is Channel.LETTER]
    assert len(letters) == 1 and letters[0].direction is Direction.OUTBOUND
    assert letters[0].summary.startswith("Dear Ms Shah")
    assert all(p.status is not PromiseStatus.OPEN for p in world.promises.for_customer(world.customer_id))


def test_a_stale_case_is_refused(world: World) -> None:
    stale = the_case(world)
    world.cases.resolve(
        stale, "line fault (copper)", "Fixed", Confirmation.NOT_REACHABLE, NOW + timedelta(hours=1)
    )
    with pytest.raises(CaseConflictError, match="changed meanwhile \\(now resolved\\)"):
        world.cases.resolve(stale, "line fault (copper)", "Fixed", Confirmation.CONFIRMED)


def test_reopen_counts_and_suppressor_follows_the_confirmation(world: World) -> None:
    with world.store.write() as session:
        session.execute(update(Customer).values(marketing_consent=True))
    alex = world.cases.user
    offers = OfferService(world.store, world.clock, alex)
    assert not offers.decision(world.customer_id).allowed
    case = world.cases.resolve(
        the_case(world), "line fault (copper)", "Fixed", Confirmation.NOT_REACHABLE, NOW + timedelta(hours=1)
    )
    decision = offers.decision(world.customer_id)
    assert not decision.allowed and "awaiting the customer's confirmation" in decision.banner
    case = world.cases.reopen(case, "Still dropping at night")
    assert case.status is CaseStatus.IN_PROGRESS and case.reopened_count == 1
    assert case.confirmation is Confirmation.PENDING and case.confirmation_attempts == 0
    case = world.cases.resolve(case, "line fault (copper)", "Second card replaced", Confirmation.CONFIRMED)
    assert offers.decision(world.customer_id).allowed
    case = world.cases.reopen(case, "Dropped again")
    assert case.reopened_count == 2 and not offers.decision(world.customer_id).allowed


def test_feedback_two_scores_after_closure_and_averages(world: World) -> None:
    case = the_case(world)
    with pytest.raises(CaseRuleError, match="after closure"):
        world.cases.record_feedback(case, 4, 2, "")
    case = world.cases.resolve(case, "line fault (copper)", "Fixed", Confirmation.CONFIRMED)
    world.cases.record_feedback(case, 5, 2, "Storm damage, they think")
    with pytest.raises(CaseRuleError, match="already recorded"):
        world.cases.record_feedback(case, 1, 1, "")
    with pytest.raises(CaseRuleError, match="1 to 5"):
        world.cases.record_feedback(case, 6, 1, "")
    with world.store.write() as session:
        other = factories.case(session.get_one(Customer, world.customer_id), "CS-2", CaseStatus.CLOSED)
        session.add(other)
        session.flush()
        session.add(
            Feedback(
                id=uuid.uuid4(),
                case_id=other.id,
                customer_id=world.customer_id,
                fix_score=2,
                fault_score=1,
                customer_cause_text=None,
                received_at=NOW - timedelta(days=40),
            )
        )
    month = world.cases.feedback_scores(NOW - timedelta(days=30), NOW + timedelta(seconds=1))
    assert (month.answers, month.fix_average, month.fault_average) == (1, 5.0, 2.0)
    both = world.cases.feedback_scores(NOW - timedelta(days=60), NOW + timedelta(seconds=1))
    assert (both.answers, both.fix_average, both.fault_average) == (2, 3.5, 1.5)
    none = world.cases.feedback_scores(NOW + timedelta(days=1), NOW + timedelta(days=2))
    assert (none.answers, none.fix_average, none.fault_average) == (0, None, None)


def test_formal_complaint_clock_deadlock_and_adr_letter(world: World) -> None:
    made = NOW - timedelta(days=3)
    case = world.cases.mark_complaint(the_case(world), made)
    assert case.formal_complaint and case.complaint_deadline_at == made + timedelta(weeks=8)
    (clock,) = world.promises.for_customer(world.customer_id)
    assert clock.kind is PromiseKind.COMPLAINT_DEADLINE and clock.due_at == case.complaint_deadline_at
    with pytest.raises(CaseRuleError, match="ombudsman letter is due"):
        world.cases.draft_adr_letter(case, "summary", UTC)

    case = world.cases.declare_deadlock(case, "Customer rejects our final offer of £40")
    with pytest.raises(CaseRuleError, match="summarise"):
        world.cases.draft_adr_letter(case, "  ", UTC)
    letter = world.cases.draft_adr_letter(case, "Your broadband dropped for 3 weeks.", UTC)
    assert "Priya Shah" in letter.body and "1 High Street" in letter.body and "SW1A 1AA" in letter.body
    assert "CS-1" in letter.subject and "Communications Ombudsman" in letter.body
    assert "within 12 months" in letter.body and "22 November 2026" in letter.body  # when it was made
    assert "reach an agreement" in letter.body

    sent = world.cases.send_adr_letter(case, letter)
    assert sent.adr_letter_sent_at == NOW
    (letter_event,) = [e for e in events(world) if e.channel is Channel.LETTER]
    assert letter_event.subject == letter.subject and letter_event.summary == letter.body.strip()
    (clock,) = world.promises.for_customer(world.customer_id)
    assert clock.status is PromiseStatus.DONE and clock.outcome == "ombudsman (ADR) letter sent"
    with world.store.read() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)).all()
        assert actions == ["case.formal_complaint", "case.deadlock", "case.adr_letter"]
        assert (
            session.scalar(select(func.count()).select_from(Case).where(Case.deadlock_at.is_not(None))) == 1
        )


def test_eight_weeks_unresolved_makes_the_letter_due(world: World) -> None:
    case = world.cases.mark_complaint(the_case(world), NOW)
    world.clock.advance(timedelta(weeks=8))
    letter = world.cases.draft_adr_letter(case, "Still not fixed.", UTC)
    assert "8 weeks since you made it (the 8 weeks ended on 20 January 2027)" in letter.body


def test_opening_a_case_queues_case_open_and_pauses_offers(world: World) -> None:
    with pytest.raises(CaseRuleError, match="the title is empty"):
        world.cases.open(world.customer_id, CaseKind.BILLING, "  ")
    with pytest.raises(CaseRuleError, match="target time is in the past"):
        world.cases.open(world.customer_id, CaseKind.BILLING, "Charged twice", target_at=NOW)
    opened = world.cases.open(world.customer_id, CaseKind.BILLING, " Charged twice ", Severity.HIGH)
    assert (opened.reference[:4], opened.title, opened.status) == ("CS-P", "Charged twice", CaseStatus.OPEN)
    assert opened.owner_id == world.cases.user.id
    with world.store.read() as session:
        [entry] = [e for e in sync_queries.entries(session) if e.kind == mutation_kinds.CASE_OPEN]
    assert entry.payload["title"] == "Charged twice" and "reference" not in entry.payload
    assert entry.payload["event_id"] == str(events(world)[-1].id)
    assert (
        "Billing"
        in OfferService(world.store, world.clock, world.cases.user).decision(world.customer_id).banner
    )
