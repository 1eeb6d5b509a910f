"""The supervisor's board in the window: shown first for supervisors, every part named, read off the UI
thread, re-read after changes and on the ticker, a broken promise reassigned, measures exported."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QComboBox, QTableView, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from console.board.periods import PeriodKind
from console.clock import ManualClock
from domain.vocabulary import Team
from storage.store import Store
from tests.ui.work_support import LONDON, TOM_ACCOUNT, make_promise, settle, work_window
from widgets.app import build_window
from widgets.board.charts import IcebergChart, ParetoChart
from widgets.board.models import SORT_ROLE, AdvisorColumn
from widgets.board.panel import ARRIVALS_SHOWN_WITHIN
from widgets.board.reassign_dialog import ReassignDialog
from widgets.main_window import MainWindow

STORY_ACCOUNT = "40000001"
OBJECT_NAMES = (
    "supervisorBoard",
    "promisesAtRisk",
    "lateHandoffs",
    "icebergChart",
    "rootCauseChart",
    "advisorMeasures",
    "boardPeriod",
    "approvalQueue",
)


def supervisor(qtbot: QtBot, store: Store, clock: ManualClock) -> MainWindow:
    window = build_window(store, "supervisor", clock, username="sam", zone=LONDON, auto_tick=False)
    qtbot.addWidget(window)
    window.resize(1600, 1000)
    board = window.board
    assert board is not None
    with qtbot.waitSignal(board.loaded, timeout=5000):
        window.show()
    settle(qtbot, window)
    return window


def test_the_board_comes_first_with_every_part_named(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = supervisor(qtbot, work_store, clock)
    board, tabs = window.board, window.board_tabs
    assert board is not None and tabs is not None
    assert tabs.currentWidget() is board
    for name in OBJECT_NAMES:
        found = window.findChild(QWidget, name)
        assert found is not None and board.isAncestorOf(found), name
    assert window.approval_queue is window.findChild(QTableView, "approvalQueue")
    period = window.findChild(QComboBox, "boardPeriod")
    assert period is not None and period.accessibleName() and period.currentData() == "this_month"
    for view in (board.promise_view, board.handoff_view, board.advisor_view, board.cause_view):
        assert view.accessibleName()
    # The story's dropped handoff, by its receiving team.
    assert board.handoff_model.rowCount() == 1
    assert board.handoff_model.row_at(0).to_team is Team.PROVISIONING
    assert "Provisioning: 1" in board.handoff_teams.text()
    # The charts say their numbers in words.
    iceberg = window.findChild(IcebergChart, "icebergChart")
    pareto = window.findChild(ParetoChart, "rootCauseChart")
    assert iceberg is not None and "formal complaints" in iceberg.accessibleDescription()
    assert pareto is not None and pareto.accessibleDescription()
    assert board.iceberg_summary.text().endswith(").")


def test_advisors_have_no_board(qtbot: QtBot, work_store: Store, clock: ManualClock) -> None:
    window = work_window(qtbot, work_store, clock)
    assert window.board is None and window.findChild(QWidget, "supervisorBoard") is None


def test_the_board_answers_who_breaks_a_promise_within_the_hour(
    qtbot: QtBot, work_store: Store, clock: ManualClock, qtmodeltester: ModelTester
) -> None:
    make_promise(work_store, clock, STORY_ACCOUNT, timedelta(minutes=10))  # alex: will break
    make_promise(work_store, clock, TOM_ACCOUNT, timedelta(minutes=40), username="jo")
    make_promise(work_store, clock, TOM_ACCOUNT, timedelta(hours=3), username="jo")  # not yet at risk
    clock.advance(timedelta(minutes=20))
    window = supervisor(qtbot, work_store, clock)
    board = window.board
    assert board is not None
    assert board.risk_model.rowCount() == 2
    states = sorted(board.risk_model.index(r, 0).data() for r in range(2))
    assert states == ["At risk", "Broken"]
    summary = board.summary.text()
    assert "1 promise will break in the next hour unless someone acts (owner: Jo Okafor)." in summary
    assert "1 already broken" in summary
    for model in (board.risk_model, board.handoff_model, board.cause_model, board.advisor_model):
        qtmodeltester.check(model)
    # A minute on the shared ticker moves the countdowns without a re-read.
    clock.advance(timedelta(minutes=21))
    window.tick()
    states = sorted(board.risk_model.index(r, 0).data() for r in range(2))
    assert states == ["Broken", "Broken"]


def test_new_data_reaches_the_board_without_a_restart(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = supervisor(qtbot, work_store, clock)
    board = window.board
    assert board is not None and board.risk_model.rowCount() == 0
    make_promise(work_store, clock, TOM_ACCOUNT, timedelta(minutes=30), username="jo")  # elsewhere
    clock.advance(timedelta(seconds=31))
    with qtbot.waitSignal(board.loaded, timeout=5000):
        window.tick()
    assert board.risk_model.rowCount() == 1
    make_promise(work_store, clock, STORY_ACCOUNT, timedelta(minutes=30))
    with qtbot.waitSignal(board.loaded, timeout=5000):
        window.change_saved.emit("saved elsewhere in this window")
    assert board.risk_model.rowCount() == 2


def test_a_sync_that_brings_changes_reaches_the_board_within_seconds(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    """Pulls of a busy team come every few seconds: the board re-reads for them at most once every
    ARRIVALS_SHOWN_WITHIN, on the ticker, and one read shows all that arrived meanwhile."""
    window = supervisor(qtbot, work_store, clock)
    board = window.board
    assert board is not None and board.risk_model.rowCount() == 0
    make_promise(work_store, clock, TOM_ACCOUNT, timedelta(minutes=30), username="jo")  # pulled
    clock.advance(timedelta(seconds=1))
    reads: list[object] = []
    board.loaded.connect(reads.append)
    board.data_arrived()
    make_promise(work_store, clock, STORY_ACCOUNT, timedelta(minutes=30), username="jo")  # pulled
    board.data_arrived()
    clock.advance(timedelta(seconds=2))
    window.tick()
    settle(qtbot, window)
    assert reads == [] and board.risk_model.rowCount() == 0
    clock.advance(ARRIVALS_SHOWN_WITHIN)
    with qtbot.waitSignal(board.loaded, timeout=5000):
        window.tick()
    assert board.risk_model.rowCount() == 2
    settle(qtbot, window)
    window.tick()
    settle(qtbot, window)
    assert len(reads) == 1
    # Long after the last read, an arrival is read at once.
    clock.advance(ARRIVALS_SHOWN_WITHIN)
    with qtbot.waitSignal(board.loaded, timeout=5000):
        board.data_arrived()


def test_reassign_a_broken_promise_with_a_note(qtbot: QtBot, work_store: Store, clock: ManualClock) -> None:
    make_promise(work_store, clock, STORY_ACCOUNT, timedelta(minutes=10))
    clock.advance(timedelta(minutes=30))
    window = supervisor(qtbot, work_store, clock)
    board = window.board
    assert board is not None
    view = board.promise_view
    view.selectionModel().setCurrentIndex(
        view.model().index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    assert board.reassign_button.isEnabled()
    with qtbot.waitSignal(window.dialog_opened, timeout=2000) as opened:
        board.reassign_selected()
    dialog = opened.args[0]
    assert isinstance(dialog, ReassignDialog) and dialog.isVisible()
    dialog.submit()  # no note
    assert dialog.error.isVisible() and "note" in dialog.error.text()
    jo = next(p for p in board._colleagues if p.username == "jo")
    dialog.choose_colleague(jo.id)
    dialog.note_edit.setPlainText("Alex is off sick: call Ms Shah back before noon")
    with qtbot.waitSignal(board.loaded, timeout=5000):
        dialog.submit()
    settle(qtbot, window)
    assert window.dialog is None  # closed once saved
    promise = board.risk_model.promise_at(0)
    assert promise is not None and promise.owner_name == "Jo Okafor"
    assert "reassigned to Jo Okafor" in board.promise_message.text()


def test_period_choice_and_csv_export(
    qtbot: QtBot, work_store: Store, clock: ManualClock, tmp_path: Path
) -> None:
    window = supervisor(qtbot, work_store, clock)
    board = window.board
    assert board is not None
    with qtbot.waitSignal(board.loaded, timeout=5000):
        board.period_combo.setCurrentIndex(board.period_combo.findData(PeriodKind.TODAY.value))
    assert board.board is not None and board.board.period.kind is PeriodKind.TODAY
    board.period_combo.setCurrentIndex(board.period_combo.findData(PeriodKind.CUSTOM.value))
    assert board.first_day.isVisible() and board.apply_button.isVisible()
    board.last_day.setDate(board.first_day.date().addDays(-1))
    board.apply_button.click()
    assert "before the first" in board.status.text()

    board.advisor_filter.setText("jo")
    message = board.export_csv(tmp_path / "measures.csv")
    assert message.startswith("Exported 1 advisors")
    with (tmp_path / "measures.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0][:3] == ["advisor", "team", "period_first_day"]
    assert [r[0] for r in rows[1:]] == ["Jo Okafor"]


def test_search_from_the_board_goes_to_the_customer_tab(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = supervisor(qtbot, work_store, clock)
    tabs = window.board_tabs
    assert tabs is not None
    window.focus_search()
    assert tabs.currentWidget() is tabs.customer_pane


def test_the_advisor_table_sorts_in_its_model_and_filters_in_the_proxy(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = supervisor(qtbot, work_store, clock)
    board = window.board
    assert board is not None
    proxy, view = board.advisor_proxy, board.advisor_view

    def shown(column: AdvisorColumn) -> list[Any]:
        return [proxy.index(r, column).data(SORT_ROLE) for r in range(proxy.rowCount())]

    names = shown(AdvisorColumn.ADVISOR)
    assert len(names) >= 2 and names == sorted(names)
    view.sortByColumn(AdvisorColumn.LIMIT, Qt.SortOrder.DescendingOrder)
    assert shown(AdvisorColumn.LIMIT) == sorted(shown(AdvisorColumn.LIMIT), reverse=True)
    view.sortByColumn(AdvisorColumn.ADVISOR, Qt.SortOrder.DescendingOrder)
    assert shown(AdvisorColumn.ADVISOR) == sorted(names, reverse=True)
    # The order holds through a refresh (the model keeps its sort) and under a filter.
    with qtbot.waitSignal(board.loaded, timeout=5000):
        board.refresh()
    assert shown(AdvisorColumn.ADVISOR) == sorted(names, reverse=True)
    board.advisor_filter.setText("jo")
    assert shown(AdvisorColumn.ADVISOR) == [n for n in sorted(names, reverse=True) if "jo" in n.lower()]
