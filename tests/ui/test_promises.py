"""Promises on the customer's pane: made through the dialog, timed by the shared ticker, ended with an
outcome; the clock is moved by hand and the ticker run directly, never waited for."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from console.promise_rules import Outcome
from console.services.customers import CustomerService
from domain.vocabulary import PromiseKind, PromiseStatus
from storage.store import Store
from tests.ui.support import NOW, STORY_ACCOUNT, qt_objects_left_in_cycles
from tests.ui.work_support import (
    LATE_CASE,
    TOM_ACCOUNT,
    ZOE_ACCOUNT,
    at,
    cell,
    make_promise,
    open_account,
    promise_service,
    settle,
    work_window,
)
from widgets.app import render_screenshot
from widgets.dialog_parts import set_edit_moment
from widgets.main_window import MainWindow
from widgets.promise_text import AMBER, GREEN, RED
from widgets.promises.dialogs import OutcomeDialog, PromiseDialog
from widgets.promises.models import PromiseColumn


def promise_cell(window: MainWindow, row: int, column: PromiseColumn, role: int = 0) -> object:
    model = window.promises.model
    return cell(model, row, model.column_of(column), role or Qt.ItemDataRole.DisplayRole)


def colour(window: MainWindow, row: int, column: PromiseColumn) -> str:
    brush = promise_cell(window, row, column, Qt.ItemDataRole.ForegroundRole)
    return brush.color().name()  # type: ignore[attr-defined]


def save_and_wait(qtbot: QtBot, window: MainWindow, dialog: PromiseDialog | OutcomeDialog) -> None:
    """Press the dialog's save button; wait until the change is saved and every view re-read it."""
    with qtbot.waitSignal(window.change_saved, timeout=5000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)


def refused(qtbot: QtBot, window: MainWindow, dialog: PromiseDialog | OutcomeDialog, name: str) -> str:
    """Press save and wait for the refusal to appear in the dialog's error line; returns its text."""
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    error = dialog.findChild(QLabel, name)
    assert error is not None
    qtbot.waitUntil(lambda: error.isVisible() and dialog.save_button.isEnabled(), timeout=5000)
    settle(qtbot, window)
    assert dialog.isVisible()
    return error.text()


def test_make_a_promise_then_watch_it_go_due_soon_then_overdue(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, STORY_ACCOUNT)
    assert window.promises.model.rowCount() == 0
    with qtbot.waitSignal(window.dialog_opened, timeout=2000) as opened:
        qtbot.keyClick(window.pane.history_panel.view, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    dialog = opened.args[0]
    assert isinstance(dialog, PromiseDialog) and dialog.isVisible()
    assert dialog.phone_edit.text() == "07700 900123"  # the primary number, as the advisor reads it
    dialog.set_kind(PromiseKind.CALLBACK)
    dialog.choose_quick_pick(0)  # in 1 hour
    dialog.note_edit.setPlainText("Call back once the line test has run")
    save_and_wait(qtbot, window, dialog)
    assert window.dialog is None  # closed (and deleted) once saved

    assert window.promises.model.rowCount() == 1
    assert promise_cell(window, 0, PromiseColumn.KIND) == "Callback"
    assert promise_cell(window, 0, PromiseColumn.DUE) == at(NOW + timedelta(hours=1))
    assert promise_cell(window, 0, PromiseColumn.COUNTDOWN) == "in 1 h"
    assert promise_cell(window, 0, PromiseColumn.STATE) == "On track"
    assert colour(window, 0, PromiseColumn.STATE) == GREEN.name()
    assert promise_cell(window, 0, PromiseColumn.OWNER) == "Alex Morgan"
    assert window.pane.history_model.entry_at(0).subject == "Promise made: callback"  # type: ignore[union-attr]
    assert window.promises.worklist_model.rowCount() == 1
    assert not window.promises.banner.isVisible()

    announced: list[object] = []
    window.promises_announced.connect(announced.append)
    clock.advance(timedelta(minutes=46))
    window.tick()
    assert promise_cell(window, 0, PromiseColumn.COUNTDOWN) == "in 14 min"
    assert promise_cell(window, 0, PromiseColumn.STATE) == "Due soon"
    assert colour(window, 0, PromiseColumn.COUNTDOWN) == AMBER.name()
    assert window.promises.banner.isVisible()
    assert window.promises.banner.text.text() == "Callback for Priya Shah due in 14 min"
    assert len(announced) == 1
    settle(qtbot, window)  # the tick's escalation check (nothing overdue yet) comes back

    window.promises.banner.dismiss_button.click()
    clock.advance(timedelta(seconds=1))
    window.tick()
    assert not window.promises.banner.isVisible() and len(announced) == 1  # once per promise, not per tick

    clock.advance(timedelta(minutes=15))
    window.tick()
    assert promise_cell(window, 0, PromiseColumn.COUNTDOWN) == "overdue by 1 min"
    assert promise_cell(window, 0, PromiseColumn.STATE) == "Overdue"
    assert colour(window, 0, PromiseColumn.STATE) == RED.name()
    assert window.promises.panel.title.text() == "Promises: 1 open, 1 overdue"
    assert window.tabs.tabText(1) == "My promises (1, 1 overdue)"
    assert len(announced) == 1 and not window.promises.banner.isVisible()

    # The tick escalated it (on the worker thread); the lists re-read it.
    settle(qtbot, window)
    assert promise_cell(window, 0, PromiseColumn.STATE) == "Overdue, escalated"


def test_a_due_time_in_the_past_is_refused_in_the_dialog_and_nothing_is_saved(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, work_store, clock)
    profile = open_account(qtbot, window, STORY_ACCOUNT)
    dialog = window.promises.make_promise()
    assert dialog is not None
    dialog.choose_time(NOW - timedelta(hours=1))
    text = refused(qtbot, window, dialog, "promiseError")
    assert text == "The due time is in the past: choose a time from now on."
    assert promise_service(work_store, clock).for_customer(profile.id) == []
    assert window.promises.model.rowCount() == 0

    dialog.choose_time(NOW + timedelta(hours=3), NOW + timedelta(hours=2))
    assert refused(qtbot, window, dialog, "promiseError") == "The window must end after it starts."
    dialog.choose_time(NOW + timedelta(hours=3), NOW + timedelta(hours=5))
    save_and_wait(qtbot, window, dialog)
    assert promise_cell(window, 0, PromiseColumn.DUE) == "Tue 24 Nov 17:05–19:05"


def test_a_callback_for_a_customer_without_a_number_asks_for_one(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, ZOE_ACCOUNT)
    dialog = window.promises.make_promise()
    assert dialog is not None and dialog.phone_edit.text() == ""
    assert "A callback needs a number to call" in refused(qtbot, window, dialog, "promiseError")
    dialog.phone_edit.setText("07700 900999")
    save_and_wait(qtbot, window, dialog)
    assert window.promises.model.rowCount() == 1


def open_outcome(qtbot: QtBot, window: MainWindow, row: int = 0) -> OutcomeDialog:
    """Select the promise and press Enter, as the advisor would."""
    view = window.promises.panel.view
    view.setFocus()
    view.setCurrentIndex(window.promises.model.index(row, 0))
    with qtbot.waitSignal(window.dialog_opened, timeout=2000) as opened:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    dialog = opened.args[0]
    assert isinstance(dialog, OutcomeDialog)
    return dialog


def test_outcome_done_needs_words(qtbot: QtBot, work_store: Store, clock: ManualClock) -> None:
    make_promise(work_store, clock, STORY_ACCOUNT, timedelta(hours=2))
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, STORY_ACCOUNT)
    dialog = open_outcome(qtbot, window)
    assert (
        refused(qtbot, window, dialog, "outcomeError") == "Say what happened: an outcome needs a few words."
    )
    dialog.text_edit.setPlainText("Told her the engineer comes on Thursday")
    save_and_wait(qtbot, window, dialog)
    assert promise_cell(window, 0, PromiseColumn.STATE) == "Done"
    assert promise_cell(window, 0, PromiseColumn.COUNTDOWN) == "ended 0 minutes ago"
    assert colour(window, 0, PromiseColumn.KIND) == "#555555"
    assert window.promises.worklist_model.rowCount() == 0


def test_outcome_not_reachable_needs_the_next_attempt_in_the_future(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    make_promise(work_store, clock, STORY_ACCOUNT, timedelta(hours=2), kind=PromiseKind.PROGRESS_UPDATE)
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, STORY_ACCOUNT)
    dialog = open_outcome(qtbot, window)
    dialog.set_status(PromiseStatus.NOT_REACHABLE)
    assert dialog.next_attempt.isEnabled() and not dialog.told_yes.isVisible()
    set_edit_moment(dialog.next_attempt, NOW - timedelta(hours=1), dialog._zone)
    assert refused(qtbot, window, dialog, "outcomeError") == "The next attempt must be in the future."
    set_edit_moment(dialog.next_attempt, NOW + timedelta(days=1), dialog._zone)
    save_and_wait(qtbot, window, dialog)
    states = [promise_cell(window, row, PromiseColumn.STATE) for row in range(2)]
    assert states == ["On track", "Not reachable"]  # the follow-up first, then the ended one
    assert promise_cell(window, 0, PromiseColumn.DUE) == at(NOW + timedelta(days=1))


def test_outcome_rescheduled_needs_a_reason_and_whether_the_customer_was_told(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    make_promise(work_store, clock, STORY_ACCOUNT, timedelta(hours=2))
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, STORY_ACCOUNT)
    dialog = open_outcome(qtbot, window)
    dialog.set_status(PromiseStatus.RESCHEDULED)
    assert dialog.told_yes.isVisible() and dialog.told_no.isVisible()
    set_edit_moment(dialog.next_attempt, NOW + timedelta(days=2), dialog._zone)
    assert refused(qtbot, window, dialog, "outcomeError") == "Give the reason for rescheduling."
    dialog.text_edit.setPlainText("Engineer slot moved by the field team")
    text = refused(qtbot, window, dialog, "outcomeError")
    assert text == "Say whether the customer was told the new time."
    dialog.told_yes.setChecked(True)
    save_and_wait(qtbot, window, dialog)
    assert [promise_cell(window, row, PromiseColumn.STATE) for row in range(2)] == [
        "On track",
        "Rescheduled",
    ]


def test_an_outcome_someone_else_recorded_first_is_shown_clearly(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    promise = make_promise(work_store, clock, STORY_ACCOUNT, timedelta(hours=2))
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, STORY_ACCOUNT)
    dialog = open_outcome(qtbot, window)
    # A supervisor (who may end anyone's promise) ends it meanwhile.
    promise_service(work_store, clock, "sam").close(
        promise, Outcome(PromiseStatus.DONE, "Sam called her from the shop floor")
    )
    dialog.text_edit.setPlainText("Called back")
    text = refused(qtbot, window, dialog, "outcomeError")
    assert text == (
        "Someone else got there first: this promise was already ended (done): "
        "Sam called her from the shop floor."
    )
    assert promise_cell(window, 0, PromiseColumn.STATE) == "Done"  # the list was re-read


def test_a_case_past_target_prompts_a_progress_update_and_the_promise_clears_it(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, TOM_ACCOUNT)
    prompt = window.cases.panel.update_prompt
    assert prompt.isVisible()
    assert prompt.text() == (
        f"{LATE_CASE}: past target with no update — promise the customer a progress update (Ctrl+B)"
    )
    dialog = window.promises.make_promise()
    assert dialog is not None
    assert dialog.kind_combo.currentData() == PromiseKind.PROGRESS_UPDATE.value
    assert dialog.case_combo.currentText().startswith(LATE_CASE)
    save_and_wait(qtbot, window, dialog)
    assert not prompt.isVisible()
    assert promise_cell(window, 0, PromiseColumn.CASE) == LATE_CASE


def test_a_store_without_the_user_opens_with_promises_off(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, work_store, clock, username="nobody")
    assert window.workbench is None
    assert window.user_status.text() == "Promises and handoffs are off: no user 'nobody' on this store"
    window.open_customer_now(CustomerService(work_store).find_account(STORY_ACCOUNT))
    assert not window.promises.panel.make_button.isEnabled()
    assert window.promises.make_promise() is None
    assert "no user 'nobody'" in window.promises.panel.view.empty_text
    window.tick()  # nothing to escalate, nothing to announce, no error


def test_a_screenshot_acting_as_a_user_shows_the_worklist_and_the_pane(
    qtbot: QtBot, work_store: Store, clock: ManualClock, tmp_path: Path
) -> None:
    make_promise(work_store, clock, TOM_ACCOUNT, timedelta(minutes=10))
    target = tmp_path / "shot.png"
    render_screenshot(
        work_store,
        target,
        account=STORY_ACCOUNT,
        role="advisor",
        size=(1366, 768),
        username="alex",
        clock=clock,
    )
    image = QImage(str(target))
    assert (image.width(), image.height()) == (1366, 768)


def test_a_closed_window_that_made_promises_leaves_no_reference_cycles(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    """Dialogs, models and the ticker hold no reference back to the window: nothing for the cycle
    collector to free later, on whatever thread it happens to run."""

    def use_and_close() -> None:
        window = work_window(qtbot, work_store, clock)
        open_account(qtbot, window, TOM_ACCOUNT)
        dialog = window.promises.make_promise()
        assert dialog is not None
        save_and_wait(qtbot, window, dialog)
        window.promises.panel.view.setCurrentIndex(window.promises.model.index(0, 0))
        outcome = window.promises.record_outcome()
        assert outcome is not None
        outcome.reject()
        clock.advance(timedelta(hours=2))
        window.tick()
        settle(qtbot, window)
        window.close()

    assert qt_objects_left_in_cycles(use_and_close) == []


def test_a_set_time_the_clocks_skip_is_refused_with_the_reason(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, STORY_ACCOUNT)
    dialog = window.promises.make_promise()
    assert dialog is not None
    dialog.custom_button.setChecked(True)
    utc = QTimeZone(QTimeZone.Initialization.UTC)
    dialog.custom_due.setDateTime(QDateTime(QDate(2027, 3, 28), QTime(1, 30), utc))  # wall clock, London
    text = refused(qtbot, window, dialog, "promiseError")
    assert text == "01:30 does not exist on Sun 28 Mar 2027: the clocks go forward that night."
    assert window.promises.model.rowCount() == 0


def test_a_letter_to_send_is_promised_from_the_dialog(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, STORY_ACCOUNT)
    with qtbot.waitSignal(window.dialog_opened, timeout=2000) as opened:
        qtbot.keyClick(window.pane.history_panel.view, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    dialog = opened.args[0]
    assert isinstance(dialog, PromiseDialog)
    labels = [dialog.kind_combo.itemText(n) for n in range(dialog.kind_combo.count())]
    assert "Send a letter" in labels
    dialog.set_kind(PromiseKind.LETTER)
    dialog.choose_quick_pick(0)
    dialog.note_edit.setPlainText("Written confirmation of the engineer's visit")
    save_and_wait(qtbot, window, dialog)
    assert promise_cell(window, 0, PromiseColumn.KIND) == "Send a letter"
    assert window.pane.history_model.entry_at(0).subject == "Promise made: letter to send"  # type: ignore[union-attr]
