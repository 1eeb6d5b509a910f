"""First sync of a new workstation against a real central PostgreSQL: an empty store gets its own user,
its colleagues and every customer it may read, in pages; cancelled after k pages and started again it
continues from its place, ending with every row once; user add, set-limit and disable reach clients."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from sqlalchemy import func, select, text

from console.clock import ManualClock
from console.services.people import PeopleService
from console.sync.engine import SyncEngine, SyncState
from console.sync.first_sync import first_sync
from console.sync.push import RetryPolicy, ServerUnreachableError
from console.sync.remote import ServerLink
from domain.vocabulary import PromiseKind, PromiseStatus, Role, Team
from storage.location import parse_location
from storage.models import ContactEvent, Customer, Goodwill, Promise, User
from storage.queries import first_sync as places
from storage.queries import sync as queries
from storage.server.users import add_user, disable_user, set_limit
from storage.store import open_store
from tests.helpers import factories
from tests.helpers.central import NOW, Central, goodwill_payload
from tests.helpers.workstations import Workstation, workstation

pytestmark = pytest.mark.postgres

CUSTOMERS = 23


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
    customers = [central.customer() for _ in range(CUSTOMERS)]
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


def test_a_new_workstation_takes_its_user_colleagues_and_customers_in_pages(
    office: Office, central: Central
) -> None:
    alex, sam, customers = office
    # What the server holds: the advisor's and the supervisor's own goodwill, a soft-deleted
    # customer, a chain of follow-up promises longer than a page, timeline lines.
    central.apply(central.login(alex.user), "goodwill.request", goodwill_payload(customers[0], 1_000))
    central.apply(central.login(sam.user), "goodwill.request", goodwill_payload(customers[1], 2_000))
    deleted = central.customer(deleted=True)
    chain = promise_chain(central, customers[2], alex.user.id, 5)
    with central.admin.begin() as connection:
        owner = factories.customer(account="10000001")
        owner.id = customers[3]
        connection.execute(ContactEvent.__table__.insert().values(**columns(factories.event(owner))))
    with alex.store.read() as session:
        assert places.needed(session)

    states: list[SyncState] = []
    engine = alex.engine(first_sync_page_size=2)
    engine.add_listener(states.append)
    summary = asyncio.run(engine.sync_once())

    assert summary.offline is None
    assert summary.first_sync is not None and summary.first_sync.finished
    # Its own row (it can now act as itself) and its colleague's name, role and limit.
    me = PeopleService(alex.store).current_user(alex.user.username)
    assert (me.id, me.role, me.goodwill_limit_pence) == (alex.user.id, Role.ADVISOR, 5_000)
    colleague = PeopleService(alex.store).current_user(sam.user.username)
    assert (colleague.display_name, colleague.role, colleague.goodwill_limit_pence) == (
        "Sam Supervisor",
        Role.SUPERVISOR,
        50_000,
    )
    assert local_ids(alex, Customer) == set(customers)  # not the soft-deleted one
    assert deleted not in local_ids(alex, Customer)
    # Row-level security decides, as for a direct read: an advisor gets only their own request.
    with alex.store.read() as session:
        requesters = set(session.execute(select(Goodwill.requested_by)).scalars())
    assert requesters == {alex.user.id}
    assert local_ids(alex, Promise) == set(chain)
    assert local_ids(alex, ContactEvent) == server_ids(central, "contact_events")
    # Progress: done of a total announced before the first page, ending at the total.
    shown = [state for state in states if state.first_sync]
    assert shown[0].done == 0 and shown[0].total >= CUSTOMERS + 2
    assert [state.done for state in shown] == sorted(state.done for state in shown)
    assert shown[-1].done == summary.first_sync.done
    assert shown[-1].words().startswith("First sync: ")
    # From now on the change log, from the head the first sync began at: nothing twice.
    with alex.store.read() as session:
        assert queries.cursor(session) == server_count(central, "SELECT max(seq) FROM change_log")
        assert not places.needed(session)
    again = asyncio.run(alex.engine().sync_once())
    assert again.first_sync is None and again.pulled == 0

    # The supervisor's new workstation gets both requests.
    asyncio.run(sam.engine(first_sync_page_size=500).sync_once())
    assert local_ids(sam, Goodwill) == server_ids(central, "goodwill")


def columns(row: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in row.__table__.columns}


def test_cancelled_after_k_pages_it_resumes_from_its_place_and_ends_with_every_row_once(
    office: Office, central: Central
) -> None:
    alex = office.alex
    page, k = 4, 3
    engine = alex.engine(first_sync_page_size=page)
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
    kept = local_ids(alex, User) | local_ids(alex, Customer)
    assert len(kept) == place.done  # what was taken stays
    assert place.entity == "customer"  # the users' page (2 rows), then two of customers
    # Cancelled: the same engine only pushes until it is resumed (or the next start).
    assert asyncio.run(engine.sync_once()).first_sync is None

    # Next start: a new engine on the same store continues from the place, not from zero.
    calls: list[tuple[str, uuid.UUID | None]] = []
    link = CountingLink(alex.connect(), calls)
    resumed = asyncio.run(alex.engine(first_sync_page_size=page, link=link).sync_once())
    assert resumed.first_sync is not None and resumed.first_sync.finished
    total = resumed.first_sync.done
    assert resumed.first_sync.fetched == total - place.done
    assert calls[0] == ("customer", place.after_id)  # from the place, not from zero
    assert local_ids(alex, Customer) == server_ids(central, "customers")
    assert local_ids(alex, User) == server_ids(central, "users")
    with alex.store.read() as session:
        assert session.execute(select(func.count()).select_from(Customer)).scalar_one() == CUSTOMERS
        assert queries.cursor(session) == server_count(central, "SELECT max(seq) FROM change_log")


class CountingLink(ServerLink):
    """A ServerLink that notes each snapshot page asked for (entity, after)."""

    def __init__(self, connect: Any, calls: list[tuple[str, uuid.UUID | None]]) -> None:
        super().__init__(connect)
        self.calls = calls

    async def snapshot_page(self, entity: str, after: uuid.UUID | None, max_rows: int) -> dict[str, Any]:
        self.calls.append((entity, after))
        return await super().snapshot_page(entity, after, max_rows)


class CutLink(ServerLink):
    """The link drops for good after `pages` snapshot pages (the server gone mid-way)."""

    def __init__(self, connect: Any, pages: int) -> None:
        super().__init__(connect)
        self.pages = pages

    async def snapshot_page(self, entity: str, after: uuid.UUID | None, max_rows: int) -> dict[str, Any]:
        if self.pages == 0:
            raise OSError("connection lost")
        self.pages -= 1
        return await super().snapshot_page(entity, after, max_rows)


def test_a_cut_first_sync_keeps_its_pages_and_goes_on_from_them(office: Office) -> None:
    alex = office.alex

    async def run(link: ServerLink) -> Any:
        try:
            return await first_sync(
                alex.store,
                link,
                clock=alex.clock,
                sleep=alex.sleeper,
                retry=RetryPolicy(attempts=2),
                page_size=5,
            )
        finally:
            await link.close()

    with pytest.raises(ServerUnreachableError):
        asyncio.run(run(CutLink(alex.connect(), pages=3)))
    assert alex.sleeper.delays == [0.5]  # retried once, then gave up
    with alex.store.read() as session:
        place = places.state(session)
    assert place is not None and place.done == 2 + 5 + 5  # users, then two pages of customers
    assert len(local_ids(alex, Customer)) == 10
    second = asyncio.run(run(ServerLink(alex.connect())))
    assert second.finished and second.fetched == second.done - place.done
    assert len(local_ids(alex, Customer)) == CUSTOMERS


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
