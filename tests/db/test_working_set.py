"""A workstation holding its working set against a real central PostgreSQL: a new workstation opens a
customer it does not hold (found by phone and by account) and keeps them current by pull; a change of
a customer neither held nor in the working set is not pulled; a working-set change fetches its
customer whole; an older change never overwrites records read later; customers nobody opened for 30
days are evicted (unless the working set or the outbox needs them) and released on the server."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from console.clock import ManualClock
from console.ids import new_id
from console.services.customer_finder import CustomerFinder
from console.services.customers import CustomerService
from console.sync.on_demand import ServerReads, connector
from console.sync.pull import apply_held_page
from console.sync.remote import conninfo
from domain.records import UserRecord
from domain.vocabulary import Role, Team
from storage.location import parse_location
from storage.models import Case, ContactEvent, Customer, CustomerPhone
from storage.queries import first_sync as places
from storage.queries import holdings
from storage.queries import sync as sync_queries
from storage.store import Store, open_store
from tests.helpers import factories, sqlite_template
from tests.helpers.central import NOW, Central, goodwill_payload
from tests.helpers.workstations import Workstation, add_everywhere, workstation

pytestmark = pytest.mark.postgres


def columns(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


def seeded(central: Central, account: str, phone: str) -> uuid.UUID:
    made = factories.customer(given="Priya", family=f"Shah{uuid.uuid4().hex[:6]}", account=account)
    with central.admin.begin() as connection:
        connection.execute(Customer.__table__.insert().values(**columns(made)))
        connection.execute(CustomerPhone.__table__.insert().values(**columns(factories.phone(made, phone))))
    return made.id


def contact(customer_id: uuid.UUID, summary: str) -> dict[str, Any]:
    return {
        "id": str(new_id()),
        "customer_id": str(customer_id),
        "channel": "phone",
        "direction": "inbound",
        "summary": summary,
    }


def fresh(central: Central, folder: Path, user: UserRecord) -> Workstation:
    store = open_store(parse_location(str(folder / f"{user.username}-new.db")))
    return Workstation(store, user, ManualClock(NOW), central)


def finder(central: Central, station: Workstation, reads: ServerReads, online: bool = True) -> CustomerFinder:
    return CustomerFinder(CustomerService(station.store), reads, lambda: online, clock=station.clock)


def server_reads(central: Central, station: Workstation) -> ServerReads:
    return ServerReads(connector(conninfo(central.login(station.user).url)), clock=station.clock)


def customers_here(station: Workstation) -> set[uuid.UUID]:
    with station.store.read() as session:
        return set(session.execute(select(Customer.id)).scalars())


def held_on_server(central: Central, user: UserRecord) -> set[uuid.UUID]:
    with central.admin.connect() as connection:
        return set(
            connection.execute(
                text("SELECT customer_id FROM api.holdings WHERE username = :u"), {"u": user.username}
            ).scalars()
        )


def sync(station: Workstation) -> Any:
    summary = asyncio.run(station.engine().sync_once())
    assert summary.offline is None, summary.offline
    return summary


def test_a_new_workstation_opens_a_customer_it_does_not_hold_and_pulls_only_what_it_holds(
    central: Central, tmp_path: Path
) -> None:
    alex = central.add_user(Role.ADVISOR, 5_000, hint="adv")
    billing = central.add_user(Role.ADVISOR, 5_000, hint="bill", team=Team.BILLING)
    mine = central.customer()
    central.case(mine, owner_id=alex.id)  # the working set
    priya = seeded(central, "73000001", "07700 900777")
    case = central.case(priya, owner_id=billing.id)  # another team's work: not held
    other = central.customer()
    third = central.customer()
    third_case = central.case(third, owner_id=billing.id)
    station = fresh(central, tmp_path, alex)
    reads = server_reads(central, station)
    try:
        first = sync(station)
        assert first.first_sync is not None and first.first_sync.finished
        assert customers_here(station) == {mine}

        # Online, search asks the server: by phone, as spoken, and by account.
        find = finder(central, station, reads)
        by_phone = find.search("07700 900777")
        assert [m.id for m in by_phone.matches] == [priya] and not by_phone.local_copy
        assert [m.id for m in find.search("73000001").matches] == [priya]
        assert find.ensure_held(priya)  # fetched, held, kept: the pane reads it from the store
        assert [c.reference for c in CustomerService(station.store).cases(priya)] == [case["reference"]]
        assert held_on_server(central, alex) == {mine, priya}
        assert asyncio.run(station.engine().held_customers()) == sorted([mine, priya])

        # Later changes: one to the customer opened reaches the store by pull; one to a customer
        # neither held nor in the working set is not even sent.
        central.apply(central.login(billing), "contact.add", contact(priya, "Called back about the fault"))
        central.apply(central.login(billing), "contact.add", contact(other, "Asked about a bill"))
        later = sync(station)
        assert later.pulled == 1
        with station.store.read() as session:
            summaries = set(session.execute(select(ContactEvent.summary)).scalars())
        assert "Called back about the fault" in summaries and "Asked about a bill" not in summaries
        assert other not in customers_here(station)

        # A change of the working set for a customer not held (alex's own request awaiting a
        # supervisor, made on another workstation): the customer is fetched whole and held.
        central.apply(central.login(alex), "goodwill.request", goodwill_payload(third, 9_000))
        sync(station)
        assert third in customers_here(station)
        with station.store.read() as session:
            assert session.get(Case, third_case["id"]) is not None
            assert holdings.is_held(session, third)
        assert held_on_server(central, alex) == {mine, priya, third}
    finally:
        reads.close()
        station.store.close()


def test_a_change_older_than_the_records_held_never_overwrites_them(tmp_path: Path) -> None:
    store: Store = sqlite_template.new_store(tmp_path / "older.db")
    made = factories.customer(family="Newer", account="74000001")
    with store.write() as session:
        session.add(made)
    with store.write() as session:
        holdings.hold(session, [made.id], 10, NOW)
    stale = columns(made) | {"family_name": "Older"}
    fresh_row = columns(made) | {"family_name": "Newest"}

    def page(seq: int, data: dict[str, Any]) -> dict[str, Any]:
        as_json = {k: str(v) if isinstance(v, uuid.UUID) else v for k, v in data.items()}
        as_json = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in as_json.items()}
        change = {"seq": seq, "entity": "customer", "customer_id": str(made.id), "data": as_json}
        return {"changes": [change], "next_after": seq}

    try:
        with store.write() as session:
            _, older, missing = apply_held_page(session, page=page(9, stale), now=NOW)
        assert (older, missing) == (1, [])
        with store.read() as session:
            assert session.get(Customer, made.id).family_name == "Newer"  # type: ignore[union-attr]
        with store.write() as session:
            applied, older, _ = apply_held_page(session, page=page(11, fresh_row), now=NOW)
        assert (applied.applied, older) == (1, 0)
        with store.read() as session:
            assert session.get(Customer, made.id).family_name == "Newest"  # type: ignore[union-attr]
            assert sync_queries.cursor(session) == 11
    finally:
        store.close()


def test_customers_nobody_opened_for_30_days_are_evicted_and_released(
    central: Central, tmp_path: Path
) -> None:
    alex = central.add_user(Role.ADVISOR, 5_000, hint="adv")
    billing = central.add_user(Role.ADVISOR, 5_000, hint="bill", team=Team.BILLING)
    mine = central.customer()
    central.case(mine, owner_id=alex.id)  # the working set: kept however long nobody opens it
    priya = seeded(central, "75000001", "07700 900888")
    central.case(priya, owner_id=billing.id)
    owner = factories.customer(account="75000002")
    owner.id = priya
    with central.admin.begin() as connection:
        connection.execute(ContactEvent.__table__.insert().values(**columns(factories.event(owner))))
    busy = central.customer()
    station = fresh(central, tmp_path, alex)
    reads = server_reads(central, station)
    try:
        sync(station)
        find = finder(central, station, reads)
        assert find.ensure_held(priya) and find.ensure_held(busy)
        station.clock.advance(timedelta(days=29))
        sync(station)  # a new start 29 days on: nothing is old enough yet
        assert customers_here(station) == {mine, priya, busy}

        station.clock.advance(timedelta(days=2))
        with station.store.write() as session:  # something of `busy`'s waits in the outbox
            sync_queries.append(
                session,
                mutation_id=new_id(),
                kind="contact.add",
                payload=contact(busy, "Left a message"),
                actor=alex.username,
                entity_id=None,
                occurred_at=station.clock.now(),
            )
            assert holdings.evict(session, [busy], station.clock.now()) == 0
        assert station.count(ContactEvent, ContactEvent.customer_id == priya) == 1
        summary = asyncio.run(station.engine(online=False).sync_once())  # offline: nothing evicted
        assert summary.offline is not None and customers_here(station) == {mine, priya, busy}
        sync(station)  # the next start, online: the note is pushed first, then nothing of busy's waits
        # The working set stays: the team's case, and the customer alex just left a note for.
        assert customers_here(station) == {mine, busy}
        assert station.count(ContactEvent, ContactEvent.customer_id == priya) == 0
        assert station.count(Case, Case.customer_id == priya) == 0
        assert held_on_server(central, alex) == {mine, busy}
        with station.store.read() as session:
            assert holdings.held_keys(session) == sorted([mine, busy]) and holdings.evicted(session) == []

        # Released: a change to her is no longer pulled; opened again, she is fetched whole again.
        central.apply(central.login(billing), "contact.add", contact(priya, "Wrote in"))
        assert sync(station).pulled == 0
        assert find.ensure_held(priya)
        assert station.count(ContactEvent, ContactEvent.customer_id == priya) == 2
        with station.store.read() as session:
            assert session.execute(select(func.count()).select_from(Case)).scalar_one() == 2
    finally:
        reads.close()
        station.store.close()


def test_a_store_from_before_holdings_tells_the_server_what_it_holds(
    central: Central, tmp_path: Path
) -> None:
    """A store whose first sync took every customer: migration 0018 holds each of them locally; the
    engine names them to the server at its start, and their changes reach it again."""
    alex = central.add_user(Role.ADVISOR, 5_000, hint="adv")
    billing = central.add_user(Role.ADVISOR, 5_000, hint="bill", team=Team.BILLING)
    station = workstation(central, tmp_path, alex, [alex, billing])
    made = factories.customer(account="76000001")
    add_everywhere(central, [station.store], made)
    with station.store.write() as session:  # what the migration leaves on such a store
        places.begin(session, head=0, total=0, now=NOW)
        places.finish(session, NOW)
        holdings.hold(session, [made.id], 0, NOW)
    try:
        sync(station)
        assert held_on_server(central, alex) == {made.id}
        central.apply(central.login(billing), "contact.add", contact(made.id, "Rang about the router"))
        assert sync(station).pulled == 1
        assert station.count(ContactEvent, ContactEvent.customer_id == made.id) == 1
    finally:
        station.store.close()
