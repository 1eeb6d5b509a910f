"""Writing down the call in hand on a real store: the wrap-up as a phone contact with its reason and
duration, its draft surviving until saved, contacts logged by hand, new cases with the customer's
words, and progress (`case.update`) clearing the "past target, no update" prompt."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import pytest
from sqlalchemy import select

from console.case_rules import CaseRuleError
from console.clock import ManualClock
from console.contact_reasons import ReasonList, load_reasons
from console.contact_rules import ContactRuleError
from console.ids import new_id
from console.services.cases import CaseService
from console.services.contacts import ContactEntry, ContactService, WrapUp
from console.services.customers import CustomerService
from console.services.offers import OfferService
from domain import mutation_kinds
from domain.records import WrapUpDraftRecord
from domain.vocabulary import CaseKind, CaseStatus, Channel, Direction
from storage.models import Case, ContactEvent, OutboxEntry, WrapUpDraft
from storage.queries import users
from storage.store import Store, open_store
from tests.helpers import factories

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


class Desk(NamedTuple):
    store: Store
    clock: ManualClock
    contacts: ContactService
    cases: CaseService
    customer_id: uuid.UUID
    case_id: uuid.UUID


@pytest.fixture
def desk(sqlite_store: Store) -> Desk:
    someone = factories.customer()
    case = factories.case(someone, "CS-0000100", CaseStatus.IN_PROGRESS)
    with sqlite_store.write() as session:
        session.add_all([factories.user("alex"), someone])
        session.flush()
        session.add(case)
    with sqlite_store.read() as session:
        alex = users.by_username(session, "alex")
    assert alex is not None
    clock = ManualClock(NOW)
    return Desk(
        sqlite_store,
        clock,
        ContactService(sqlite_store, clock, alex),
        CaseService(sqlite_store, clock, alex),
        someone.id,
        case.id,
    )


def event(store: Store, event_id: uuid.UUID) -> ContactEvent:
    with store.read() as session:
        return session.get_one(ContactEvent, event_id)


def queued(store: Store, kind: str) -> list[OutboxEntry]:
    with store.read() as session:
        return list(session.scalars(select(OutboxEntry).where(OutboxEntry.kind == kind)))


def test_a_wrap_up_is_a_phone_contact_with_reason_duration_and_advisor(desk: Desk) -> None:
    wrap = WrapUp(
        customer_id=desk.customer_id,
        started_at=NOW - timedelta(minutes=12, seconds=34),
        ended_at=NOW,
        reason_code="fault_progress",
        note="Router still drops at night; engineer booked",
        case_id=desk.case_id,
        number="+447700900123",
    )
    made = event(desk.store, desk.contacts.wrap_up(wrap))
    assert (made.channel, made.direction) == (Channel.PHONE, Direction.INBOUND)
    assert (made.reason_code, made.duration_seconds) == ("fault_progress", 754)
    assert made.advisor_id == desk.contacts.user.id and made.case_id == desk.case_id
    assert made.occurred_at == wrap.started_at and made.recorded_at == NOW
    assert made.subject == "Chasing a fault already reported (12 min 34 s), +447700900123"
    [entry] = queued(desk.store, mutation_kinds.CONTACT_ADD)
    assert entry.payload["reason"] == "fault_progress" and entry.payload["duration_seconds"] == 754


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"note": "  "}, "write what happened"),
        ({"note": "x" * 100_000}, "at most 10,000"),
        ({"reason_code": None}, "choose the contact reason"),
        ({"reason_code": "gremlins"}, "not on the list"),
        ({"reason_code": "Bad Code"}, "short code"),
        ({"started_at": NOW - timedelta(days=2)}, "0 to 86,400 seconds"),
        ({"case_id": uuid.uuid4()}, "not this customer's"),
    ],
)
def test_a_bad_wrap_up_saves_nothing(desk: Desk, change: dict[str, object], words: str) -> None:
    values: dict[str, object] = {
        "customer_id": desk.customer_id,
        "started_at": NOW - timedelta(minutes=3),
        "ended_at": NOW,
        "reason_code": "billing",
        "note": "Asked about the bill",
    }
    with pytest.raises(ContactRuleError, match=words):
        desk.contacts.wrap_up(WrapUp(**(values | change)))  # type: ignore[arg-type]
    with desk.store.read() as session:
        assert session.scalars(select(ContactEvent)).all() == []
    assert queued(desk.store, mutation_kinds.CONTACT_ADD) == []


def test_with_a_broken_reasons_file_a_wrap_up_saves_without_a_reason(desk: Desk) -> None:
    contacts = ContactService(desk.store, desk.clock, desk.contacts.user, ReasonList((), "bad line 3"))
    wrap = WrapUp(desk.customer_id, NOW - timedelta(minutes=1), NOW, None, "Quick question")
    made = event(desk.store, contacts.wrap_up(wrap))
    assert made.reason_code is None and made.subject == "Call (1 min 00 s)"


def test_a_draft_survives_until_the_wrap_up_is_saved(desk: Desk) -> None:
    draft = WrapUpDraftRecord(
        id=new_id(),
        customer_id=desk.customer_id,
        number="+447700900123",
        started_at=NOW - timedelta(minutes=5),
        ended_at=NOW,
        reason_code="billing",
        note="Half way through writing",
        case_id=None,
    )
    desk.contacts.save_draft(draft)
    desk.contacts.save_draft(replace(draft, note="Written some more", case_id=desk.case_id))
    location, user = desk.store.location, desk.contacts.user
    desk.store.close()
    del desk  # everything that held the draft is gone: only the store file remains

    store = open_store(location)
    try:
        contacts = ContactService(store, ManualClock(NOW + timedelta(hours=1)), user, load_reasons())
        [back] = contacts.drafts()
        assert back == replace(draft, note="Written some more", case_id=back.case_id)
        assert back.case_id is not None
        assert contacts.drafts(draft.customer_id) == [back] and contacts.drafts(uuid.uuid4()) == []
        contacts.wrap_up(
            WrapUp(
                back.customer_id,
                back.started_at,
                back.ended_at,
                back.reason_code,
                back.note,
                back.case_id,
                back.number,
                draft_id=back.id,
            )
        )
        assert contacts.drafts() == []
        with store.read() as session:
            assert session.scalars(select(WrapUpDraft)).all() == []
    finally:
        store.close()


def test_a_failed_save_keeps_the_draft(desk: Desk) -> None:
    draft = WrapUpDraftRecord(
        new_id(), desk.customer_id, None, NOW - timedelta(minutes=1), NOW, None, "", None
    )
    desk.contacts.save_draft(draft)
    with pytest.raises(ContactRuleError):
        desk.contacts.wrap_up(
            WrapUp(desk.customer_id, draft.started_at, NOW, "billing", "", draft_id=draft.id)
        )
    assert desk.contacts.drafts() == [draft]
    desk.contacts.discard_draft(draft.id)
    assert desk.contacts.drafts() == []


def test_a_contact_logged_by_hand(desk: Desk) -> None:
    made = event(
        desk.store,
        desk.contacts.log(
            ContactEntry(
                desk.customer_id, Channel.LETTER, Direction.OUTBOUND, "Sent the refund letter", desk.case_id
            )
        ),
    )
    assert (made.channel, made.direction, made.subject) == (
        Channel.LETTER,
        Direction.OUTBOUND,
        "Letter to the customer",
    )
    assert made.reason_code is None and made.duration_seconds is None
    with pytest.raises(ContactRuleError, match="choose how"):
        desk.contacts.log(ContactEntry(desk.customer_id, Channel.SYSTEM, Direction.INBOUND, "x"))
    with pytest.raises(ContactRuleError, match="write what happened"):
        desk.contacts.log(ContactEntry(desk.customer_id, Channel.EMAIL, Direction.INBOUND, " "))


def test_a_new_case_keeps_the_customers_words_and_pauses_offers_at_once(desk: Desk) -> None:
    offers = OfferService(desk.store, desk.clock, desk.contacts.user)
    with desk.store.write() as session:
        session.get_one(Case, desk.case_id).status = CaseStatus.CLOSED
        session.get_one(Case, desk.case_id).closed_at = NOW - timedelta(days=30)
    before = offers.decision(desk.customer_id)
    made = desk.cases.open(
        desk.customer_id,
        "billing",
        "Charged twice in November",
        target_at=NOW + timedelta(days=2),
        reported_text="  My bill has two lines for the same month  ",
        next_step="Billing to check the payment run",
    )
    assert made.kind is CaseKind.BILLING and made.owner_id == desk.contacts.user.id
    assert made.next_step == "Billing to check the payment run"
    with desk.store.read() as session:
        assert session.get_one(Case, made.id).reported_text == "My bill has two lines for the same month"
    [entry] = queued(desk.store, mutation_kinds.CASE_OPEN)
    assert entry.payload["reported_text"] == "My bill has two lines for the same month"
    assert entry.payload["next_step"] == "Billing to check the payment run"
    after = offers.decision(desk.customer_id)
    assert not after.allowed and "Charged twice" not in before.banner
    assert after.banner.startswith("Offers paused")
    with pytest.raises(CaseRuleError, match="kind must be one of"):
        desk.cases.open(desk.customer_id, "gremlins", "Something")
    with pytest.raises(CaseRuleError, match="the title is empty"):
        desk.cases.open(desk.customer_id, CaseKind.BILLING, "  ")


def test_progress_clears_the_past_target_prompt(desk: Desk) -> None:
    with desk.store.write() as session:
        case = session.get_one(Case, desk.case_id)
        case.target_at = NOW - timedelta(days=1)
        case.updated_at = NOW - timedelta(days=2)
    [late] = desk.cases.needing_update(desk.customer_id)
    with pytest.raises(CaseRuleError, match="the next step is empty"):
        desk.cases.update_progress(late, " ", "Chased the engineers", True)
    assert desk.cases.needing_update(desk.customer_id) == [late]
    moved = desk.cases.update_progress(late, "Engineer visit Tuesday", "Chased the engineers", True)
    assert moved.next_step == "Engineer visit Tuesday" and moved.version == late.version + 1
    assert desk.cases.needing_update(desk.customer_id) == []
    [entry] = queued(desk.store, mutation_kinds.CASE_UPDATE)
    assert entry.payload == {
        "id": str(late.id),
        "version": late.version,
        "event_id": entry.payload["event_id"],
        "next_step": "Engineer visit Tuesday",
        "done": "Chased the engineers",
        "customer_told": True,
    }
    line = event(desk.store, uuid.UUID(entry.payload["event_id"]))
    assert line.subject == "CS-0000100 progress (customer told): next, Engineer visit Tuesday"
    assert line.summary == "Chased the engineers\nThe customer was told."
    with pytest.raises(CaseRuleError, match="changed meanwhile"):
        desk.cases.update_progress(late, "Again", "Stale", False)
    closed = CustomerService(desk.store).cases(desk.customer_id)[0]
    with pytest.raises(CaseRuleError, match="reopen it before recording progress"):
        desk.cases.update_progress(replace(closed, status=CaseStatus.CLOSED), "x", "y", False)
