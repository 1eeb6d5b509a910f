"""A new workstation against a server holding a million customers: from an empty store and the
sign-in to the first sync of the user's working set done, a server search by phone answered and
the pane of a customer it did not hold read. The seeded server is kept between runs (its data
folder outside the repository), so only the first run pays for seeding.

Run: `.venv/bin/python -m tests.bench.first_sync [CUSTOMERS] [--data FOLDER] [--seed-only]`
(default 1,000,000 customers, data in /work/bench-cache/pg-<CUSTOMERS>, or $BENCH_PG_DATA).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import tempfile
import time
import uuid
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text

from console.clock import SystemClock
from console.seed import seed_store
from console.services.customer_finder import CustomerFinder
from console.services.customers import CustomerService
from console.services.pane import PaneService
from console.services.people import PeopleService
from console.sync.engine import SyncEngine
from console.sync.on_demand import ServerReads
from console.sync.on_demand import connector as reads_connector
from console.sync.remote import connector, conninfo
from domain.vocabulary import Role, Team
from storage.location import parse_location
from storage.queries import holdings
from storage.server import init_server
from storage.server.users import add_user
from storage.store import open_store

BENCH_USER = "bench_ws"
BENCH_TEAM = Team.BILLING
TEAM_SIZE = 20  # advisors of the bench team, the bench user among them
KEEP_OPEN = 300  # open cases, and as many open promises, the team owns on a realistic day
TOUCHED = 60  # customers the bench user logged a contact with in the last days
SEEDED_AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PASSWORD = "bench-" + "x" * 12


def start(folder: Path) -> Any:
    from tests.helpers.pg_server import start_server

    return start_server(folder, cleanup_mode="stop")


def seed(folder: Path, customers: int) -> None:
    """Seed a server in `folder` once (a marker file says it is done)."""
    done = folder / "seeded"
    if done.exists():
        return
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    server = start(folder / "pg")
    try:
        uri = server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
        admin = create_engine(uri, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("ALTER SYSTEM SET fsync = off"))
            connection.execute(text("ALTER SYSTEM SET max_wal_size = '4GB'"))
            connection.execute(text("SELECT pg_reload_conf()"))
        admin.dispose()
        location = parse_location(uri)
        central = open_store(location)
        started = time.perf_counter()
        report = seed_store(central, customers=customers, seed=1, now=SEEDED_AT)
        central.close()
        init_server(location)
        print(f"seeded in {time.perf_counter() - started:.0f} s: {report.summary()}", flush=True)
        done.write_text(uri + "\n")
    finally:
        server.cleanup()


def shape_team(admin: Engine) -> uuid.UUID:
    """The bench team as a real one: TEAM_SIZE advisors (the bench user among them) owning KEEP_OPEN
    open cases and as many open promises, with the handoffs to and from the team the seed made, and
    TOUCHED customers the bench user logged a contact with in the last days. Idempotent: a second
    run finds the shape made. Returns the bench user's id."""
    team = BENCH_TEAM.value
    with admin.begin() as connection:
        members = list(
            connection.execute(
                text("SELECT id FROM users WHERE team = :team AND active AND username <> :u ORDER BY id"),
                {"team": team, "u": BENCH_USER},
            ).scalars()
        )
        bench = connection.execute(
            text("SELECT id FROM users WHERE username = :u"), {"u": BENCH_USER}
        ).scalar_one()
        keep = [*members[: TEAM_SIZE - 1], bench]
        connection.execute(
            text("UPDATE users SET team = 'front_line' WHERE team = :team AND NOT (id = ANY(:keep))"),
            {"team": team, "keep": keep},
        )
        for table, still_open in (
            ("cases", "status IN ('open', 'in_progress', 'awaiting_customer')"),
            ("promises", "status = 'open'"),
        ):
            owned = connection.execute(
                text(f"SELECT count(*) FROM {table} WHERE {still_open} AND owner_id = ANY(:keep)"),
                {"keep": keep},
            ).scalar_one()
            connection.execute(
                text(
                    f"WITH picked AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM {table} "
                    f"WHERE {still_open} AND NOT (owner_id = ANY(:keep)) ORDER BY id LIMIT :n) "
                    f"UPDATE {table} t SET owner_id = (:keep)[1 + picked.n % :size] "
                    "FROM picked WHERE t.id = picked.id"
                ),
                {"keep": keep, "n": max(0, KEEP_OPEN - owned), "size": len(keep)},
            )
        touched = connection.execute(
            text("SELECT count(*) FROM contact_events WHERE advisor_id = :b"), {"b": bench}
        ).scalar_one()
        connection.execute(
            text(
                "INSERT INTO contact_events (id, customer_id, case_id, channel, direction, advisor_id, "
                "occurred_at, recorded_at, subject, summary) "
                "SELECT gen_random_uuid(), c.id, NULL, 'phone', 'inbound', :b, "
                "now() - (c.n || ' hours')::interval, now() - (c.n || ' hours')::interval, NULL, "
                "'Asked about the last bill' "
                "FROM (SELECT id, row_number() OVER (ORDER BY account_number DESC) AS n FROM customers "
                "      ORDER BY account_number DESC LIMIT :n) c"
            ),
            {"b": bench, "n": max(0, TOUCHED - touched)},
        )
    return uuid.UUID(str(bench))


def bench_user(admin: Engine) -> None:
    with admin.connect() as connection:
        found = connection.execute(
            text("SELECT 1 FROM users WHERE username = :u"), {"u": BENCH_USER}
        ).scalar()
    if found is None:
        add_user(admin, BENCH_USER, role=Role.ADVISOR, limit_pence=5_000, password=PASSWORD, team=BENCH_TEAM)


def stranger(admin: Engine) -> tuple[uuid.UUID, str, str]:
    """A customer outside the bench team's working set, with a phone: (id, phone, account)."""
    with admin.connect() as connection:
        row = connection.execute(
            text(
                "SELECT c.id, ph.e164, c.account_number FROM customers c "
                "JOIN customer_phones ph ON ph.customer_id = c.id "
                "WHERE c.account_number >= :a AND NOT c.deleted AND NOT EXISTS "
                "(SELECT 1 FROM cases k JOIN users u ON u.id = k.owner_id WHERE k.customer_id = c.id "
                " AND u.team = :team) ORDER BY c.account_number LIMIT 1"
            ),
            {"a": f"{10_000_000 + 612_345:08d}", "team": BENCH_TEAM.value},
        ).one()
    return row[0], row[1], row[2]


def spoken(e164: str) -> str:
    """A number as a customer reads it out: +447700900123 -> 07700 900123."""
    national = "0" + e164[3:] if e164.startswith("+44") else e164
    return f"{national[:5]} {national[5:]}"


def measure(folder: Path) -> int:
    server = start(folder / "pg")
    scratch = Path(tempfile.mkdtemp(prefix="advisor-console-bench-ws-"))
    try:
        uri = server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1)
        location = parse_location(uri)
        started = time.perf_counter()
        init_server(location)  # the schema and functions of this checkout (idempotent)
        print(f"server init: {time.perf_counter() - started:.1f} s", flush=True)
        admin = create_engine(uri)
        bench_user(admin)
        shape_team(admin)
        target, phone, account = stranger(admin)
        with admin.connect() as connection:
            customers = connection.execute(text("SELECT count(*) FROM customers")).scalar_one()
        admin.dispose()
        load = Path("/proc/loadavg").read_text().split()[:3]

        # First start of a new workstation: an empty store, signed in as the bench user.
        clock = SystemClock()
        wall, cpu = time.perf_counter(), time.process_time()
        store = open_store(parse_location(str(scratch / "new.db")))
        login = conninfo(location.url.set(username=BENCH_USER, password=None))
        engine = SyncEngine(store, connector(login), clock=clock, listen=False)
        summary = asyncio.run(engine.sync_once())
        first = summary.first_sync
        assert summary.offline is None and first is not None and first.finished, summary
        synced = time.perf_counter() - wall
        user = PeopleService(store).current_user(BENCH_USER)

        # A caller the workstation does not hold: the server's search by phone, then their pane.
        reads = ServerReads(reads_connector(login), clock=clock)
        finder = CustomerFinder(CustomerService(store), reads, lambda: True, clock=clock)
        with store.read() as session:
            assert not holdings.is_held(session, target)
        found = finder.search(spoken(phone))
        assert [m.id for m in found.matches][:1] == [target], (found, target)
        searched = time.perf_counter() - wall
        assert finder.ensure_held(target)
        pane = PaneService(store, clock, user).open(target)
        assert pane.profile.account_number == account
        opened = time.perf_counter() - wall
        process_cpu = time.process_time() - cpu
        reads.close()
        with store.read() as session:
            rows = sum(
                int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
                for table in ("users", "customers", "cases", "promises", "handoffs", "contact_events")
            )
        store.close()
        print(
            json.dumps(
                {
                    "server_customers": customers,
                    "working_set_customers": first.customers,
                    "first_sync_records": first.fetched,
                    "first_sync_pages": first.pages,
                    "store_rows": rows,
                    "first_sync_s": round(synced, 2),
                    "search_answered_s": round(searched, 2),
                    "pane_read_s": round(opened, 2),
                    "process_cpu_s": round(process_cpu, 2),
                    "loadavg": load,
                }
            ),
            flush=True,
        )
    finally:
        server.cleanup()
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


def data_folder(customers: int, given: str | None) -> Path:
    return Path(given or os.environ.get("BENCH_PG_DATA") or f"/work/bench-cache/pg-{customers}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("customers", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--data", default=None)
    parser.add_argument("--seed-only", action="store_true")
    arguments = parser.parse_args()
    warnings.simplefilter("ignore")
    folder = data_folder(arguments.customers, arguments.data)
    seed(folder, arguments.customers)
    if arguments.seed_only:
        return 0
    return measure(folder)


if __name__ == "__main__":
    raise SystemExit(main())
