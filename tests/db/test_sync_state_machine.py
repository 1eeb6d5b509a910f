"""A hypothesis state machine of two workstations (an advisor and a supervisor, each its own SQLite
store and login role) against a real central PostgreSQL: random writes, approvals, disconnections,
kills (mid-push too) and syncs; nothing lost, nothing applied twice, both converge to the server."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import shutil
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar, cast

import psycopg
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)
from psycopg.types.json import Jsonb
from sqlalchemy import Table, func, select, text

from console.clock import ManualClock
from console.goodwill_rules import GoodwillRuleError
from console.promise_rules import Outcome
from console.services.events import add_console_event
from console.services.goodwill import GoodwillService
from console.services.promises import PromiseService
from console.sync.engine import SyncEngine
from console.sync.remote import conninfo
from domain.records import OutboxRecord, PromiseRecord, UserRecord
from domain.vocabulary import GoodwillKind, MutationState, PromiseKind, PromiseStatus, Role
from storage.location import parse_location
from storage.models import ContactEvent, Goodwill, OutboxEntry, Promise
from storage.queries import promises as promise_queries
from storage.queries import sync as queries
from storage.store import Store, open_store
from tests.helpers import factories
from tests.helpers.central import NOW, Central
from tests.helpers.workstations import QUICK_RETRY, Sleeper, add_everywhere, local_user

pytestmark = pytest.mark.postgres

ADVISOR_LIMIT = 5_000
SUPERVISOR_LIMIT = 50_000
# Within both limits, over the advisor's, over the supervisor's (a second approval is needed).
AMOUNTS = ("10.00", "80.00", "700.00")
# SM_NO_SHRINK=1 while working on a failure: the first failing example, at once.
PHASES = (
    (Phase.explicit, Phase.reuse, Phase.generate)
    if os.environ.get("SM_NO_SHRINK")
    else (Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink)
)
ACCOUNTS = itertools.count(1)
WHO = st.sampled_from(["advisor", "supervisor"])
REACHED: Counter[str] = Counter()  # what the syncs met, printed at the end (shown with -s or on failure)
SYNCED: tuple[type[Any], ...] = (Goodwill, Promise, ContactEvent)


class LinkDown(psycopg.OperationalError):
    """What connecting raises while the workstation is offline."""


@dataclass
class Client:
    """One workstation: its store file, the person signed in, and what the model expects of it."""

    name: str
    path: Path
    user: UserRecord
    login: str  # libpq connection string of the person's login role
    clock: ManualClock
    store: Store
    online: bool = True
    engine: SyncEngine | None = None
    sleeper: Sleeper = field(default_factory=Sleeper)
    written: int = 0  # mutations the model saw queued (each write() that returned)

    def sync_engine(self) -> SyncEngine:
        if self.engine is None:

            async def connect() -> psycopg.AsyncConnection[Any]:
                if not self.online:
                    raise LinkDown("connection refused: the link is down")
                return await psycopg.AsyncConnection.connect(self.login, autocommit=True, connect_timeout=5)

            self.engine = SyncEngine(
                self.store, connect, clock=self.clock, sleep=self.sleeper, listen=False, retry=QUICK_RETRY
            )
        return self.engine

    def outbox(self) -> list[OutboxRecord]:
        with self.store.read() as session:
            return queries.entries(session)

    def queued(self) -> int:
        with self.store.read() as session:
            return int(session.execute(select(func.count()).select_from(OutboxEntry)).scalar_one())

    def restart(self) -> None:
        """A kill: every object of the process is gone; the store is opened again from its file."""
        self.engine = None
        self.store.close()
        self.store = open_store(parse_location(str(self.path)))


@dataclass(frozen=True)
class Seed:
    """Made once per test: a central database with the two people, and the two workstations' store
    files holding them. Each example copies the store files (fresh client ids, outboxes and cursors)
    and adds customers of its own everywhere, so examples share the server yet never each other's rows."""

    central: Central
    people: dict[str, UserRecord]
    stores: dict[str, Path]


def make_seed(central: Central, folder: Path) -> Seed:
    advisor = central.add_user(Role.ADVISOR, ADVISOR_LIMIT, hint="adv", display_name="Alex Advisor")
    supervisor = central.add_user(
        Role.SUPERVISOR, SUPERVISOR_LIMIT, hint="sup", display_name="Sam Supervisor"
    )
    people = {"advisor": advisor, "supervisor": supervisor}
    stores: dict[str, Path] = {}
    for name in people:
        stores[name] = folder / f"seed-{name}.db"
        store = open_store(parse_location(str(stores[name])))
        with store.write() as session:
            session.add_all([local_user(person) for person in people.values()])
        store.close()
    return Seed(central, people, stores)


class SyncMachine(RuleBasedStateMachine):
    seed: ClassVar[Seed]  # set by the test function
    folder: ClassVar[Path] = Path()

    def __init__(self) -> None:
        super().__init__()
        self.central = self.seed.central
        self.workdir = Path(tempfile.mkdtemp(prefix="sm-", dir=self.folder))
        self.clock = ManualClock(NOW)
        self.advisor = self._client("advisor")
        self.supervisor = self._client("supervisor")
        self.customers: list[uuid.UUID] = []
        for _ in range(2):
            made = factories.customer(account=f"6{next(ACCOUNTS):07d}")
            add_everywhere(self.central, [self.advisor.store, self.supervisor.store], made)
            self.customers.append(made.id)

    def _client(self, name: str) -> Client:
        path = self.workdir / f"{name}.db"
        shutil.copyfile(self.seed.stores[name], path)
        user = self.seed.people[name]
        login = conninfo(self.central.login(user).url)
        return Client(name, path, user, login, self.clock, open_store(parse_location(str(path))))

    def client(self, name: str) -> Client:
        return self.advisor if name == "advisor" else self.supervisor

    def _queued(self, client: Client, before: int) -> None:
        """A write that returned has its mutations in the outbox (durably: they survive any kill)."""
        after = client.queued()
        assert after > before
        client.written += after - before

    # -- writes -----------------------------------------------------------------------------------

    @rule(
        who=st.sampled_from(["advisor", "supervisor"]),
        customer=st.integers(0, 1),
        amount=st.sampled_from(AMOUNTS),
    )
    def request_goodwill(self, who: str, customer: int, amount: str) -> None:
        client = self.client(who)
        before = client.queued()
        GoodwillService(client.store, self.clock, client.user).request(
            self.customers[customer], GoodwillKind.COMPENSATION, amount, "service outage", "down a week"
        )
        self._queued(client, before)

    @rule(who=WHO, customer=st.integers(0, 1))
    def make_promise(self, who: str, customer: int) -> None:
        client = self.client(who)
        before = client.queued()
        PromiseService(client.store, self.clock, client.user).make(
            self.customers[customer],
            PromiseKind.CALLBACK,
            self.clock.now() + timedelta(days=1),
            phone="07700 900123",
        )
        self._queued(client, before)

    def _open_promises(self, client: Client) -> list[PromiseRecord]:
        """The open promises this client may end: its own, or any for a supervisor (no case here)."""
        with client.store.read() as session:
            return [
                promise
                for customer_id in self.customers
                for promise in promise_queries.for_customer(session, customer_id)
                if promise.status is PromiseStatus.OPEN
                and (client.user.role is Role.SUPERVISOR or promise.owner_id == client.user.id)
            ]

    def _complete(self, client: Client, promise: PromiseRecord, reachable: bool) -> None:
        outcome = (
            Outcome(PromiseStatus.DONE, "called back, all sorted")
            if reachable
            else Outcome(PromiseStatus.NOT_REACHABLE, "no answer", self.clock.now() + timedelta(days=2))
        )
        before = client.queued()
        PromiseService(client.store, self.clock, client.user).close(promise, outcome)
        self._queued(client, before)

    @rule(who=WHO, pick=st.integers(0, 7), reachable=st.booleans())
    def complete_promise(self, who: str, pick: int, reachable: bool) -> None:
        client = self.client(who)
        open_ones = self._open_promises(client)
        if open_ones:
            self._complete(client, open_ones[pick % len(open_ones)], reachable)

    @rule(pick=st.integers(0, 7), advisor_reached=st.booleans(), supervisor_reached=st.booleans())
    def both_complete(self, pick: int, advisor_reached: bool, supervisor_reached: bool) -> None:
        """The same promise ended on both workstations before either syncs: one wins, one conflicts."""
        mine = {promise.id: promise for promise in self._open_promises(self.advisor)}
        shared = [promise for promise in self._open_promises(self.supervisor) if promise.id in mine]
        if not shared:
            return
        theirs = shared[pick % len(shared)]
        self._complete(self.advisor, mine[theirs.id], advisor_reached)
        self._complete(self.supervisor, theirs, supervisor_reached)

    @rule(who=WHO, customer=st.integers(0, 1))
    def add_contact(self, who: str, customer: int) -> None:
        client = self.client(who)
        before = client.queued()
        with client.store.durable_write() as session:
            add_console_event(
                session,
                client.user,
                self.customers[customer],
                None,
                self.clock.now(),
                "Called",
                "rang the customer",
            )
        self._queued(client, before)

    @rule(pick=st.integers(0, 7), approve=st.booleans())
    def supervisor_decides(self, pick: int, approve: bool) -> None:
        """Only requests the supervisor's store holds (pulled, or made there)."""
        client = self.supervisor
        service = GoodwillService(client.store, self.clock, client.user)
        pending = [record for record in service.pending() if record.requested_by != client.user.id]
        if not pending:
            return
        record = pending[pick % len(pending)]
        before = client.queued()
        try:
            if approve:
                service.approve(record, "fair")
            else:
                service.reject(record, "not covered")
        except GoodwillRuleError:  # refused locally (a second approval by the first approver): nothing queued
            assert client.queued() == before
            return
        self._queued(client, before)

    # -- the link, the process, and syncs ---------------------------------------------------------

    @rule(who=WHO, up=st.booleans())
    def link(self, who: str, up: bool) -> None:
        """Down: the workstation's connect fails (the server is unreachable from it)."""
        self.client(who).online = up

    @rule(who=WHO, minutes=st.integers(0, 30))
    def sync(self, who: str, minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))
        self._sync(self.client(who))

    @rule()
    def sync_both(self) -> None:
        self._sync(self.advisor)
        self._sync(self.supervisor)

    def _sync(self, client: Client) -> None:
        summary = asyncio.run(client.sync_engine().sync_once())
        if client.online:
            assert summary.offline is None, summary.offline
            assert summary.waiting == 0
            for outcome in ("accepted", "rejected", "conflicts", "held_back", "pulled"):
                if getattr(summary, outcome):
                    REACHED[outcome] += 1
        else:
            assert summary.offline is not None and summary.pushed == 0

    @rule(who=WHO, committed=st.integers(0, 3))
    def kill(self, who: str, committed: int) -> None:
        """The process dies: every object goes and the store is opened again from its file. With
        `committed`, it died in a push after the server committed that many waiting mutations and
        before it recorded a single answer: they are sent again after the restart."""
        client = self.client(who)
        if committed and client.online:
            with client.store.read() as session:
                waiting = queries.pending(session, limit=committed)
            with psycopg.connect(client.login, autocommit=True) as connection:
                for entry in waiting:
                    connection.execute(
                        "SELECT api.apply_mutation(%s, %s, %s, %s, %s, %s)",
                        (
                            entry.mutation_id,
                            entry.client_id,
                            entry.client_seq,
                            entry.kind,
                            Jsonb(entry.payload),
                            entry.occurred_at,
                        ),
                    )
            REACHED["killed after the server committed"] += bool(waiting)
        client.restart()

    # -- invariants -------------------------------------------------------------------------------

    @invariant()
    def nothing_lost_or_invented(self) -> None:
        for client in (self.advisor, self.supervisor):
            entries = client.outbox()
            # Every write that returned is in the outbox, numbered without gaps, whatever was killed.
            assert len(entries) == client.written
            assert [entry.client_seq for entry in entries] == list(range(1, len(entries) + 1))
            assert len({entry.client_id for entry in entries}) <= 1
            logged = self._server_log(entries[0].client_id) if entries else {}
            mine = {entry.mutation_id: entry for entry in entries}
            # The server holds no mutation this client did not make, and each answer it gave and
            # the client stored is the one it logged.
            assert set(logged) <= set(mine)
            for mutation_id, state in logged.items():
                local = mine[mutation_id].state
                assert local is MutationState.PENDING or local.value == state, (mutation_id, local, state)
            for entry in entries:
                if entry.state is not MutationState.PENDING:
                    assert entry.mutation_id in logged, f"{entry.kind} answered but not on the server"

    def _server_log(self, client_id: uuid.UUID) -> dict[uuid.UUID, str]:
        with self.central.admin.connect() as connection:
            rows = connection.execute(
                text("SELECT mutation_id, result FROM mutation_log WHERE client_id = :c"), {"c": client_id}
            ).all()
        found: dict[uuid.UUID, str] = {}
        for mutation_id, result in rows:
            answer = result if isinstance(result, dict) else json.loads(result)
            assert mutation_id not in found
            found[mutation_id] = str(answer["state"])
        return found

    # -- the end of each example: both online, synced until quiet, then compared -------------------

    def teardown(self) -> None:
        try:
            self._converge()
        finally:
            for client in (self.advisor, self.supervisor):
                client.store.close()
            shutil.rmtree(self.workdir, ignore_errors=True)

    def _converge(self) -> None:
        for client in (self.advisor, self.supervisor):
            client.online = True
        # Advisor, supervisor, advisor: the supervisor's answers reach the advisor, and back.
        for client in (self.advisor, self.supervisor, self.advisor, self.supervisor):
            self._sync(client)
        self.nothing_lost_or_invented()
        for client in (self.advisor, self.supervisor):
            for entry in client.outbox():
                assert entry.state is not MutationState.PENDING
        # Each mutation applied once: one log row per mutation, no timeline line twice.
        clients = [
            entries[0].client_id for entries in (self.advisor.outbox(), self.supervisor.outbox()) if entries
        ]
        with self.central.admin.connect() as connection:
            logged = connection.execute(
                text("SELECT count(*) FROM mutation_log WHERE client_id = ANY(:c)"), {"c": clients}
            ).scalar_one()
        assert logged == self.advisor.written + self.supervisor.written
        for model in SYNCED:
            server = self._server_rows(cast(Table, model.__table__))
            for client in (self.advisor, self.supervisor):
                local = self._local_rows(client, cast(Table, model.__table__))
                if model is ContactEvent:
                    # The line of an act the server refused stays on its author's workstation only
                    # (append-only there; docs/sync.md): never on the server, and nothing else differs.
                    refused = self._refused_lines(client)
                    assert not refused & set(server)
                    local = {key: row for key, row in local.items() if key not in refused}
                expected = server
                if model is Goodwill and client is self.advisor:  # row-level security: only their own
                    expected = {
                        key: row for key, row in server.items() if row["requested_by"] == client.user.id
                    }
                assert local == expected, self._difference(model.__tablename__, client.name, local, expected)

    @staticmethod
    def _refused_lines(client: Client) -> set[uuid.UUID]:
        refused = (MutationState.REJECTED, MutationState.CONFLICT)
        return {
            uuid.UUID(entry.payload["event_id"])
            for entry in client.outbox()
            if entry.state in refused and isinstance(entry.payload.get("event_id"), str)
        }

    def _server_rows(self, table: Table) -> dict[uuid.UUID, dict[str, Any]]:
        with self.central.admin.connect() as connection:
            rows = connection.execute(select(table).where(table.c.customer_id.in_(self.customers))).mappings()
            return {row["id"]: dict(row) for row in rows}

    def _local_rows(self, client: Client, table: Table) -> dict[uuid.UUID, dict[str, Any]]:
        with client.store.read() as session:
            rows = session.execute(select(table)).mappings().all()
        return {row["id"]: dict(row) for row in rows}

    @staticmethod
    def _difference(
        table: str, who: str, local: dict[uuid.UUID, dict[str, Any]], server: dict[uuid.UUID, dict[str, Any]]
    ) -> str:
        lines = [f"{who}'s {table} differs from the server's:"]
        for key in sorted(set(local) | set(server), key=str):
            mine, theirs = local.get(key), server.get(key)
            if mine == theirs:
                continue
            if mine is None or theirs is None:
                lines.append(
                    f"  {key}: only {'on the server' if mine is None else 'locally'}: {mine or theirs}"
                )
                continue
            changed = {
                name: (mine.get(name), theirs.get(name))
                for name in theirs
                if mine.get(name) != theirs.get(name)
            }
            lines.append(f"  {key}: local vs server {changed}")
        return "\n".join(lines)


def test_two_workstations_never_lose_duplicate_or_diverge(central: Central, tmp_path: Path) -> None:
    SyncMachine.seed = make_seed(central, tmp_path)
    SyncMachine.folder = tmp_path
    run_state_machine_as_test(
        SyncMachine,
        settings=settings(
            max_examples=int(os.environ.get("SM_EXAMPLES", "15")),
            stateful_step_count=20,
            deadline=None,
            database=None,
            phases=PHASES,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    print("syncs with", dict(REACHED))
