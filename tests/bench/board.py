"""Opening the supervisor's board on a seeded store: `python -m tests.bench.board STORE` (also run at
the end of `make bench`).

Measures, for each period, reading every measure (`BoardService.read`: promises at risk, late
handoffs, the iceberg, root causes, per-advisor measures) and opening the board: the same read, the
models and charts filled, and the whole board painted offscreen at 1600x1000. Median and worst of
a few runs, in milliseconds; the first (cold) run is reported apart. The floor: the statements
the read sends, replayed on a plain sqlite3 connection. `--json`: the figures as one JSON object
on stdout (the table on stderr), as `make bench` reads them.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from PySide6.QtWidgets import QApplication
from sqlalchemy import event

from console.board.periods import PeriodKind, period
from console.clock import SystemClock
from console.services.people import PeopleService
from storage.location import parse_location
from storage.store import Store, open_store
from widgets.background import BackgroundReader
from widgets.board.panel import SupervisorBoard
from widgets.promise_text import workstation_zone
from widgets.workbench import workbench_for

RUNS = int(os.environ.get("BOARD_RUNS", "5"))
TRANSACTION_WORDS = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def bare_reads(store: Store, path: Path, action: Callable[[], object]) -> list[float]:
    """The floor: the statements `action` sends (captured once, from every connection it uses),
    replayed on one plain sqlite3 connection, RUNS times; milliseconds each."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        seen.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    bare = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    samples = []
    for _ in range(RUNS + 1):
        started = time.perf_counter()
        for statement, parameters in seen:
            if not statement.lstrip().upper().startswith(TRANSACTION_WORDS):
                bare.execute(statement, parameters).fetchall()
        samples.append(ms(started))
    bare.close()
    return samples


def main(path: Path, out: TextIO = sys.stdout) -> dict[str, Any]:
    """Every figure, printed to `out` as measured and returned (milliseconds: cold, median, worst)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    store = open_store(parse_location(str(path)))
    clock = SystemClock()
    workbench = workbench_for(store, clock, PeopleService(store).current_user("supervisor"))
    reader = BackgroundReader()
    board = SupervisorBoard(workbench, reader, clock, workstation_zone())
    board.resize(1600, 1000)
    board.show()
    app.processEvents()
    advisors = len([u for u in workbench.people.colleagues() if u.role.value == "advisor"])
    print(f"\nboard: {path.name}, {advisors} active advisors; {RUNS} runs after one cold run", file=out)
    print(f"{'figure':<40}{'cold':>8}{'median':>9}{'worst':>8}", file=out)
    figures: dict[str, Any] = {"runs": RUNS}
    for kind in (PeriodKind.TODAY, PeriodKind.THIS_WEEK, PeriodKind.THIS_MONTH, PeriodKind.LAST_4_WEEKS):
        chosen = period(kind, clock.now())
        reads, opens = [], []
        for _ in range(RUNS + 1):
            started = time.perf_counter()
            workbench.board.read(chosen)
            reads.append(ms(started))
        board._period = chosen  # the benchmark sets the period without a re-read
        for _ in range(RUNS + 1):
            started = time.perf_counter()
            board.load_now()
            board.repaint()
            app.processEvents()
            opens.append(ms(started))
        bare = bare_reads(store, path, lambda chosen=chosen: workbench.board.read(chosen))
        for name, key, samples in (
            (f"read all measures: {kind.value}", "read", reads),
            (f"open board: {kind.value}", "open", opens),
            (f"bare SQL of the reads: {kind.value}", "bare", bare),
        ):
            warm = samples[1:]
            figures[f"{key}_{kind.value}"] = [samples[0], statistics.median(warm), max(warm)]
            print(f"{name:<40}{samples[0]:>8.0f}{statistics.median(warm):>9.0f}{max(warm):>8.0f}", file=out)
    board.close()
    reader.shutdown()
    store.close()
    return figures


if __name__ == "__main__":
    as_json = "--json" in sys.argv[2:]
    found = main(Path(sys.argv[1]), out=sys.stderr if as_json else sys.stdout)
    if as_json:
        print(json.dumps(found))
