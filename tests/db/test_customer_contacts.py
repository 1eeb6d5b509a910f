"""`customer_contacts`, `advisor_contact_tallies` and `case_contact_counts`, which triggers keep as
the contact log grows, on SQLite and PostgreSQL: whatever order contacts arrive in, each mark equals
its definition (a repeat: the case's previous customer contact, in time and then event-id order, at
most 168 hours earlier; another channel within 192 hours either side), the tallies equal the contacts
counted per advisor and bucket, and each case's count and first contact equal its contacts'; the
migration's backfill gives the same; the window's edges are exact, across a clock change too; every
UK midnight starts a bucket."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select, text

from console.board.periods import midnight
from domain.vocabulary import Channel, Direction
from storage import migrate
from storage.models import AdvisorContactTally, CaseContactCount, ContactEvent, CustomerContact
from storage.models.contact import NO_ADVISOR
from storage.queries.board import starts_a_bucket
from storage.store import Store
from tests.helpers import factories as f

pytestmark = pytest.mark.postgres

WINDOW = timedelta(hours=168)
NEARBY = timedelta(hours=192)
# Sunday 29 March 2026, 01:00 UTC: the UK's clocks go forward, so 7 calendar days in London that
# straddle it are 167 hours.
CLOCKS_GO_FORWARD = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Drawn:
    case: int | None
    advisor: bool
    hours: int
    microsecond: int
    channel: Channel
    direction: Direction


def expected_marks(events: list[ContactEvent]) -> dict[uuid.UUID, bool]:
    """The definition, straight: per case, customer contacts in (time, id) order; a repeat when the
    previous one is at most 168 hours earlier."""
    by_case: dict[uuid.UUID, list[ContactEvent]] = {}
    for event in events:
        if event.case_id and event.direction is Direction.INBOUND and event.channel is not Channel.SYSTEM:
            by_case.setdefault(event.case_id, []).append(event)
    marks = {}
    for contacts in by_case.values():
        contacts.sort(key=lambda e: (e.occurred_at, e.id))
        for previous, event in zip([None, *contacts], contacts, strict=False):
            marks[event.id] = previous is not None and event.occurred_at - previous.occurred_at <= WINDOW
    return marks


def expected_nearby(events: list[ContactEvent]) -> dict[uuid.UUID, bool]:
    """Per customer contact: another customer contact of the case, on another channel, within 192
    hours either side."""
    contacts = [e for e in events if e.id in expected_marks(events)]
    return {
        e.id: any(
            o.case_id == e.case_id and o.channel != e.channel and abs(o.occurred_at - e.occurred_at) <= NEARBY
            for o in contacts
        )
        for e in contacts
    }


def bucket(moment: datetime) -> datetime:
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return day.replace(hour=23) if moment.hour == 23 else day


def tallies_match_the_contacts(store: Store) -> None:
    """The whole tallies table equals the customer contacts counted per bucket and advisor."""
    with store.read() as session:
        counted: dict[tuple[datetime, uuid.UUID], list[int]] = {}
        for occurred_at, advisor, repeat in session.execute(
            select(CustomerContact.occurred_at, CustomerContact.advisor_id, CustomerContact.is_repeat)
        ):
            both = counted.setdefault((bucket(occurred_at), advisor or NO_ADVISOR), [0, 0])
            both[0] += 1
            both[1] += int(repeat)
        tallies = {
            (starts_at, advisor): [contacts, repeats]
            for starts_at, advisor, contacts, repeats in session.execute(
                select(
                    AdvisorContactTally.starts_at,
                    AdvisorContactTally.advisor_id,
                    AdvisorContactTally.contacts,
                    AdvisorContactTally.repeats,
                )
            )
        }
    assert tallies == counted
    case_counts_match_the_contacts(store)


def case_counts_match_the_contacts(store: Store) -> None:
    """Every case's count and first contact (time, then event id) equal its customer contacts'."""
    with store.read() as session:
        cases: dict[uuid.UUID, list[Any]] = {}
        for case_id, occurred_at, event_id, advisor in session.execute(
            select(
                CustomerContact.case_id,
                CustomerContact.occurred_at,
                CustomerContact.event_id,
                CustomerContact.advisor_id,
            )
        ):
            cases.setdefault(case_id, []).append((occurred_at, event_id, advisor))
        expected = {case_id: (*min(contacts), len(contacts)) for case_id, contacts in cases.items()}
        stored = {
            case_id: (first_at, event_id, advisor, n)
            for case_id, first_at, event_id, advisor, n in session.execute(
                select(
                    CaseContactCount.case_id,
                    CaseContactCount.first_at,
                    CaseContactCount.first_event_id,
                    CaseContactCount.first_advisor_id,
                    CaseContactCount.contacts,
                )
            )
        }
    assert stored == expected


def stored_nearby(store: Store, ids: list[uuid.UUID]) -> dict[uuid.UUID, bool]:
    with store.read() as session:
        rows = session.execute(
            select(CustomerContact.event_id, CustomerContact.other_channel_nearby).where(
                CustomerContact.event_id.in_(ids)
            )
        )
        return {event_id: bool(nearby) for event_id, nearby in rows}


def stored_marks(store: Store, ids: list[uuid.UUID]) -> dict[uuid.UUID, bool]:
    with store.read() as session:
        rows = session.execute(
            select(CustomerContact.event_id, CustomerContact.is_repeat).where(
                CustomerContact.event_id.in_(ids)
            )
        )
        return {event_id: bool(repeat) for event_id, repeat in rows}


def seed_people(store: Store, cases: int) -> tuple[Any, Any, list[Any]]:
    advisor = f.user(f"adv{uuid.uuid4().hex[:8]}")
    customer = f.customer(account=str(40_000_000 + uuid.uuid4().int % 9_000_000))
    opened = [f.case(customer, f"CS-{uuid.uuid4().hex[:7]}") for _ in range(cases)]
    with store.write() as session:
        session.add_all([advisor, customer])
        session.flush()
        session.add_all(opened)
    return advisor, customer, opened


def contact(customer: Any, advisor: Any, case: Any, when: datetime, **extra: Any) -> ContactEvent:
    event = f.event(customer, when, extra.pop("channel", Channel.PHONE), advisor=advisor.id, case_id=case.id)
    for name, value in extra.items():
        setattr(event, name, value)
    return event


drawn = st.builds(
    Drawn,
    case=st.one_of(st.none(), st.integers(0, 2), st.integers(0, 2)),
    advisor=st.sampled_from([True, True, True, False]),
    # Near and on the window's edges, and ties, more often than chance would give them.
    hours=st.one_of(
        st.sampled_from([0, 1, 22, 23, 24, 167, 168, 169, 192, 193, 335, 336, 337]), st.integers(0, 700)
    ),
    microsecond=st.sampled_from([0, 0, 1, 999_999]),
    channel=st.sampled_from([Channel.PHONE, Channel.PHONE, Channel.EMAIL, Channel.CHAT, Channel.SYSTEM]),
    direction=st.sampled_from([Direction.INBOUND, Direction.INBOUND, Direction.INBOUND, Direction.OUTBOUND]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(contacts=st.lists(drawn, min_size=1, max_size=25), batches=st.lists(st.integers(1, 6), max_size=8))
def test_every_mark_equals_the_definition_whatever_the_arrival_order(
    any_store: Store, contacts: list[Drawn], batches: list[int]
) -> None:
    """Contacts arrive in any order, in batches of any size (as syncs bring them): the marks equal
    their definitions over the whole log, and the tallies the contacts counted."""
    advisor, customer, cases = seed_people(any_store, 3)
    base = CLOCKS_GO_FORWARD - timedelta(hours=200)
    events = []
    for d in contacts:
        when = base + timedelta(hours=d.hours, microseconds=d.microsecond)
        event = f.event(customer, when, d.channel, advisor=advisor.id if d.advisor else None, case_id=None)
        event.case_id = cases[d.case].id if d.case is not None else None
        event.direction = d.direction
        events.append(event)
    start = 0
    for size in [*batches, len(events)]:
        if start >= len(events):
            break
        with any_store.write() as session:
            session.add_all(events[start : start + size])
        start += size
    expected = expected_marks(events)
    assert stored_marks(any_store, [e.id for e in events]) == expected
    assert stored_nearby(any_store, [e.id for e in events]) == expected_nearby(events)
    tallies_match_the_contacts(any_store)


def test_the_backfill_gives_the_marks_the_trigger_gives(any_store: Store) -> None:
    """Contacts logged before the table existed get their marks from migration 0011's backfill."""
    advisor, customer, (k1, k2) = seed_people(any_store, 2)
    start = datetime(2026, 11, 2, 9, 0, 0, 250_000, tzinfo=UTC)
    events = [
        contact(customer, advisor, k1, start),
        contact(customer, advisor, k1, start + WINDOW),  # exactly 168 hours: a repeat
        contact(customer, advisor, k1, start + 2 * WINDOW + timedelta(microseconds=1)),  # just over
        contact(customer, advisor, k2, start, channel=Channel.EMAIL),
        contact(customer, advisor, k2, start, channel=Channel.CHAT),  # a tie: one of the two repeats
        contact(customer, advisor, k2, start + timedelta(hours=1), channel=Channel.SYSTEM),  # not counted
    ]
    migrate.downgrade(any_store.engine, "0010_outbox_pending")
    with any_store.write() as session:
        # Only the columns contact_events had at 0010 (later migrations add more).
        then = {column["name"] for column in inspect(session.connection()).get_columns("contact_events")}
        table = ContactEvent.__table__
        session.execute(
            table.insert(),
            [{c.key: getattr(e, c.key) for c in table.columns if c.key in then} for e in events],
        )
    migrate.upgrade(any_store.engine)
    marks = stored_marks(any_store, [e.id for e in events])
    assert marks == expected_marks(events)
    assert stored_nearby(any_store, [e.id for e in events]) == expected_nearby(events)
    tallies_match_the_contacts(any_store)
    assert [marks.get(e.id) for e in events[:3]] == [False, True, False]
    assert sorted(marks[e.id] for e in events[3:5]) == [False, True]
    assert events[5].id not in marks


def test_the_window_is_168_hours_across_the_clock_change(any_store: Store) -> None:
    """Seven calendar days in London across the spring change are 167 hours (a repeat); 168 hours
    and a microsecond is not, whatever time zone the writing session is in."""
    advisor, customer, (k1, k2) = seed_people(any_store, 2)
    before = CLOCKS_GO_FORWARD - timedelta(hours=12)
    events = [
        contact(customer, advisor, k1, before),
        contact(customer, advisor, k1, before + timedelta(hours=167)),
        contact(customer, advisor, k2, before),
        contact(customer, advisor, k2, before + WINDOW + timedelta(microseconds=1)),
    ]
    with any_store.write() as session:
        if any_store.engine.dialect.name == "postgresql":
            session.execute(text("SET LOCAL TIME ZONE 'Europe/London'"))
        session.add_all(events)
    assert [stored_marks(any_store, [e.id])[e.id] for e in events] == [False, True, False, False]


def test_a_contact_arriving_late_marks_the_later_ones(any_store: Store) -> None:
    """A sync brings a contact from before ones already logged: those within 168 hours after it
    become repeats (exactly 168 hours too); one already a repeat stays one; one further away is
    untouched."""
    advisor, customer, (k1, k2) = seed_people(any_store, 2)
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    later = [
        contact(customer, advisor, k1, start + timedelta(days=3)),
        contact(customer, advisor, k1, start + timedelta(days=4)),
        contact(customer, advisor, k1, start + timedelta(days=30)),
    ]
    with any_store.write() as session:
        session.add_all(later)
    assert [stored_marks(any_store, [e.id])[e.id] for e in later] == [False, True, False]
    early = contact(customer, advisor, k1, start)
    with any_store.write() as session:
        session.add(early)
    assert [stored_marks(any_store, [e.id])[e.id] for e in [early, *later]] == [False, True, True, False]
    edge = contact(customer, advisor, k2, start + WINDOW)
    with any_store.write() as session:
        session.add(edge)
    first = contact(customer, advisor, k2, start)
    with any_store.write() as session:
        session.add(first)
    assert stored_marks(any_store, [first.id, edge.id]) == {first.id: False, edge.id: True}
    tallies_match_the_contacts(any_store)


def test_every_uk_midnight_starts_a_bucket() -> None:
    """00:00 UK is 00:00 UTC in winter and 23:00 UTC in summer: both start a bucket, every day."""
    day = datetime(2026, 1, 1).date()
    while day.year == 2026:
        assert starts_a_bucket(midnight(day)), day
        day += timedelta(days=1)
    assert not starts_a_bucket(datetime(2026, 6, 1, 1, 0, tzinfo=UTC))


def test_two_contacts_of_one_case_committed_at_once_see_each_other(pg_store: Store) -> None:
    """PostgreSQL: a contact written while another transaction holds an earlier one of the same case
    waits for it (the trigger takes turns per case), so the later one is still marked a repeat."""
    advisor, customer, (k1,) = seed_people(pg_store, 1)
    start = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    earlier = contact(customer, advisor, k1, start)
    later = contact(customer, advisor, k1, start + timedelta(hours=2))
    done = threading.Event()

    def write_later() -> None:
        with pg_store.write() as session:
            session.add(later)
        done.set()

    with pg_store.write() as session:
        session.add(earlier)
        session.flush()  # the trigger has run and holds the case's turn until this commits
        writer = threading.Thread(target=write_later)
        writer.start()
        # Until the second writer is seen waiting for the first (or, without the turn, has finished).
        with pg_store.engine.connect() as watcher:
            for _ in range(1000):
                waiting = watcher.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
                    )
                ).scalar_one()
                if waiting or done.is_set():
                    break
                time.sleep(0.01)
    writer.join(timeout=30)
    assert done.is_set()
    assert stored_marks(pg_store, [earlier.id, later.id]) == {earlier.id: False, later.id: True}
