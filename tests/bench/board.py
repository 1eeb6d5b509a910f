"""Opening the supervisor's board on a seeded store: `python -m tests.bench.board STORE` (also run at
the end of `make bench`).

Measures, for each period, reading every measure (`BoardService.read`: promises at risk, late
handoffs, the iceberg, root causes, per-advisor measures) and opening the board: the same read, the
models and charts filled, and the whole board painted offscreen at 1600x1000. Median and worst of
a few runs, in milliseconds; the first (cold) run is reported apart.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import statistics
import sys
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from console.board.periods import PeriodKind, period
from console.clock import SystemClock
from console.services.people import PeopleService
from storage.location import parse_location
from storage.store import open_store
from widgets.background import BackgroundReader
from widgets.board.panel import SupervisorBoard
from widgets.promise_text import workstation_zone
from widgets.workbench import workbench_for

RUNS = int(os.environ.get("BOARD_RUNS", "5"))


def ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def main(path: Path) -> int:
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
    print(f"\nboard: {path.name}, {advisors} active advisors; {RUNS} runs after one cold run")
    print(f"{'figure':<40}{'cold':>8}{'median':>9}{'worst':>8}")
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
        for name, samples in (
            (f"read all measures: {kind.value}", reads),
            (f"open board: {kind.value}", opens),
        ):
            warm = samples[1:]
            print(f"{name:<40}{samples[0]:>8.0f}{statistics.median(warm):>9.0f}{max(warm):>8.0f}")
    board.close()
    reader.shutdown()
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
