"""Demo and load-test data: `seed_store` fills an empty store with realistic UK telecom customers,
their histories and four hand-written stories, deterministically for a given seed and time."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from console.seed import generator
from console.seed.generator import MAX_CUSTOMERS, generate
from storage import bulk
from storage.store import Store

__all__ = ["MAX_CUSTOMERS", "SeedReport", "generate", "seed_store"]

# From this many customers, a SQLite store is seeded by two processes (one generates, one
# writes); below it, starting the worker would cost more than it saves.
PARALLEL_FROM = 20_000


@dataclass(frozen=True)
class SeedReport:
    """Rows written per kind (the four story customers included) and the time it took."""

    customers: int
    events: int
    cases: int
    promises: int
    handoffs: int
    goodwill: int
    offers: int
    users: int
    elapsed_seconds: float

    def summary(self) -> str:
        return (
            f"{self.customers:,} customers, {self.events:,} contact events, {self.cases:,} cases, "
            f"{self.promises:,} promises, {self.handoffs:,} handoffs, {self.goodwill:,} goodwill "
            f"requests, {self.offers:,} offers, {self.users:,} users "
            f"in {self.elapsed_seconds:.1f} s"
        )


def seed_store(
    store: Store,
    *,
    customers: int,
    seed: int = 1,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SeedReport:
    """Fill an empty store with `customers` generated customers plus the stories.

    Everything but `now` (default: the current UTC time, so promises fall due around the
    demo) is decided by `seed`. `progress(done, total)` is called as customers are generated.
    Raises ValueError for a count out of range or a store that already has data.
    """
    if not 1 <= customers <= MAX_CUSTOMERS:
        raise ValueError(f"customers must be between 1 and {MAX_CUSTOMERS:,}, not {customers:,}")
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    existing = bulk.count_rows(store.engine, "customers")
    if existing:
        raise ValueError(f"store already has {existing:,} customers; seed an empty store")
    users = bulk.count_rows(store.engine, "users")
    if users:
        plural = "" if users == 1 else "s"
        raise ValueError(f"store already has {users:,} user{plural}; seed an empty store")
    # Imported here: the worker module also runs as `python -m console.seed.worker`, and must
    # not be imported by its own package before that.
    from console.seed import worker

    parallel = (
        store.location.is_sqlite
        and customers >= PARALLEL_FROM
        and (os.cpu_count() or 1) > 1
        and worker.can_run()
    )
    started = time.perf_counter()
    # Millions of short-lived rows without reference cycles: the cycle collector would only
    # walk them again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        # The generator's references are consistent by construction (the tests check them
        # with PRAGMA foreign_key_check), so SQLite need not look each one up.
        with bulk.BulkLoader(store.engine, check_foreign_keys=False) as loader:
            if parallel:
                chunks = worker.from_worker(
                    customers,
                    seed=seed,
                    now=now,
                    chunk_rows=loader.chunk_rows,
                    batch_customers=generator.BATCH_CUSTOMERS,
                )
                for chunk, done in chunks:
                    loader.write_prepared(chunk)
                    if progress is not None and done:
                        progress(done, customers)
            else:
                for rows, done in generate(customers, seed=seed, now=now):
                    loader.add(rows.tables())
                    if progress is not None and done:
                        progress(done, customers)
    finally:
        if collecting:
            gc.enable()
    written = loader.written
    return SeedReport(
        customers=written.get("customers", 0),
        events=written.get("contact_events", 0),
        cases=written.get("cases", 0),
        promises=written.get("promises", 0),
        handoffs=written.get("handoffs", 0),
        goodwill=written.get("goodwill", 0),
        offers=written.get("offers", 0),
        users=written.get("users", 0),
        elapsed_seconds=time.perf_counter() - started,
    )
