"""`make bench`: build (once, cached in .bench/) a seeded SQLite store and measure the figures.

Prints p50/p95 of search per kind and the open-customer queries, with the bare-SQL baseline
beside each, cold start of the real program to a rendered window, and opening the supervisor's
board. BENCH_CUSTOMERS sets the store's size (default 1,000,000: the first build takes about ten
minutes).
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from console.seed import seed_store
from console.services.customers import CustomerService
from storage.location import parse_location
from storage.store import open_store

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = 240

QUERIES = {
    "account": ["10000003", "40012345", "4005", "40999"],
    "phone": ["07700 900123", "+44 7700 900123", "(0)7700-900123", "07700 9001"],
    "name": ["smith", "priya sh", "holloway", "jo"],
    "postcode": ["sw1a 1aa", "LS11 5QN", "M1", "b33 8th"],
    "email": ["chloe.bennett@", "j.smith@", "a@"],
}
# The same look-ups as bare SQL, for the ratio: what the application adds on top.
BARE = {
    "account": "SELECT id FROM customers WHERE account_number >= '4005' AND account_number < '4006' "
    "ORDER BY account_number LIMIT 50",
    "phone": "SELECT customer_id FROM customer_phones WHERE e164 >= '+447700900123' "
    "AND e164 < '+447700900124' ORDER BY e164 LIMIT 50",
    "name": "SELECT id FROM customers WHERE family_key >= 'jo' AND family_key < 'jp' "
    "ORDER BY family_key, given_key LIMIT 50",
    "postcode": "SELECT id FROM customers WHERE postcode_key >= 'M1' AND postcode_key < 'M2' "
    "ORDER BY postcode_key LIMIT 50",
    "email": "SELECT id FROM customers WHERE email_key >= 'j.smith@' AND email_key < 'j.smith@~' "
    "ORDER BY email_key LIMIT 50",
}


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95)]


def timed(action: Callable[[], object], samples: int = SAMPLES) -> list[float]:
    for _ in range(20):
        action()
    out = []
    for _ in range(samples):
        started = time.perf_counter()
        action()
        out.append((time.perf_counter() - started) * 1000)
    return out


def build(path: Path, customers: int) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".building")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    print(f"building {path} with {customers:,} customers (once)…", flush=True)
    store = open_store(parse_location(str(partial)))
    report = seed_store(store, customers=customers, seed=1)
    store.close()
    partial.rename(path)
    print(f"built in {report.elapsed_seconds:.0f} s: {report.summary()}", flush=True)


def main() -> int:
    customers = int(os.environ.get("BENCH_CUSTOMERS", "1000000"))
    path = ROOT / ".bench" / f"store-{customers}.db"
    build(path, customers)
    store = open_store(parse_location(str(path)))
    service = CustomerService(store)
    bare = sqlite3.connect(path)
    print(f"\nstore: {customers:,} customers ({path.stat().st_size / 1e9:.1f} GB); {SAMPLES} samples each")
    print(f"{'figure':<28}{'p50 ms':>9}{'p95 ms':>9}{'bare p50':>10}{'ratio':>7}")
    for kind, texts in QUERIES.items():
        cycle = iter(texts * SAMPLES * 2)
        app = percentiles(timed(lambda cycle=cycle: service.search(next(cycle))))
        raw = percentiles(timed(lambda kind=kind: bare.execute(BARE[kind]).fetchall()))
        print(f"{'search: ' + kind:<28}{app[0]:>9.2f}{app[1]:>9.2f}{raw[0]:>10.2f}{app[0] / raw[0]:>7.1f}")
    story = service.find_account("10000003")

    def open_customer() -> None:
        service.profile(story.id)
        service.history(story.id)
        service.cases(story.id)

    app = percentiles(timed(open_customer))
    print(f"{'open customer (queries)':<28}{app[0]:>9.2f}{app[1]:>9.2f}")
    store.close()

    starts = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "console",
                "screenshot",
                str(ROOT / ".bench" / "start.png"),
                "--db",
                str(path),
                "--customer",
                "10000003",
            ],
            check=True,
            capture_output=True,
            env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        )
        starts.append(time.perf_counter() - started)
    median, worst = statistics.median(starts) * 1000, max(starts) * 1000
    print(f"{'cold start to rendered pane':<28}{median:>9.0f}{worst:>9.0f}  (median and worst of 5)")

    # The supervisor's board: every measure read and the board painted (tests/bench/board.py).
    board = subprocess.run(
        [sys.executable, "-m", "tests.bench.board", str(path)],
        check=True,
        capture_output=True,
        text=True,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )
    print(board.stdout, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
