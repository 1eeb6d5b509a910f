"""`make bench`: build (once, cached in .bench/) a seeded SQLite store and measure the figures.

Prints each figure with its floor (measured in the same run), the ratio and the target: search per
kind and the open-customer queries beside the same SQL on a bare sqlite3 connection, the history
scroll beside a bare QTableView of the same rows, cold start of the real program to a rendered pane
beside a bare PySide6 window (tests/bench/floor.py) and to its focused search box, the ticker and
worklist beside a bare model of the same rows, peak memory beside sqlite3 alone holding the same
history, sync against a throwaway local PostgreSQL (push beside plain INSERTs a page a call, pull
beside plain SQLite INSERTs of the same rows, approval to the advisor's store), and the
supervisor's board beside its reads' SQL on sqlite3. The ratio is the figure over its floor (for
rates, the floor's rate over the figure's). BENCH_CUSTOMERS sets the store's size (default
1,000,000: the first build takes about twenty minutes).
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from console.seed import seed_store
from console.services.customers import CustomerService
from storage.location import parse_location
from storage.store import open_store
from tests.bench.busy import ensure_busy_customer

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = 240
START, END = "<!-- make bench: start -->", "<!-- make bench: end -->"

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


class Table:
    """The figures as they are measured: printed at once, and written to BENCHMARKS.md at the end."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str, str]] = []
        print(f"{'figure':<44}{'p50':>10}{'p95':>10}{'floor p50':>10}{'ratio':>7}  target")

    def add(
        self,
        figure: str,
        p50: float,
        p95: float,
        target: str,
        bare: float | None = None,
        unit: str = "ms",
        ratio: float | None = None,
    ) -> None:
        """One row; the ratio is p50 over `bare` unless given (say, a median of paired runs' ratios)."""

        def fmt(value: float) -> str:
            return f"{value:.0f} {unit}" if unit != "ms" or value >= 100 else f"{value:.2f} {unit}"

        bare_text = fmt(bare) if bare is not None else ""
        if ratio is None and bare:
            ratio = p50 / bare
        row = (figure, fmt(p50), fmt(p95), bare_text, f"{ratio:.1f}" if ratio is not None else "", target)
        self.rows.append(row)
        print(f"{row[0]:<44}{row[1]:>10}{row[2]:>10}{row[3]:>10}{row[4]:>7}  {row[5]}", flush=True)

    def markdown(self, header: str) -> str:
        lines = [
            header,
            "",
            "| figure | p50 | p95 | floor p50 | ratio | target |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


def machine() -> str:
    memory = "unknown memory"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
        memory = f"{kb / 1024 / 1024:.0f} GiB"
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [
            line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines() if "model name" in line
        ]
        model = names[0] if names else model
    return f"{os.cpu_count()} cores ({model}), {memory}, Python {platform.python_version()}"


def write_benchmarks(section: str) -> None:
    """Replace the generated section of BENCHMARKS.md (between its markers) with `section`."""
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8")
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = f"{before}{START}\n{section}\n{END}{after}"
    else:
        text = f"{text.rstrip()}\n\n{START}\n{section}\n{END}\n"
    path.write_text(text, encoding="utf-8")


def main() -> int:
    began = time.perf_counter()
    load_at_start = os.getloadavg()[0]  # the machine is shared: the figures say how busy it was
    customers = int(os.environ.get("BENCH_CUSTOMERS", "1000000"))
    path = ROOT / ".bench" / f"store-{customers}.db"
    build(path, customers)
    store = open_store(parse_location(str(path)))
    ensure_busy_customer(store)
    service = CustomerService(store)
    bare = sqlite3.connect(path)
    events = bare.execute("SELECT count(*) FROM contact_events").fetchone()[0]
    print(
        f"\nstore: {customers:,} customers, {events:,} events ({path.stat().st_size / 1e9:.1f} GB); "
        f"{SAMPLES} samples each"
    )
    table = Table()
    for kind, texts in QUERIES.items():
        cycle = iter(texts * SAMPLES * 2)
        app = percentiles(timed(lambda cycle=cycle: service.search(next(cycle))))
        raw = percentiles(timed(lambda kind=kind: bare.execute(BARE[kind]).fetchall()))
        table.add(f"search as you type: {kind}", app[0], app[1], "p95 < 30 ms", raw[0])
    bare.close()
    store.close()

    pane = json.loads(
        subprocess.run(
            [sys.executable, "-m", "tests.bench.pane", str(path)],
            check=True,
            capture_output=True,
            text=True,
            env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
            cwd=ROOT,
        ).stdout
    )
    opened, opened_bare = pane["open"], pane["open_bare"]
    table.add(
        f"open a customer, Enter to pane painted ({pane['open_statements']} queries)",
        opened["p50"],
        opened["p95"],
        "p95 < 50 ms, <= 3x bare",
        opened_bare["p50"],
    )
    reads = pane["open_reads"]
    table.add(
        "open a customer: the reads alone (services)",
        reads["p50"],
        reads["p95"],
        "<= 3x bare",
        opened_bare["p50"],
    )
    scroll, cpu = pane["scroll_first"], pane["scroll_first_cpu"]
    floor, floor_cpu = pane["scroll_first_floor"], pane["scroll_first_floor_cpu"]
    table.add(
        f"history scroll, 2,000 of {pane['scroll_rows']:,} events: frame (worst {scroll['max']:.0f} ms; "
        f"UI thread's CPU p95 {cpu['p95']:.1f} ms, worst {cpu['max']:.1f} ms; floor's "
        f"{floor_cpu['p95']:.1f}, {floor_cpu['max']:.1f} ms)",
        scroll["p50"],
        scroll["p95"],
        "p95 < 8 ms, worst < 16 ms",
        floor["p50"],
    )
    scroll = pane["scroll"]
    table.add(
        f"history scroll, {pane['scroll_rows']:,} events: frame (worst {scroll['max']:.0f} ms; floor's "
        f"{pane['scroll_floor']['max']:.0f} ms)",
        scroll["p50"],
        scroll["p95"],
        "worst < 16 ms",
        pane["scroll_floor"]["p50"],
    )

    from tests.bench import cold_start

    cold = cold_start.measure(str(path))
    pane_ms, floor_ms = statistics.median(cold["pane_ms"]), statistics.median(cold["floor_ms"])
    table.add(
        f"cold start to a painted pane, {cold['runs']} runs in turn with the floor (ratio: median of "
        f"pairs; in CPU time {cold['pane_cpu_ratio']:.1f})",
        pane_ms,
        max(cold["pane_ms"]),
        "<= 3x the floor",
        floor_ms,
        ratio=cold["pane_ratio"],
    )
    shown = cold["shown_ms"]
    table.add(
        f"cold start to the focused search box ({len(shown)} runs; CPU to exit "
        f"{statistics.median(cold['shown_cpu_ms']):.0f} ms)",
        statistics.median(shown),
        max(shown),
        "< 0.5 s",
        statistics.median(cold["shown_floor_ms"]),
        ratio=cold["shown_ratio"],
    )

    from tests.bench import ticker  # Qt: imported only now, after the command-line figures

    ticks = ticker.measure()
    tick_floor = statistics.median(ticks["floor_tick_painted"])
    for key, label in (("minute", "due on the minute"), ("second", "due at any second")):
        p50, p95 = percentiles(ticks[f"tick_painted_{key}"])
        table.add(f"ticker, 10,000 promises, tick + repaint, {label}", p50, p95, "median < 2 ms", tick_floor)
    p50, p95 = percentiles(ticks["open_painted"])
    open_floor = statistics.median(ticks["floor_open_painted"])
    table.add("open the 10,000-promise worklist, painted", p50, p95, "< 100 ms", open_floor)
    bare_mb = float(
        subprocess.run(
            [sys.executable, "-m", "tests.bench.memory_floor", str(path)],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout
    )
    table.add(
        "peak memory (RSS), big store open, history scrolled; floor: sqlite3 alone holding the history",
        pane["peak_rss_mb"],
        pane["peak_rss_mb"],
        "< 300 MB",
        bare_mb,
        unit="MB",
    )
    header = (
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench` on {machine()}; "
        f"store of {customers:,} customers and {events:,} contact events."
    )
    sync = json.loads(
        subprocess.run(
            [sys.executable, "-m", "tests.bench.sync", "--json"],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout
    )
    rate = sync["push_per_second"]
    table.add(
        f"sync: push {sync['push_mutations']:,} mutations, per s (total {sync['push_seconds']:.1f} s)",
        rate,
        rate,
        "> 3,000/s",
        bare=sync["push_floor_per_second"],
        unit="/s",
        ratio=sync["push_floor_per_second"] / rate,
    )
    rate = sync["pull_per_second"]
    table.add(
        f"sync: pull {sync['pull_changes']:,} changes, per s (total {sync['pull_seconds']:.1f} s)",
        rate,
        rate,
        "",
        bare=sync["pull_floor_per_second"],
        unit="/s",
        ratio=sync["pull_floor_per_second"] / rate,
    )
    table.add(
        f"sync: supervisor's approval to the advisor's store, NOTIFY ({sync['approval_runs']} runs)",
        sync["approval_p50_ms"],
        sync["approval_p95_ms"],
        "< 5 s",
        sync["approval_floor_p50_ms"],
    )
    # The supervisor's board: every measure read and the board painted (tests/bench/board.py).
    board = json.loads(
        subprocess.run(
            [sys.executable, "-m", "tests.bench.board", str(path), "--json"],
            check=True,
            capture_output=True,
            text=True,
            env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
            cwd=ROOT,
        ).stdout
    )
    for kind in ("today", "this_week", "this_month", "last_4_weeks"):
        bare = board[f"bare_{kind}"][1]
        for key, label in (("read", "every measure read"), ("open", "read, filled and painted")):
            _, median, worst = board[f"{key}_{kind}"]
            table.add(
                f"board, {kind.replace('_', ' ')}: {label} (median, worst of {board['runs']}; floor: the "
                "reads' SQL on sqlite3)",
                median,
                worst,
                "< 1 s",
                bare,
            )
    minutes = (time.perf_counter() - began) / 60
    loads = f"load average {load_at_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    print(f"make bench took {minutes:.0f} min; {loads}")
    write_benchmarks(table.markdown(f"{header} The run took {minutes:.0f} min; {loads}."))
    return 0


if __name__ == "__main__":
    sys.exit(main())
