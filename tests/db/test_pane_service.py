"""Opening a customer in one read: the pane equals what the separate service reads give, it is read in
exactly one transaction, and a change committed meanwhile by another connection is never half-seen."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, text

from console.clock import ManualClock
from console.seed import seed_store
from console.seed.stories import STORY_ACCOUNTS
from console.services.cases import CaseService
from console.services.customers import CustomerNotFoundError, CustomerService
from console.services.goodwill import GoodwillService
from console.services.handoffs import HandoffService
from console.services.offers import OfferService
from console.services.pane import GoodwillView, Pane, PaneService
from console.services.promises import PromiseService
from domain.records import UserRecord
from domain.vocabulary import CaseKind
from storage.location import StoreLocation, parse_location
from storage.models import Customer
from storage.plain import Reader
from storage.prepared import plain
from storage.queries import users
from storage.store import Store, open_store
from tests.helpers import factories

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
SINCE = NOW - timedelta(days=60)


def separate_reads(
    store: Store, clock: ManualClock, user: UserRecord | None, customer_id: uuid.UUID, *, with_queue: bool
) -> Pane:
    """The pane as the window reads it today: each part through its own service, in its own session."""
    customers = CustomerService(store)
    profile = customers.profile(customer_id)
    cases = customers.cases(customer_id)
    history = customers.history(customer_id)
    if user is None:
        return Pane(profile, cases, history)
    promises = PromiseService(store, clock, user).for_customer(customer_id)
    goodwill = GoodwillService(store, clock, user)
    return Pane(
        profile,
        cases,
        history,
        promises,
        HandoffService(store, clock, user).for_customer(customer_id),
        CaseService(store, clock, user).needing_update_among(cases, promises),
        OfferService(store, clock, user).for_customer(customer_id),
        GoodwillView(
            customer_id,
            goodwill.for_customer(customer_id),
            goodwill.my_limit(),
            goodwill.month_total(),
            goodwill.pending() if with_queue else None,
            goodwill.decisions_since(SINCE),
        ),
    )


def user_named(store: Store, username: str) -> UserRecord:
    with store.read() as session:
        found = users.by_username(session, username)
    assert found is not None
    return found


def customer_ids(store: Store, limit: int = 12) -> list[uuid.UUID]:
    """The four story customers and some generated ones."""
    with store.read() as session:
        stories = list(
            session.scalars(select(Customer.id).where(Customer.account_number.in_(STORY_ACCOUNTS)))
        )
        others = list(
            session.scalars(
                select(Customer.id)
                .where(Customer.account_number.not_in(STORY_ACCOUNTS))
                .order_by(Customer.account_number)
                .limit(limit)
            )
        )
    assert len(stories) == len(STORY_ACCOUNTS)
    return stories + others


def seeded_at(location: StoreLocation, customers: int) -> Store:
    store = open_store(location)
    seed_store(store, customers=customers, seed=3, now=NOW)
    return store


@pytest.fixture(scope="module")
def seeded_location(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreLocation]:
    location = parse_location(str(Path(tmp_path_factory.mktemp("pane")) / "store.db"))
    store = seeded_at(location, 40)
    with store.write() as session:  # a case past its target with no update since: it needs one
        customer = session.get(Customer, customer_ids(store)[-1])
        assert customer is not None
        late = NOW - timedelta(days=3)
        session.add(factories.case(customer, "CS-9000001", opened_at=late, updated_at=late, target_at=NOW))
    store.close()
    yield location


@pytest.fixture
def store(seeded_location: StoreLocation) -> Iterator[Store]:
    opened = open_store(seeded_location)
    yield opened
    opened.close()


@pytest.mark.parametrize("username", ["advisor", "supervisor", None])
def test_the_pane_equals_the_separate_reads(store: Store, username: str | None) -> None:
    clock = ManualClock(NOW + timedelta(days=30))  # later: some open cases are past their target
    user = user_named(store, username) if username else None
    with_queue = username == "supervisor"
    panes = PaneService(store, clock, user)
    seen_offers = seen_goodwill = seen_needing_update = False
    for customer_id in customer_ids(store, limit=40):  # every customer of the store
        pane = panes.open(customer_id, with_queue=with_queue, decisions_since=SINCE)
        assert pane == separate_reads(store, clock, user, customer_id, with_queue=with_queue)
        seen_offers |= pane.offers is not None and bool(pane.offers.offers)
        seen_goodwill |= pane.goodwill is not None and bool(pane.goodwill.records)
        seen_needing_update |= bool(pane.needing_update)
    if user is None:
        return
    # The comparison covered parts with something in them, not only empty lists.
    assert seen_offers and seen_goodwill and seen_needing_update


def test_an_unknown_customer_is_refused_in_words(store: Store) -> None:
    with pytest.raises(CustomerNotFoundError, match="no customer with id"):
        PaneService(store, ManualClock(NOW)).open(uuid.uuid4())


def count_transactions(store: Store, action: Callable[[], object]) -> tuple[int, list[bool]]:
    """How many transactions `action` begins on the store's engine and, for each statement it sends,
    whether the database connection was inside a transaction when it ran (SQLite only; else True)."""
    begun: list[object] = []
    inside: list[bool] = []

    def on_begin(connection: Any) -> None:
        begun.append(connection)

    def on_execute(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement == "BEGIN":
            return
        driver = connection.connection.driver_connection
        inside.append(getattr(driver, "in_transaction", True))

    event.listen(store.engine, "begin", on_begin)
    event.listen(store.engine, "before_cursor_execute", on_execute)
    try:
        action()
    finally:
        event.remove(store.engine, "begin", on_begin)
        event.remove(store.engine, "before_cursor_execute", on_execute)
    return len(begun), inside


def test_the_pane_is_read_in_exactly_one_transaction(store: Store) -> None:
    clock = ManualClock(NOW)
    supervisor = user_named(store, "supervisor")
    customer_id = customer_ids(store)[0]
    panes = PaneService(store, clock, supervisor)

    begun, inside = count_transactions(
        store, lambda: panes.open(customer_id, with_queue=True, decisions_since=SINCE)
    )
    assert begun == 1
    assert len(inside) >= 10 and all(inside)  # every part's statements ran in that one transaction

    begun, _ = count_transactions(
        store, lambda: separate_reads(store, clock, supervisor, customer_id, with_queue=True)
    )
    assert begun >= 10  # what the separate reads cost


def quiet_customers(store: Store, user: UserRecord) -> list[uuid.UUID]:
    """Customers who may be offered things now (no open case): opening a case suppresses offers."""
    offers = OfferService(store, ManualClock(NOW), user)
    quiet = [c for c in customer_ids(store, limit=40) if offers.decision(c).allowed]
    assert quiet, "no customer may be offered anything in the seeded store"
    return quiet


def is_select(statement: str) -> bool:
    return statement.lstrip().upper().startswith(("SELECT", "WITH"))


def reads_of_opening(store: Store, user: UserRecord, customer_id: uuid.UUID) -> int:
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        PaneService(store, ManualClock(NOW), user).open(customer_id)
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    return sum(1 for statement in sent if is_select(statement))


def open_with_a_case_opened_meanwhile(
    store: Store, location: StoreLocation, user: UserRecord, customer_id: uuid.UUID, after_reads: int
) -> Pane:
    """Open the pane; after its first `after_reads` queries, another connection (another store on
    the same database) opens a case for the customer and commits."""
    clock = ManualClock(NOW)
    other = open_store(location)
    reads = 0

    def between_parts(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        nonlocal reads
        if not is_select(statement):
            return
        reads += 1
        if reads == after_reads + 1:
            CaseService(other, clock, user).open(
                customer_id, CaseKind.BROADBAND_FAULT, "Line dead since noon"
            )

    event.listen(store.engine, "before_cursor_execute", between_parts)
    try:
        return PaneService(store, clock, user).open(customer_id)
    finally:
        event.remove(store.engine, "before_cursor_execute", between_parts)
        other.close()


def openings_around_a_change(store: Store, location: StoreLocation) -> list[tuple[Pane, Pane, Pane]]:
    """For each gap between two of the pane's queries: the pane just before, the pane read while a
    case was opened in that gap, and the pane just after. Opening a case changes the cases, the
    history (its contact event) and the offers (suppressed from then on)."""
    advisor = user_named(store, "advisor")
    quiet = quiet_customers(store, advisor)
    panes = PaneService(store, ManualClock(NOW), advisor)
    reads = reads_of_opening(store, advisor, quiet[0])
    assert reads >= 10
    found = []
    for after in range(1, reads):
        customer_id = quiet[after % len(quiet)]
        before = panes.open(customer_id)
        during = open_with_a_case_opened_meanwhile(store, location, advisor, customer_id, after)
        found.append((before, during, panes.open(customer_id)))
    return found


def pane_stays_whole(store: Store, location: StoreLocation) -> None:
    """Wherever the change lands after the first query, the pane shows none of it."""
    for after, (before, during, later) in enumerate(openings_around_a_change(store, location), start=1):
        assert later != before and len(later.cases) == len(before.cases) + 1, after  # the write landed
        assert during == before, after


def test_a_change_committed_meanwhile_is_not_half_seen(store: Store, seeded_location: StoreLocation) -> None:
    pane_stays_whole(store, seeded_location)


@contextmanager
def plain_read(store: Store) -> Iterator[Reader]:
    with store.read() as session:
        yield plain(session)


def test_separate_sessions_would_half_see_it(
    store: Store, seeded_location: StoreLocation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check above has teeth: with a plain session (on SQLite a transaction per statement) the
    same write leaves some pane neither before nor after, e.g. offers suppressed beside no open case."""
    monkeypatch.setattr(store, "plain_snapshot", lambda: plain_read(store))
    torn = [
        during
        for before, during, later in openings_around_a_change(store, seeded_location)
        if during not in (before, later)
    ]
    assert torn


@pytest.mark.postgres
def test_on_postgres_one_repeatable_read_transaction(pg_location: StoreLocation) -> None:
    store = seeded_at(pg_location, 20)
    try:
        clock = ManualClock(NOW)
        supervisor = user_named(store, "supervisor")
        panes = PaneService(store, clock, supervisor)
        for customer_id in customer_ids(store, limit=4):
            pane = panes.open(customer_id, with_queue=True, decisions_since=SINCE)
            assert pane == separate_reads(store, clock, supervisor, customer_id, with_queue=True)
        first = customer_ids(store)[0]
        begun, _ = count_transactions(store, lambda: panes.open(first, with_queue=True))
        assert begun == 1
        pane_stays_whole(store, pg_location)
        with store.snapshot() as session:
            assert session.execute(text("SHOW transaction_isolation")).scalar() == "repeatable read"
            assert session.execute(text("SHOW transaction_read_only")).scalar() == "on"
        with store.write() as session:  # the pooled connection is writable again after a snapshot
            assert session.execute(text("SHOW transaction_read_only")).scalar() == "off"
            assert session.execute(text("SHOW transaction_isolation")).scalar() == "read committed"
    finally:
        store.close()


def test_goodwill_alone_is_the_panes_goodwill_in_one_transaction(store: Store) -> None:
    clock = ManualClock(NOW)
    supervisor = user_named(store, "supervisor")
    customer_id = customer_ids(store)[0]
    panes = PaneService(store, clock, supervisor)
    pane = panes.open(customer_id, with_queue=True, decisions_since=SINCE)
    begun, _ = count_transactions(
        store, lambda: panes.goodwill(customer_id, with_queue=True, decisions_since=SINCE)
    )
    assert begun == 1
    assert panes.goodwill(customer_id, with_queue=True, decisions_since=SINCE) == pane.goodwill
    assert PaneService(store, clock).goodwill(customer_id) is None
