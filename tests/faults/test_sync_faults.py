"""1,000 mutations made offline, then synced through a TCP proxy while the server is stopped and
started again at seeded random points and the link is cut after the server's COMMIT, before its
answer reaches the client: nothing lost, nothing applied twice, every mutation in the state the
server's rules give it, and the workstation's store the same as the server's after a pull.

The test runs its own throwaway PostgreSQL (restarting the suite's shared one would hurt other
tests) and drives SyncEngine.sync_once, so it holds however the push groups its calls."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, select, text

from console.sync.engine import SyncEngine
from console.sync.push import RetryPolicy
from console.sync.remote import connector, conninfo
from domain.vocabulary import MutationState, Role
from storage.location import parse_location
from storage.models import ContactEvent, Goodwill, Promise
from storage.queries import sync as queries
from storage.server import init_server
from tests.helpers import factories
from tests.helpers.central import Central
from tests.helpers.offline_work import MIX, OfflineWork, taken_promises, work_offline
from tests.helpers.pg_control import SHUTDOWN_MODES, OwnServer
from tests.helpers.tcp_proxy import APPLY, PULL, Fault, PgProxy, Request
from tests.helpers.workstations import Workstation, add_everywhere, shared_customer, workstation

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SEED = 20261125
RETRY = RetryPolicy(attempts=4, first_delay=0.5)  # three backoff sleeps (injected: no real wait)
RESTARTS_DURING_PUSH = 10
RESTARTS_DURING_PULL = 2
CUTS_DURING_PUSH = 30
CUTS_DURING_PULL = 2
PAGE_SIZE = 250  # several pull pages, so faults land between them


@dataclass(frozen=True)
class Restart:
    when: str  # "before": the request never reaches the server; "after": it committed, answer lost
    shutdown: str  # pg_ctl's mode: fast, or immediate (a crash)
    down_for: int  # backoff sleeps before it is back; more than the client waits: it goes offline


@dataclass(frozen=True)
class Cut:
    """The link dropped after the server answered (after COMMIT), before the answer arrived."""


@dataclass
class FaultPlan:
    """Seeded. Push faults are placed by the server's progress, not by call number, so the plan holds
    however the push groups mutations into calls: a fault with threshold X meets the first
    apply call that starts once the server has logged X of the workstation's mutations (one fault a
    call; faults that fall due together meet the calls that follow, the retries included). Pull
    faults meet pull calls by number (retries counted)."""

    push: list[tuple[int, Restart | Cut]]
    pull: dict[int, Restart | Cut]
    fired: list[tuple[str, int, str]] = field(default_factory=list)
    next_push: int = 0

    def push_due(self, logged: int) -> Restart | Cut | None:
        if self.next_push < len(self.push) and self.push[self.next_push][0] <= logged:
            self.next_push += 1
            return self.push[self.next_push - 1][1]
        return None

    @classmethod
    def seeded(cls, rng: random.Random, mutations: int, pulls: int) -> FaultPlan:
        thresholds = sorted(rng.sample(range(1, mutations), RESTARTS_DURING_PUSH + CUTS_DURING_PUSH))
        kinds: list[Restart | Cut] = [_restart(rng) for _ in range(RESTARTS_DURING_PUSH)]
        kinds += [Cut()] * CUTS_DURING_PUSH
        rng.shuffle(kinds)
        pull_points = rng.sample(range(1, pulls + 1), RESTARTS_DURING_PULL + CUTS_DURING_PULL)
        pull: dict[int, Restart | Cut] = {}
        for index, number in enumerate(pull_points):
            pull[number] = _restart(rng) if index < RESTARTS_DURING_PULL else Cut()
        return cls(list(zip(thresholds, kinds, strict=True)), pull)

    def planned(self) -> list[str]:
        faults = [fault for _, fault in self.push] + list(self.pull.values())
        return sorted("cut" if isinstance(fault, Cut) else "restart" for fault in faults)

    def restarts(self) -> int:
        return sum(1 for _, _, what in self.fired if what == "restart")


class ServerProgress:
    """How many of the workstation's mutations the server has logged (an admin connection of its
    own, opened again after a restart)."""

    def __init__(self, uri: str, actor: str) -> None:
        self.uri = uri
        self.actor = actor
        self.connection: psycopg.AsyncConnection[Any] | None = None

    async def logged(self) -> int:
        for _ in range(3):
            try:
                if self.connection is None or self.connection.closed:
                    self.connection = await psycopg.AsyncConnection.connect(self.uri, autocommit=True)
                cursor = await self.connection.execute(
                    "SELECT count(*) FROM mutation_log WHERE actor = %s", (self.actor,)
                )
                row = await cursor.fetchone()
                assert row is not None
                return int(row[0])
            except psycopg.OperationalError:
                self.connection = None
        raise AssertionError("the server is down while a call reached it")

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()


def _restart(rng: random.Random) -> Restart:
    return Restart(
        when=rng.choice(("before", "after")),
        shutdown=rng.choice(SHUTDOWN_MODES),
        down_for=rng.randint(1, RETRY.attempts),
    )


class Backoff:
    """The engine's injected sleep: no real wait; a stopped server comes back after `down_for` of
    these (a real restart the test waits for), or, if the client gave up first, before its next sync."""

    def __init__(self, server: OwnServer) -> None:
        self.server = server
        self.countdown = 0
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        if not self.server.running:
            self.countdown -= 1
            if self.countdown <= 0:
                await asyncio.to_thread(self.server.start)
        await asyncio.sleep(0)


@dataclass
class Site:
    server: OwnServer
    central: Central
    station: Workstation
    supervisor: Any


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    server = OwnServer()
    try:
        admin = create_engine(
            server.uri.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE console"))
        admin.dispose()
        location = parse_location(
            server.uri.replace("postgresql://", "postgresql+psycopg://", 1).replace(
                "/postgres?", "/console?", 1
            )
        )
        init_server(location)
        central = Central.open(location)
        advisor = central.add_user(Role.ADVISOR, 5_000, hint="adv", display_name="Alex Advisor")
        supervisor = central.add_user(Role.SUPERVISOR, 50_000, hint="sup", display_name="Sam Supervisor")
        station = workstation(central, tmp_path, advisor, [advisor, supervisor])
        try:
            yield Site(server, central, station, supervisor)
        finally:
            station.store.close()
            central.close()
    finally:
        server.cleanup()


def test_a_thousand_offline_mutations_survive_restarts_and_lost_answers(site: Site) -> None:
    server, central, station = site.server, site.central, site.station
    rng = random.Random(SEED)
    customers = [shared_customer(central, [station.store], f"4100{n:04d}") for n in range(5)]
    stranger_row = factories.customer(account="49999999")  # only this workstation holds it
    add_everywhere(None, [station.store], stranger_row)
    stranger = stranger_row.id
    taken = taken_promises(central, station, customers[0], MIX["promise_taken"])

    work = work_offline(station, rng, customers, stranger, taken)
    assert len(work.made) == 1000
    assert [entry.state for entry in station.outbox()] == [MutationState.PENDING] * 1000
    # Meanwhile a supervisor ends the promises this workstation also ended offline.
    sam = central.login(site.supervisor)
    for row in taken:
        central.apply(
            sam, "promise.complete", {"id": str(row.id), "status": "done", "outcome": "called them"}
        )

    plan = FaultPlan.seeded(rng, mutations=1000, pulls=6)
    backoff = Backoff(server)
    progress = ServerProgress(conninfo(central.location.url), station.user.username)

    async def decide(request: Request) -> Fault | None:
        fault: Restart | Cut | None = None
        if request.kind == PULL:
            fault = plan.pull.get(request.number)
        elif request.kind == APPLY and plan.next_push < len(plan.push):
            fault = plan.push_due(await progress.logged())
        if fault is None:
            return None
        if isinstance(fault, Cut):
            plan.fired.append((request.kind, request.number, "cut"))
            return Fault("after")
        restart = fault

        async def stop() -> None:
            plan.fired.append((request.kind, request.number, "restart"))
            await asyncio.to_thread(server.stop, restart.shutdown)
            backoff.countdown = restart.down_for

        return Fault(restart.when, stop)

    async def sync_through_faults() -> list[Any]:
        proxy = PgProxy(server.socket_path, decide)
        await proxy.start()
        login = central.location.url
        info = proxy.conninfo(
            dbname=str(login.database),
            user=station.user.username,
            password=central.passwords[station.user.username],
        )
        engine = SyncEngine(
            station.store,
            connector(info),
            clock=station.clock,
            sleep=backoff,
            listen=False,
            retry=RETRY,
            page_size=PAGE_SIZE,
        )
        summaries = []
        try:
            for _ in range(200):
                summary = await engine.sync_once()
                summaries.append(summary)
                if summary.offline is None and summary.waiting == 0:
                    break
                if not server.running:  # the client gave up before the server came back
                    await asyncio.to_thread(server.start)
        finally:
            await proxy.close()
            await progress.close()
        return summaries

    summaries = asyncio.run(sync_through_faults())
    assert server.running
    central.admin.dispose()  # its pooled connections died with the server
    # Every planned fault happened: at least ten restarts, and the lost answers.
    assert sorted(what for _, _, what in plan.fired) == plan.planned()
    assert plan.restarts() >= 10 and server.stops == plan.restarts()
    assert any(summary.offline for summary in summaries)  # some outages outlasted the retries
    assert summaries[-1].offline is None and summaries[-1].waiting == 0
    # Each answer reported once, in the sync that stored it, even when that sync then lost the link
    # (the window refreshes and shows the problems from these counts).
    states = Counter(made.expected for made in work.made)
    assert sum(summary.accepted for summary in summaries) == states[MutationState.ACCEPTED]
    assert sum(summary.rejected for summary in summaries) == states[MutationState.REJECTED]
    assert sum(summary.conflicts for summary in summaries) == states[MutationState.CONFLICT]

    check_nothing_lost_or_doubled(central.admin, station, work)
    check_store_matches_server(central.admin, station, work)


def check_nothing_lost_or_doubled(admin: Engine, station: Workstation, work: OfflineWork) -> None:
    entries = station.outbox()
    # All 1,000 in a final state, the one the server's rules give (none left pending).
    assert [entry.state for entry in entries] == [made.expected for made in work.made]
    resent = [entry for entry in entries if entry.attempts > 1]
    assert resent  # the lost answers made the client send some again
    with admin.connect() as connection:
        logged = {
            row.mutation_id: row.state
            for row in connection.execute(
                text("SELECT mutation_id, state FROM mutation_log WHERE client_id = :c"),
                {"c": entries[0].client_id},
            )
        }
        # 0 lost: the server logged every mutation once, with the state the client stored.
        assert logged == {entry.mutation_id: entry.state.value for entry in entries}
        # 0 applied twice: each accepted mutation's rows once, each refusal audited once.
        changes = Counter(
            (row.mutation_id, row.entity, row.entity_id)
            for row in connection.execute(text("SELECT mutation_id, entity, entity_id FROM change_log"))
        )
        assert max(changes.values()) == 1
        per_mutation = Counter(mutation_id for mutation_id, _, _ in changes)
        for entry, made in zip(entries, work.made, strict=True):
            assert entry.entity_id == made.entity_id
            wanted = 0
            if made.expected is MutationState.ACCEPTED:
                wanted = 3 if made.follow_up else 2  # the record and its timeline line
            assert per_mutation[entry.mutation_id] == wanted, (made.act, entry.state, entry.reason)
        audited = Counter(
            (row.action, row.entity_id)
            for row in connection.execute(
                text(
                    "SELECT action, entity_id FROM audit_log"
                    " WHERE action LIKE 'goodwill.%' OR action LIKE 'mutation.%'"
                )
            )
        )
        asked = [
            made for made in work.made if made.act.startswith("goodwill") and made.act != "goodwill_stranger"
        ]
        assert all(audited[("goodwill.request", made.entity_id)] == 1 for made in asked)
        refused = [entry for entry in entries if entry.state is not MutationState.ACCEPTED]
        assert all(audited[(f"mutation.{entry.state.value}", entry.mutation_id)] == 1 for entry in refused)
        assert sum(audited.values()) == len(asked) + len(refused)
        total = connection.execute(text("SELECT count(*), sum(amount_pence) FROM goodwill")).one()
        assert tuple(total) == (len(asked), sum(made.amount_pence for made in asked))
        events = connection.execute(text("SELECT count(*), count(DISTINCT id) FROM contact_events")).one()
        assert events[0] == events[1]


def check_store_matches_server(admin: Engine, station: Workstation, work: OfflineWork) -> None:
    """After the pull the workstation holds what the server holds; the only local extras are the
    records of the mutations the server refused (kept for their author to see and settle)."""
    local_only = {made.entity_id for made in work.made if made.act == "goodwill_stranger"}
    refused_lines = {
        uuid.UUID(entry.payload["event_id"])
        for entry in station.outbox()
        if entry.state is not MutationState.ACCEPTED and entry.payload.get("event_id")
    }
    with station.store.read() as session:
        cursor = queries.cursor(session)
        local_goodwill = {
            row.id: (row.state, row.authorisation, row.amount_pence, row.version, row.decided_at is not None)
            for row in session.scalars(select(Goodwill))
        }
        local_promises = {
            row.id: (row.status, row.version, row.follow_up_id, row.owner_id)
            for row in session.scalars(select(Promise))
        }
        local_lines = set(session.scalars(select(ContactEvent.id)))
    with admin.connect() as connection:
        head = connection.execute(text("SELECT coalesce(max(seq), 0) FROM change_log")).scalar_one()
        server_goodwill = {
            row.id: (row.state, row.authorisation, row.amount_pence, row.version, row.decided_at is not None)
            for row in connection.execute(text("SELECT * FROM goodwill"))
        }
        server_promises = {
            row.id: (row.status, row.version, row.follow_up_id, row.owner_id)
            for row in connection.execute(text("SELECT * FROM promises"))
        }
        server_lines = set(connection.execute(text("SELECT id FROM contact_events")).scalars())
    assert cursor == head
    assert {
        key: tuple(map(str, value)) for key, value in local_goodwill.items() if key not in local_only
    } == {key: tuple(map(str, value)) for key, value in server_goodwill.items()}
    assert set(local_goodwill) - set(server_goodwill) == local_only
    assert {key: tuple(map(str, value)) for key, value in local_promises.items()} == {
        key: tuple(map(str, value)) for key, value in server_promises.items()
    }
    assert local_lines - server_lines == refused_lines
