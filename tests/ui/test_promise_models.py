"""The promise, worklist and handoff models pass Qt's model tester; a tick announces only what changed."""

from __future__ import annotations

import uuid
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from domain.records import HandoffRecord, PromiseRecord
from domain.vocabulary import HandoffKind, HandoffStatus, PromiseKind, PromiseStatus, Team
from tests.ui.support import NOW
from tests.ui.work_support import LONDON
from widgets.handoffs.model import HandoffModel
from widgets.main_window import MainWindow
from widgets.promises.models import CustomerPromiseModel, PromiseColumn, WorklistModel
from widgets.promises.panels import WorklistPanel
from widgets.ticker import Ticker


def promise(n: int, due_in: timedelta, status: PromiseStatus = PromiseStatus.OPEN) -> PromiseRecord:
    closed = NOW - timedelta(hours=1) if status is not PromiseStatus.OPEN else None
    return PromiseRecord(
        id=uuid.UUID(int=n + 1),
        customer_id=uuid.UUID(int=1000 + n),
        customer_name=f"Customer {n}",
        account_number=f"{40000000 + n}",
        case_id=None,
        case_reference="CS-0000001" if n % 2 else None,
        kind=list(PromiseKind)[n % len(PromiseKind)],
        owner_id=uuid.UUID(int=99),
        owner_name="Alex Morgan",
        created_at=NOW - timedelta(days=1),
        due_at=NOW + due_in,
        window_end_at=NOW + due_in + timedelta(hours=2) if n % 3 == 0 else None,
        phone_e164="+447700900123",
        note="Call about the line",
        status=status,
        outcome="Spoke to her" if closed else None,
        closed_at=closed,
        escalated_at=NOW if due_in < timedelta(0) else None,
        version=1,
    )


def handoff(n: int, status: HandoffStatus, ack_in: timedelta) -> HandoffRecord:
    acknowledged = status is not HandoffStatus.AWAITING_ACK
    return HandoffRecord(
        id=uuid.UUID(int=500 + n),
        customer_id=uuid.UUID(int=1000),
        case_id=None,
        case_reference=None,
        kind=HandoffKind.ORDER if n % 2 else HandoffKind.TASK,
        summary=f"Handoff {n}\nsecond line",
        from_team=Team.SALES,
        to_team=Team.PROVISIONING,
        created_by_name="Alex Morgan",
        created_at=NOW - timedelta(days=1),
        acknowledge_by=NOW + ack_in,
        acknowledged_by_name="Pete Provisioning" if acknowledged else None,
        acknowledged_at=NOW - timedelta(hours=2) if acknowledged else None,
        done_by=NOW - timedelta(hours=1) if n == 3 else None,
        done_at=NOW if status is HandoffStatus.DONE else None,
        status=status,
        version=1,
    )


PROMISES = [
    promise(0, timedelta(minutes=-90)),
    promise(1, timedelta(minutes=10)),
    promise(2, timedelta(days=2)),
    promise(3, timedelta(hours=-5), PromiseStatus.DONE),
    promise(4, timedelta(hours=-2), PromiseStatus.RESCHEDULED),
]


def test_customer_promise_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = CustomerPromiseModel(NOW, zone=LONDON)
    qtmodeltester.check(model)
    model.set_promises(PROMISES, NOW)
    qtmodeltester.check(model)
    model.tick(NOW + timedelta(minutes=5))
    qtmodeltester.check(model)
    states = [model.index(row, model.column_of(PromiseColumn.STATE)).data() for row in range(5)]
    assert states == ["Overdue, escalated", "Due soon", "On track", "Done", "Rescheduled"]


def test_worklist_model_passes_the_model_tester_and_keeps_open_ones_by_due(
    qtmodeltester: ModelTester,
) -> None:
    model = WorklistModel(NOW, zone=LONDON)
    qtmodeltester.check(model)
    model.set_promises(list(reversed(PROMISES)), NOW)
    qtmodeltester.check(model)
    assert [model.promise_at(row).id.int for row in range(model.rowCount())] == [1, 2, 3]  # type: ignore[union-attr]
    assert model.overdue_count(NOW) == 1
    assert [p.id.int for p in model.newly_due(NOW)] == [1, 2]  # overdue, and due within 15 min
    assert model.newly_due(NOW + timedelta(seconds=1)) == []
    model.set_promises(PROMISES, NOW)  # a reload does not announce them again
    assert model.newly_due(NOW + timedelta(days=3)) == [PROMISES[2]]


def test_handoff_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = HandoffModel(NOW, zone=LONDON)
    qtmodeltester.check(model)
    model.set_handoffs(
        [
            handoff(0, HandoffStatus.AWAITING_ACK, timedelta(hours=-49)),
            handoff(1, HandoffStatus.AWAITING_ACK, timedelta(hours=3)),
            handoff(2, HandoffStatus.ACKNOWLEDGED, timedelta(hours=-3)),
            handoff(3, HandoffStatus.ACKNOWLEDGED, timedelta(hours=-3)),
            handoff(4, HandoffStatus.DONE, timedelta(hours=-3)),
            handoff(5, HandoffStatus.CANCELLED, timedelta(hours=-3)),
        ],
        NOW,
    )
    qtmodeltester.check(model)
    assert [model.index(row, 0).data() for row in range(6)] == [
        "Not acknowledged — 2 days 1 h late",  # the countdown words of promises, one formatter
        "Awaiting acknowledgement (3 h left)",
        "Acknowledged by Pete Provisioning, Tue 24 Nov 12:05",
        "Acknowledged by Pete Provisioning, Tue 24 Nov 12:05 — past done-by",
        "Done Tue 24 Nov 14:05",
        "Cancelled",
    ]
    assert model.dropped_count() == 1


def test_a_tick_is_one_data_change_over_the_countdown_and_state_columns(qtbot: QtBot) -> None:
    model = WorklistModel(NOW, zone=LONDON)
    model.set_promises([promise(n, timedelta(minutes=n)) for n in range(1, 200)], NOW)
    changes: list[tuple[int, int, int, int]] = []
    resets: list[None] = []

    def changed(top_left: QModelIndex, bottom_right: QModelIndex, roles: object = None) -> None:
        changes.append((top_left.row(), top_left.column(), bottom_right.row(), bottom_right.column()))

    model.dataChanged.connect(changed)
    model.modelReset.connect(lambda: resets.append(None))
    clock = ManualClock(NOW)
    ticker = Ticker(clock)
    ticker.add(model)
    clock.advance(timedelta(seconds=30))
    assert ticker.tick() == NOW + timedelta(seconds=30)
    countdown, state = model.column_of(PromiseColumn.COUNTDOWN), model.column_of(PromiseColumn.STATE)
    assert changes == [(0, countdown, 198, state)]
    assert resets == []
    assert model.index(0, countdown).data() == "in 30 s"


def live_cells(model: CustomerPromiseModel) -> list[tuple[object, ...]]:
    """Everything a tick can change, row by row: the live columns' words, colour and weight."""
    roles = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole)
    cells = []
    for row in range(model.rowCount()):
        values: list[object] = []
        for column in (PromiseColumn.COUNTDOWN, PromiseColumn.STATE):
            index = model.index(row, model.column_of(column))
            for role in roles:
                value = index.data(role)
                values.append(value.color().name() if hasattr(value, "color") else value)
        cells.append(tuple(values))
    return cells


# Each example builds its own model; qtbot only provides the application.
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    # Near due, near the due-soon turn (15 min), and anywhere in the next week.
    due_seconds=st.lists(
        st.one_of(st.integers(-200, 200), st.integers(780, 1020), st.integers(-7200, 7 * 86400)),
        min_size=1,
        max_size=40,
    ),
    closed=st.lists(st.booleans(), min_size=40, max_size=40),
    start=st.floats(0, 120),
    step=st.floats(0, 90),
)
def test_a_tick_announces_every_row_whose_words_changed(
    qtbot: QtBot, due_seconds: list[int], closed: list[bool], start: float, step: float
) -> None:
    rows = []
    for n, seconds in enumerate(due_seconds):
        status = PromiseStatus.DONE if closed[n] else PromiseStatus.OPEN
        rows.append(promise(n, timedelta(seconds=seconds, microseconds=n * 7919 % 1_000_000), status))
    before = NOW + timedelta(seconds=start)
    now = before + timedelta(seconds=step)
    model = CustomerPromiseModel(before, zone=LONDON)
    model.set_promises(rows, before)
    was = live_cells(model)
    runs = model.changed_runs(before, now)
    model.tick(now)
    announced = {row for first, last in runs for row in range(first, last + 1)}
    changed = {row for row, (old, new) in enumerate(zip(was, live_cells(model), strict=True)) if old != new}
    assert changed <= announced


def test_with_a_view_a_tick_announces_only_the_rows_it_shows(qtbot: QtBot) -> None:
    model = WorklistModel(NOW, zone=LONDON)
    panel = WorklistPanel(model)
    qtbot.addWidget(panel)
    panel.resize(1200, 400)
    panel.show()
    qtbot.waitExposed(panel)
    # Due at every second of the minute: each tick changes the words of a sixtieth of the rows.
    model.set_promises([promise(n, timedelta(minutes=10 + n, seconds=n % 60)) for n in range(600)], NOW)
    shown_last = panel.view.rowAt(panel.view.viewport().height() - 1)
    assert 0 < shown_last < 100
    announced: list[int] = []
    model.dataChanged.connect(lambda top, bottom, *_: announced.extend(range(top.row(), bottom.row() + 1)))
    for second in range(1, 61):
        model.tick(NOW + timedelta(seconds=second))
    assert announced and max(announced) <= shown_last
    panel.hide()
    announced.clear()
    model.tick(NOW + timedelta(seconds=61))
    assert announced == []


def test_the_view_repaints_only_the_strip_a_tick_changed(qtbot: QtBot) -> None:
    model = WorklistModel(NOW, zone=LONDON)
    panel = WorklistPanel(model)
    qtbot.addWidget(panel)
    panel.resize(1200, 600)
    panel.show()
    qtbot.waitExposed(panel)
    model.set_promises([promise(n, timedelta(minutes=n)) for n in range(1, 500)], NOW)
    view = panel.view
    area = view._strip(0, 498, model.column_of(PromiseColumn.COUNTDOWN), model.column_of(PromiseColumn.STATE))
    assert area is not None
    countdown, state = model.column_of(PromiseColumn.COUNTDOWN), model.column_of(PromiseColumn.STATE)
    assert (
        area.left() == view.columnViewportPosition(countdown) > 0
    )  # customer, account, kind, due: untouched
    assert area.width() == view.columnWidth(countdown) + view.columnWidth(state)
    assert area.height() == view.viewport().height()


def test_the_window_has_one_ticker_on_a_one_second_timer(window: MainWindow) -> None:
    assert window.findChildren(Ticker) == [window.ticker]
    assert window.ticker._timer.interval() == 1000
