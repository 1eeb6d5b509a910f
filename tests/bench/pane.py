"""The pane's own figures on a big store, in a process of its own so its peak memory is the console's:
`python -m tests.bench.pane STORE` prints one JSON object.

- open a customer: from the request (what Enter does) to the pane painted: header, first history page,
  cases, promises, handoffs, offers or banner, goodwill; beside it the same SQL statements run bare
  with sqlite3 (captured from one opening), for the ratio;
- scroll the 50,000-event history a page at a time, over its first 2,000 rows and then from top to
  bottom: every frame's UI-thread time, pages arriving from the background reader included;
- peak resident memory of the process (VmHWM) with the big store open, after both;
- the scroll's floor: the same rows as plain text in a bare QTableView, paged down the same way
  (tests/bench/bare_qt.py), measured after the peak memory is read.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json
import sqlite3
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication
from sqlalchemy import event

from storage.location import parse_location
from storage.store import open_store
from tests.bench import bare_qt, memory_floor
from tests.bench.busy import ensure_busy_customer
from widgets.app import application, build_window, quiet_harmless_qt_messages
from widgets.gc_guard import GuiThreadGarbageCollector
from widgets.main_window import MainWindow

OPENINGS = 200
STORY_ACCOUNTS = ("10000001", "10000002", "10000003", "10000004")
SCROLL_ROWS = 2_000  # the first rows of the busy history, paged down from a fresh opening


def wait_until(done: Callable[[], bool], limit_s: float = 30.0) -> None:
    app = QCoreApplication.instance()
    assert app is not None
    deadline = time.perf_counter() + limit_s
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError("the pane did not finish loading")
        app.processEvents()
        time.sleep(0.0002)  # the background reader's thread needs the GIL to run the queries


def open_painted(window: MainWindow, customer_id: uuid.UUID) -> float:
    """Milliseconds from asking for the customer to the whole pane painted."""
    arrived: list[str] = []
    opened = window.customer_opened.connect(lambda *_: arrived.append("pane"))
    goodwill = window.goodwill_loaded.connect(lambda *_: arrived.append("goodwill"))
    started = time.perf_counter()
    window.open_customer(customer_id)
    wait_until(lambda: "pane" in arrived and "goodwill" in arrived)
    app = QCoreApplication.instance()
    assert app is not None
    app.processEvents()  # the layout and paint the new contents asked for
    elapsed = (time.perf_counter() - started) * 1000
    window.customer_opened.disconnect(opened)
    window.goodwill_loaded.disconnect(goodwill)
    return elapsed


def captured_statements(store_engine: Any, action: Callable[[], object]) -> list[tuple[str, Any]]:
    """The SQL statements and parameters `action` sends, as the driver receives them."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        seen.append((statement, parameters))

    event.listen(store_engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(store_engine, "before_cursor_execute", record)
    return seen


def scroll_frames(
    window: MainWindow, rows: int | None = None, clock: Callable[[], float] = time.perf_counter
) -> tuple[list[float], int]:
    """Page down the open customer's history to its last row (or past its first `rows` rows): each
    frame's milliseconds by `clock` (wall time, or `time.thread_time`: the UI thread's CPU time),
    and the rows scrolled past."""
    app = QCoreApplication.instance()
    assert app is not None
    view = window.pane.history_panel.view
    model = window.pane.history_model
    bar = view.verticalScrollBar()
    frames: list[float] = []
    while True:
        started = clock()
        bar.setValue(bar.value() + bar.pageStep())
        app.processEvents()
        frames.append((clock() - started) * 1000)
        if rows is not None and view.rowAt(view.viewport().height() - 1) >= rows:
            return frames, rows
        if bar.value() >= bar.maximum():
            if not (model.loading or model.canFetchMore(view.rootIndex())):
                break
            while model.loading:  # the next page is being read: the turn it arrives in is a frame
                shown = model.rowCount()
                started = clock()
                app.processEvents()
                if model.rowCount() != shown:  # the turns before it paint nothing
                    frames.append((clock() - started) * 1000)
                time.sleep(0.0002)
    return frames, model.rowCount()


def scroll_floor(window: MainWindow, path: str) -> dict[str, Any]:
    """The scroll figures' floor: the same rows as plain text in a bare QTableView (Qt's own
    delegate) of the history view's size and row height, paged down the same way."""
    view = window.pane.history_panel.view
    columns = window.pane.history_model.columnCount()
    model = bare_qt.BareTable(memory_floor.history(path, SCROLL_ROWS), columns)
    bare = bare_qt.bare_view(model, view.width(), view.height(), view.verticalHeader().defaultSectionSize())
    first = bare_qt.page_down_frames(bare, time.perf_counter)
    first_cpu = bare_qt.page_down_frames(bare, time.thread_time)
    model.reset(memory_floor.history(path))
    every = bare_qt.page_down_frames(bare, time.perf_counter)
    bare.close()
    return {
        "scroll_first_floor": percentiles(first),
        "scroll_first_floor_cpu": percentiles(first_cpu),
        "scroll_floor": percentiles(every),
    }


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50": statistics.median(ordered),
        "p95": ordered[int(len(ordered) * 0.95)],
        "max": ordered[-1],
    }


def main(path: str) -> dict[str, Any]:
    store = open_store(parse_location(path))
    busy = ensure_busy_customer(store)
    app = application()
    quiet_harmless_qt_messages()
    collector = GuiThreadGarbageCollector(app)  # as the console runs: collections on the GUI thread
    collector.start()
    window = build_window(store, "advisor", auto_tick=False)
    window.resize(1600, 1000)
    window.show()
    service = window.service
    ids = [service.find_account(account).id for account in STORY_ACCOUNTS]
    for customer_id in ids * 5:  # warm-up
        open_painted(window, customer_id)
    opens = [open_painted(window, ids[n % len(ids)]) for n in range(OPENINGS)]

    workbench = window.workbench
    assert workbench is not None

    def read_pane(customer_id: uuid.UUID) -> None:  # the worker's job when a customer is opened
        workbench.pane.open(customer_id)  # header, history, cases, promises, handoffs, offers, goodwill

    reads = []
    for n in range(OPENINGS):
        started = time.perf_counter()
        read_pane(ids[n % len(ids)])
        reads.append((time.perf_counter() - started) * 1000)

    statements = captured_statements(store.engine, lambda: open_painted(window, ids[2]))
    bare = sqlite3.connect(path, isolation_level=None)  # the captured BEGIN opens the transaction
    bare_samples = []
    for _ in range(OPENINGS):
        started = time.perf_counter()
        for statement, parameters in statements:
            bare.execute(statement, parameters).fetchall()
        if bare.in_transaction:  # the pane's snapshot ends here, as the store's does
            bare.execute("ROLLBACK")
        bare_samples.append((time.perf_counter() - started) * 1000)
    bare.close()

    open_painted(window, busy)
    first, _ = scroll_frames(window, SCROLL_ROWS)
    open_painted(window, busy)
    first_cpu, _ = scroll_frames(window, SCROLL_ROWS, time.thread_time)
    open_painted(window, busy)
    frames, rows = scroll_frames(window)
    peak_mb = memory_floor.peak_rss_mb()
    floor = scroll_floor(window, path)
    window.close()
    store.close()
    return {
        "open": percentiles(opens),
        "open_bare": percentiles(bare_samples),
        "open_reads": percentiles(reads),
        "open_statements": len(statements),
        "scroll_first": percentiles(first),
        "scroll_first_cpu": percentiles(first_cpu),
        "scroll": percentiles(frames),
        "scroll_frames": len(frames),
        "scroll_rows": rows,
        "peak_rss_mb": peak_mb,
        **floor,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
