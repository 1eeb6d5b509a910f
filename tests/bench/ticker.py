"""The shared ticker with 10,000 open promises on screen: `python -m tests.bench.ticker`.

Builds the "My promises" worklist model over 10,000 in-memory PromiseRecords, shows it in its real
table view offscreen (1366x768), then measures on the UI thread:
- opening the worklist: the model reset, and the reset plus the first paint;
- one tick (the Ticker reading the clock, the models announcing their countdown and state columns,
  and the window's per-tick work: newly-due promises and the overdue count), ~500 times;
- the same tick followed by the repaint it causes: only the countdown and state strip of the visible
  rows is repainted (widgets.views.HintTableView), so only those rows' words are computed.
Prints median and p95 in milliseconds. No database: the figures are the widgets' own. The floor:
the same rows' text in a bare model and QTableView (tests/bench/bare_qt.py), opened and ticked.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import gc
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication

from console.clock import ManualClock
from domain.records import PromiseRecord
from domain.vocabulary import PromiseKind, PromiseStatus
from tests.bench import bare_qt
from widgets.promise_text import workstation_zone
from widgets.promises.models import PromiseColumn, WorklistModel
from widgets.promises.panels import WorklistPanel
from widgets.ticker import Ticker

PROMISES = 10_000
TICKS = 500
NOW = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)
KINDS = [PromiseKind.CALLBACK, PromiseKind.PROGRESS_UPDATE, PromiseKind.ENGINEER_VISIT, PromiseKind.CREDIT]


def promises(count: int, any_second: bool = False) -> list[PromiseRecord]:
    """`count` open promises due from two hours ago to about two weeks ahead, a few due soon.

    Due on the minute, as the dialog's custom times are; or, with `any_second`, at every second of the
    minute, as "in 1 hour" from a clock reading gives: the worst case for the ticker.
    """
    owner = uuid.UUID(int=1)
    out = []
    for n in range(count):
        due = NOW + timedelta(minutes=-120 + n * 2, seconds=(n * 37) % 60 if any_second else 0)
        out.append(
            PromiseRecord(
                id=uuid.UUID(int=10_000 + n),
                customer_id=uuid.UUID(int=1_000_000 + n),
                customer_name=f"Customer {n:05d} Example-Name",
                account_number=f"{40_000_000 + n}",
                case_id=None,
                case_reference=f"CS-{n:07d}" if n % 3 == 0 else None,
                kind=KINDS[n % len(KINDS)],
                owner_id=owner,
                owner_name="Alex Advisor",
                created_at=NOW - timedelta(days=1),
                due_at=due,
                window_end_at=due + timedelta(hours=3) if n % 7 == 0 else None,
                phone_e164="+447700900123",
                note="Call back with the engineer date",
                status=PromiseStatus.OPEN,
                outcome=None,
                closed_at=None,
                escalated_at=None,
                version=1,
            )
        )
    return out


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    return (
        f"median {statistics.median(ordered):.3f} ms, p95 {ordered[int(len(ordered) * 0.95)]:.3f} ms, "
        f"max {ordered[-1]:.3f} ms"
    )


def measure_ticks(
    app: QApplication, clock: ManualClock, model: WorklistModel
) -> tuple[list[float], list[float]]:
    """`TICKS` one-second ticks: the tick alone, and the tick with the repaint it causes (ms)."""
    ticker = Ticker(clock)
    ticker.add(model)

    def window_work(now: datetime) -> None:  # what MainWindow._after_tick adds per tick
        model.newly_due(now)
        model.overdue_count(now)

    ticker.ticked.connect(window_work)
    ticks, ticks_painted = [], []
    for _ in range(TICKS):
        clock.advance(timedelta(seconds=1))
        started = time.perf_counter()
        ticker.tick()
        ticked = time.perf_counter()
        app.processEvents()  # the repaint the tick asked for (only the changed cells), UI thread too
        painted = time.perf_counter()
        ticks.append((ticked - started) * 1000)
        ticks_painted.append((painted - started) * 1000)
    return ticks, ticks_painted


def measure() -> dict[str, list[float]]:
    """Every sample in milliseconds, by figure name; also prints them as they come."""
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    clock = ManualClock(NOW)
    zone = workstation_zone()
    model = WorklistModel(clock.now(), zone=zone)
    panel = WorklistPanel(model)
    panel.resize(1366, 768)
    panel.show()
    app.processEvents()
    records = promises(PROMISES)
    gc.collect()
    gc.disable()  # the app collects on its own timer (widgets.gc_guard), never mid-tick

    opens, opens_painted = [], []
    for _ in range(10):
        started = time.perf_counter()
        model.set_promises(records, clock.now())
        reset = time.perf_counter()
        panel.view.viewport().repaint()  # the first paint, synchronously
        painted = time.perf_counter()
        opens.append((reset - started) * 1000)
        opens_painted.append((painted - started) * 1000)
        model.set_promises([], clock.now())
        panel.view.viewport().repaint()
    model.set_promises(records, clock.now())
    for _ in range(3):  # the delayed layout after the reset
        app.processEvents()

    rows_shown = panel.view.rowAt(panel.view.viewport().height() - 1) + 1
    print(f"worklist: {model.rowCount():,} open promises, {rows_shown} rows visible, {TICKS} ticks")
    print(f"open worklist (model reset):               {summary(opens)}")
    print(f"open worklist (reset + first paint):       {summary(opens_painted)}")
    figures = {"open": opens, "open_painted": opens_painted}
    for key, label, shape in (
        ("minute", "due on the minute", records),
        ("second", "due at any second", promises(PROMISES, True)),
    ):
        model.set_promises(shape, clock.now())
        for _ in range(3):  # the delayed layout after the reset
            app.processEvents()
        ticks, ticks_painted = measure_ticks(app, clock, model)
        figures[f"tick_{key}"], figures[f"tick_painted_{key}"] = ticks, ticks_painted
        print(f"{label}:")
        print(f"  one tick (clock, dataChanged, due check):  {summary(ticks)}")
        print(f"  one tick + the repaint it causes:          {summary(ticks_painted)}")
    figures.update(bare_floor(app, model, panel))
    gc.enable()
    panel.close()
    return figures


def bare_floor(app: QApplication, model: WorklistModel, panel: WorklistPanel) -> dict[str, list[float]]:
    """The floor: the worklist's rows as the model shows them, plain text in a bare model and Qt's
    own QTableView of the same size; opening it (reset + first paint), and a tick's least work (the
    visible cells of the countdown and state columns repainted)."""
    columns = model.columnCount()
    rows = [
        tuple(str(model.data(model.index(row, column)) or "") for column in range(columns))
        for row in range(model.rowCount())
    ]
    bare = bare_qt.BareTable([], columns)
    width, height = panel.view.width(), panel.view.height()
    row_height = panel.view.verticalHeader().defaultSectionSize()
    view = bare_qt.bare_view(bare, width, height, row_height)
    opens, ticks = [], []
    for _ in range(10):
        started = time.perf_counter()
        bare.reset(rows)
        view.viewport().repaint()
        opens.append((time.perf_counter() - started) * 1000)
        bare.reset([])
        view.viewport().repaint()
    bare.reset(rows)
    for _ in range(3):
        app.processEvents()
    countdown = model.COLUMNS.index(PromiseColumn.COUNTDOWN)
    left = view.columnViewportPosition(countdown)
    width = view.columnViewportPosition(countdown + 1) + view.columnWidth(countdown + 1) - left
    strip = QRect(left, 0, width, view.viewport().height())  # the countdown and state columns
    for _ in range(TICKS):
        started = time.perf_counter()
        view.viewport().update(strip)
        app.processEvents()
        ticks.append((time.perf_counter() - started) * 1000)
    view.close()
    print(f"floor, a bare model of the same rows: open {summary(opens)}; tick + repaint {summary(ticks)}")
    return {"floor_open_painted": opens, "floor_tick_painted": ticks}


def main() -> int:
    measure()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
