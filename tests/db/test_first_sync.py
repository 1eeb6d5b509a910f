"""First sync of a new workstation against a real central PostgreSQL: an empty store gets its own user,
its colleagues, the offers and its working set (the team's open work, the requests awaiting it, the
customers it touched), in pages; cancelled after k pages and started again it continues from its
place, ending with every row once; user add, set-limit and disable reach clients."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from sqlalchemy import func, select, text

from console.clock import ManualClock
from console.services.people import PeopleService
from console.sync.engine import SyncEngine, SyncState
from console.sync.first_sync import CUSTOMERS, first_sync
from console.sync.push import RetryPolicy, ServerUnreachableError
from console.sync.remote import ServerLink
from domain.vocabulary import HandoffKind, HandoffStatus, PromiseKind, PromiseStatus, Role, Team
from storage.location import parse_location
from storage.models import ContactEvent, Customer, Goodwill, Handoff, Offer, Promise, User
from storage.queries import first_sync as places
from storage.queries import holdings
from storage.queries import sync as queries
from storage.server.users import add_user, disable_user, set_limit
from storage.store import open_store
from tests.helpers import factories
from tests.helpers.central import NOW, Central, goodwill_payload
from tests.helpers.workstations import Workstation, workstation

pytestmark = pytest.mark.postgres

CUSTOMERS_ = 23  # the office's customers


class Office(NamedTuple):
    alex: Workstation  # an advisor on a brand-new workstation (empty store)
    sam: Workstation  # a supervisor, also new
    customers: list[uuid.UUID]


def fresh(central: Central, folder: Path, user: Any) -> Workstation:
    """A new workstation: an empty store, nothing pulled yet."""
    store = open_store(parse_location(str(folder / f"{user.username}-new.db")))
    return Workstation(store, user, ManualClock(NOW), central)


@pytest.fixture
def office(central: Central, tmp_path: Path) -> Iterator[Office]:
    advisor = central.add_user(Role.ADVISOR, 5_000, hint="adv", display_name="Alex Advisor")
    supervisor = central.add_user(Role.SUPERVISOR, 50_000, hint="sup", display_name="Sam Supervisor")
    customers = [central.customer() for _ in range(CUSTOMERS_)]
    alex, sam = fresh(central, tmp_path, advisor), fresh(central, tmp_path, supervisor)
    try:
        yield Office(alex, sam, customers)
    finally:
        alex.store.close()
        sam.store.close()


def server_count(central: Central, sql: str, **params: Any) -> int:
    with central.admin.connect() as connection:
        return int(connection.execute(text(sql), params).scalar_one())


def server_ids(central: Central, table: str) -> set[uuid.UUID]:
    with central.admin.connect() as connection:
        return set(connection.execute(text(f"SELECT id FROM {table}")).scalars())


def local_ids(station: Workstation, model: Any) -> set[uuid.UUID]:
    with station.store.read() as session:
        return set(session.execute(select(model.id)).scalars())


def promise_chain(central: Central, customer_id: uuid.UUID, owner: uuid.UUID, length: int) -> list[uuid.UUID]:
    """Promises each naming the next as its follow-up (made later, so a larger id on a later page)."""
    ids = sorted(uuid.uuid4() for _ in range(length))  # PostgreSQL orders uuids as Python does
    with central.admin.begin() as connection:
        for index, made in reversed(list(enumerate(ids))):  # the follow-up must exist first
            connection.execute(
                Promise.__table__.insert().values(
                    id=made,
                    customer_id=customer_id,
                    case_id=None,
                    kind=PromiseKind.CALLBACK,
                    owner_id=owner,
                    created_at=NOW,
                    due_at=NOW + timedelta(days=index + 1),
                    status=PromiseStatus.OPEN if index == length - 1 else PromiseStatus.RESCHEDULED,
                    follow_up_id=ids[index + 1] if index + 1 < length else None,
                    version=1,
                )
            )
    return ids


def handoff(
    central: Central, customer_id: uuid.UUID, created_by: uuid.UUID, from_team: Team, to_team: Team
) -> uuid.UUID:
    """An open handoff between two teams on the server."""
    made = uuid.uuid4()
    with central.admin.begin() as connection:
        connection.execute(
            Handoff.__table__.insert().values(
                id=made,
                customer_id=customer_id,
                case_id=None,
                kind=HandoffKind.TASK,
                summary="Check the line",
                from_team=from_team,
                to_team=to_team,
                created_by=created_by,
                created_at=NOW,
                acknowledge_by=NOW + timedelta(days=1),
                status=HandoffStatus.AWAITING_ACK,
                version=1,
            )
        )
    return made


def test_a_new_workstation_takes_reference_data_and_its_working_set_in_pages(
    office: Office, central: Central
) -> None:
    alex, sam, customers = office
    teammate = central.add_user(Role.ADVISOR, 5_000, hint="mate")  # the front line, as alex and sam
    billing = central.add_user(Role.ADVISOR, 5_000, hint="bill", team=Team.BILLING)
    # Alex's request over their limit awaits a supervisor; Sam's own is approved at once.
    central.apply(central.login(alex.user), "goodwill.request", goodwill_payload(customers[0], 6_000))
    central.apply(central.login(sam.user), "goodwill.request", goodwill_payload(customers[1], 2_000))
    chain = promise_chain(central, customers[2], alex.user.id, 5)  # the last one open: the team's promise
    central.case(customers[4], owner_id=teammate.id)  # the team's open case
    central.case(customers[5], owner_id=billing.id)  # another team's: not in the working set
    handoff(central, customers[7], billing.id, Team.BILLING, Team.FRONT_LINE)  # to the team
    handoff(central, customers[8], billing.id, Team.BILLING, Team.SALES)  # between two others
    deleted = central.customer(deleted=True)
    central.case(deleted, owner_id=teammate.id)  # soft-deleted: never taken
    with central.admin.begin() as connection:
        owner = factories.customer(account="10000001")
        owner.id = customers[3]
        connection.execute(ContactEvent.__table__.insert().values(**columns(factories.event(owner))))
    offer = central.offer()
    with alex.store.read() as session:
        assert places.needed(session)

    states: list[SyncState] = []
    engine = alex.engine(first_sync_page_size=2, first_sync_customers=2)
    engine.add_listener(states.append)
    summary = asyncio.run(engine.sync_once())

    assert summary.offline is None
    assert summary.first_sync is not None and summary.first_sync.finished
    # Its own row (it can now act as itself) and its colleagues' names, roles and limits: every user.
    me = PeopleService(alex.store).current_user(alex.user.username)
    assert (me.id, me.role, me.goodwill_limit_pence) == (alex.user.id, Role.ADVISOR, 5_000)
    colleague = PeopleService(alex.store).current_user(sam.user.username)
    assert (colleague.display_name, colleague.role, colleague.goodwill_limit_pence) == (
        "Sam Supervisor",
        Role.SUPERVISOR,
        50_000,
    )
    assert local_ids(alex, User) == server_ids(central, "users")
    assert local_ids(alex, Offer) == {offer}
    # The working set only: the request awaiting a decision, the team's open promise, case and
    # handoff; not a customer of another team's work, nor the soft-deleted one, nor the rest.
    working_set = {customers[0], customers[2], customers[4], customers[7]}
    assert local_ids(alex, Customer) == working_set
    assert summary.first_sync.customers == len(working_set)
    with alex.store.read() as session:
        assert set(holdings.held_keys(session)) == working_set
    # Row-level security decides, as for a direct read: an advisor gets only their own request.
    with alex.store.read() as session:
        requesters = set(session.execute(select(Goodwill.requested_by)).scalars())
    assert requesters == {alex.user.id}
    assert local_ids(alex, Promise) == set(chain)
    with central.admin.connect() as connection:
        theirs = set(
            connection.execute(
                select(ContactEvent.id).where(ContactEvent.customer_id.in_(working_set))
            ).scalars()
        )
    assert local_ids(alex, ContactEvent) == theirs
    # Progress: done of a total announced before the first page (reference rows and customers).
    shown = [state for state in states if state.first_sync]
    assert shown[0].done == 0
    assert shown[0].total == len(server_ids(central, "users")) + 1 + len(working_set)
    assert [state.done for state in shown] == sorted(state.done for state in shown)
    assert shown[-1].done == summary.first_sync.done == shown[0].total
    assert shown[-1].words().startswith("First sync: ")
    # From now on the change log, from the head the first sync began at: nothing twice.
    with alex.store.read() as session:
        assert queries.cursor(session) == server_count(central, "SELECT max(seq) FROM change_log")
        assert not places.needed(session)
    again = asyncio.run(alex.engine().sync_once())
    assert again.first_sync is None and again.pulled == 0

    # The supervisor's new workstation: every request awaiting approval, and the customer they touched.
    asyncio.run(sam.engine(first_sync_page_size=500).sync_once())
    assert local_ids(sam, Customer) == working_set | {customers[1]}
    assert local_ids(sam, Goodwill) == server_ids(central, "goodwill")


def columns(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


def everyone_in_the_working_set(central: Central, office: Office) -> None:
    """A case of the advisor's own for every customer, and one offer: all of them are taken."""
    for customer in office.customers:
        central.case(customer, owner_id=office.alex.user.id)
    central.offer()


def test_cancelled_after_k_pages_it_resumes_from_its_place_and_ends_with_every_row_once(
    office: Office, central: Central
) -> None:
    alex = office.alex
    everyone_in_the_working_set(central, office)
    page, k = 4, 3
    engine = alex.engine(first_sync_page_size=page, first_sync_customers=page)
    pages: list[int] = []

    def cancel_after_k_pages(state: SyncState) -> None:
        if state.first_sync and state.done > 0:
            pages.append(state.done)
            if len(pages) == k:
                engine.cancel_first_sync()

    engine.add_listener(cancel_after_k_pages)
    stopped = asyncio.run(engine.sync_once())
    assert stopped.first_sync is not None
    assert stopped.first_sync.cancelled and not stopped.first_sync.finished
    assert stopped.first_sync.pages == k
    with alex.store.read() as session:
        place = places.state(session)
        assert queries.cursor(session) == 0  # no pull over a partial store
    assert place is not None and not place.finished and place.done == pages[-1]
    kept = local_ids(alex, User) | local_ids(alex, Offer) | local_ids(alex, Customer)
    assert len(kept) == place.done  # what was taken stays: the users' page, the offer's, 4 customers
    assert place.entity == CUSTOMERS
    # Cancelled: the same engine only pushes until it is resumed (or the next start).
    assert asyncio.run(engine.sync_once()).first_sync is None

    # Next start: a new engine on the same store continues from the place, not from zero.
    calls: list[list[uuid.UUID]] = []
    link = CountingLink(alex.connect(), calls)
    resumed = asyncio.run(
        alex.engine(first_sync_page_size=page, first_sync_customers=page, link=link).sync_once()
    )
    assert resumed.first_sync is not None and resumed.first_sync.finished
    assert resumed.first_sync.customers == CUSTOMERS_ - 4
    assert place.after_id is not None and min(calls[0]) > place.after_id  # from the place, not from zero
    assert local_ids(alex, Customer) == server_ids(central, "customers")
    assert local_ids(alex, User) == server_ids(central, "users")
    with alex.store.read() as session:
        assert session.execute(select(func.count()).select_from(Customer)).scalar_one() == CUSTOMERS_
        assert queries.cursor(session) == server_count(central, "SELECT max(seq) FROM change_log")


class CountingLink(ServerLink):
    """A ServerLink that notes the customers of each page of records asked for."""

    def __init__(self, connect: Any, calls: list[list[uuid.UUID]]) -> None:
        super().__init__(connect)
        self.calls = calls

    async def customers_records(self, ids: Sequence[uuid.UUID]) -> dict[str, Any]:
        self.calls.append(list(ids))
        return await super().customers_records(ids)


class CutLink(ServerLink):
    """The link drops for good after `pages` pages of customers' records (the server gone mid-way)."""

    def __init__(self, connect: Any, pages: int) -> None:
        super().__init__(connect)
        self.pages = pages

    async def customers_records(self, ids: Sequence[uuid.UUID]) -> dict[str, Any]:
        if self.pages == 0:
            raise OSError("connection lost")
        self.pages -= 1
        return await super().customers_records(ids)


def test_a_cut_first_sync_keeps_its_pages_and_goes_on_from_them(office: Office, central: Central) -> None:
    alex = office.alex
    everyone_in_the_working_set(central, office)

    async def run(link: ServerLink) -> Any:
        try:
            return await first_sync(
                alex.store,
                link,
                clock=alex.clock,
                sleep=alex.sleeper,
                retry=RetryPolicy(attempts=2),
                page_size=5,
                customer_page=5,
            )
        finally:
            await link.close()

    with pytest.raises(ServerUnreachableError):
        asyncio.run(run(CutLink(alex.connect(), pages=2)))
    assert alex.sleeper.delays == [0.5]  # retried once, then gave up
    with alex.store.read() as session:
        place = places.state(session)
    assert place is not None and place.done == 2 + 1 + 5 + 5  # users, the offer, two pages of customers
    assert len(local_ids(alex, Customer)) == 10
    second = asyncio.run(run(ServerLink(alex.connect())))
    assert second.finished and second.customers == CUSTOMERS_ - 10
    assert len(local_ids(alex, Customer)) == CUSTOMERS_


def test_user_add_set_limit_and_disable_reach_every_workstation(central: Central, tmp_path: Path) -> None:
    advisor = central.add_user(Role.ADVISOR, 5_000, hint="adv")
    supervisor = central.add_user(Role.SUPERVISOR, 50_000, hint="sup")
    sam = workstation(central, tmp_path, supervisor, [advisor, supervisor])  # a store filled before
    alex = fresh(central, tmp_path, advisor)
    try:
        asyncio.run(alex.engine().sync_once())
        asyncio.run(sam.engine().sync_once())
        set_limit(central.admin, advisor.username, 7_500)
        newcomer_name = f"new_{uuid.uuid4().hex[:8]}"
        central.roles.append(newcomer_name)
        newcomer = add_user(
            central.admin,
            newcomer_name,
            role=Role.ADVISOR,
            limit_pence=2_500,
            password="pw-" + uuid.uuid4().hex,
            display_name="Nia Newcomer",
            team=Team.FRONT_LINE,
        )
        disable_user(central.admin, supervisor.username)
        for station in (alex, sam):
            summary = asyncio.run(
                SyncEngine(
                    station.store, station.connect(), clock=station.clock, sleep=station.sleeper, listen=False
                ).sync_once()
            )
            if station is sam:  # the disabled supervisor may not even log in
                assert summary.offline is not None and "not permitted to log in" in summary.offline
                continue
            assert summary.offline is None
            with station.store.read() as session:
                rows = {row.username: row for row in session.execute(select(User)).scalars()}
            assert rows[advisor.username].goodwill_limit_pence == 7_500
            assert rows[supervisor.username].active is False
            assert rows[newcomer.username].display_name == "Nia Newcomer"
        # Another workstation that still works (a second advisor's) sees all three changes too.
        other = workstation(central, tmp_path, newcomer, [advisor, supervisor, newcomer])
        asyncio.run(other.engine().sync_once())
        with other.store.read() as session:
            limit = session.execute(
                select(User.goodwill_limit_pence).where(User.username == advisor.username)
            ).scalar_one()
            active = session.execute(
                select(User.active).where(User.username == supervisor.username)
            ).scalar_one()
        assert (limit, active) == (7_500, False)
        other.store.close()
    finally:
        alex.store.close()
        sam.store.close()


def test_a_new_default_store_stays_empty_for_the_first_sync_when_a_server_is_configured() -> None:
    from console.cli import open_for_use

    store = open_for_use(None, demo=False)  # what `advisor-console` does with a server in the settings
    try:
        with store.read() as session:
            assert session.execute(select(func.count()).select_from(Customer)).scalar_one() == 0
            assert places.needed(session)
    finally:
        store.close()
