"""The goodwill panel and the approval queue: given at once within the limit, sent for approval above
it and approved by a supervisor in a second window on the same store, self-approval refused, and bad
input answered at the field with nothing saved. No sleeps: every wait is on a signal."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from console.clock import ManualClock
from console.services.goodwill import OVER_LIMIT_NEXT_STEP
from storage.models import Goodwill
from storage.store import Store
from tests.ui.work_support import LONDON, TOM_ACCOUNT, open_account, settle, work_window
from widgets.app import build_window
from widgets.goodwill.dialogs import GoodwillDialog
from widgets.goodwill.panel import ApprovalColumn, GoodwillColumn
from widgets.main_window import MainWindow


def supervisor_window(qtbot: QtBot, store: Store, clock: ManualClock) -> MainWindow:
    window = build_window(store, "supervisor", clock, username="sam", zone=LONDON, auto_tick=False)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    settle(qtbot, window)
    return window


def open_dialog(qtbot: QtBot, window: MainWindow) -> GoodwillDialog:
    with qtbot.waitSignal(window.dialog_opened, timeout=2000) as opened:
        qtbot.keyClick(window.pane.history_panel.view, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    dialog = opened.args[0]
    assert isinstance(dialog, GoodwillDialog) and dialog.isVisible()
    return dialog


def give(qtbot: QtBot, window: MainWindow, amount: str, reason: str = "Charged twice for October") -> None:
    dialog = open_dialog(qtbot, window)
    dialog.fill(amount, reason)
    with qtbot.waitSignal(window.goodwill_loaded, timeout=5000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert window.dialog is None


def states(window: MainWindow) -> list[str]:
    model = window.goodwill.panel.model
    return [str(model.index(row, GoodwillColumn.STATE).data()) for row in range(model.rowCount())]


def refresh(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.goodwill_loaded, timeout=5000):
        window.goodwill.refresh()
    settle(qtbot, window)


def saved_rows(store: Store) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(Goodwill)) or 0)


def test_within_limit_is_given_at_once(qtbot: QtBot, work_store: Store, clock: ManualClock) -> None:
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, TOM_ACCOUNT)
    panel = window.goodwill.panel
    assert panel.objectName() == "goodwillPanel"
    assert panel.limit_label.text() == "Your limit: £50.00 a payment · given this month: £0.00"
    give(qtbot, window, "35")
    assert states(window) == ["Approved (within your limit)"]
    assert panel.model.index(0, GoodwillColumn.AMOUNT).data() == "£35.00 goodwill credit"
    assert panel.limit_label.text() == "Your limit: £50.00 a payment · given this month: £35.00"
    assert not panel.notice.isVisible()


def test_over_limit_waits_and_a_supervisor_in_another_window_approves(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    advisor = work_window(qtbot, work_store, clock)
    open_account(qtbot, advisor, TOM_ACCOUNT)
    give(qtbot, advisor, "£75.00")
    assert states(advisor) == ["Awaiting approval"]
    assert advisor.goodwill.panel.notice.isVisible()
    assert advisor.goodwill.panel.notice.text() == OVER_LIMIT_NEXT_STEP
    assert advisor.goodwill.panel.limit_label.text().endswith("given this month: £0.00")

    supervisor = supervisor_window(qtbot, work_store, clock)
    panel = supervisor.approval_panel
    assert panel is not None and supervisor.approval_queue is panel.view
    assert panel.model.rowCount() == 1
    row = {column: panel.model.index(0, column).data() for column in ApprovalColumn}
    assert row[ApprovalColumn.ACCOUNT] == TOM_ACCOUNT
    assert row[ApprovalColumn.AMOUNT] == "£75.00"
    assert row[ApprovalColumn.REQUESTER] == "Alex Morgan (£0.00)"
    assert row[ApprovalColumn.REASON] == "service outage: Charged twice for October"
    assert row[ApprovalColumn.CASE] == "CS-0000003"  # the customer's one open case, linked by default
    assert "Asked by Alex Morgan, who has had £0.00 approved this month." in panel.detail.text()

    panel.view.setFocus()
    with qtbot.waitSignal(supervisor.goodwill_loaded, timeout=5000):
        qtbot.keyClick(panel.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, supervisor)
    assert panel.model.rowCount() == 0
    assert "Approved by Sam Patel" in panel.message.text()

    refresh(qtbot, advisor)  # the ticker does this every few seconds
    assert states(advisor) == ["Approved by Sam Patel"]
    assert advisor.goodwill.panel.limit_label.text().endswith("given this month: £75.00")


def test_a_supervisor_cannot_approve_their_own_request(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    supervisor = supervisor_window(qtbot, work_store, clock)
    open_account(qtbot, supervisor, TOM_ACCOUNT)
    give(qtbot, supervisor, "600")  # above Sam's own £500
    panel = supervisor.approval_panel
    assert panel is not None and panel.model.rowCount() == 1
    panel.view.setCurrentIndex(panel.model.index(0, 0))
    panel.approve_button.click()
    settle(qtbot, supervisor)
    assert panel.message.text() == "You cannot approve your own request: another supervisor must."
    refresh(qtbot, supervisor)
    assert panel.model.rowCount() == 1 and states(supervisor) == ["Awaiting approval"]


def test_rejecting_asks_for_a_reason_the_advisor_then_sees(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    advisor = work_window(qtbot, work_store, clock)
    open_account(qtbot, advisor, TOM_ACCOUNT)
    give(qtbot, advisor, "80")
    supervisor = supervisor_window(qtbot, work_store, clock)
    with qtbot.waitSignal(supervisor.dialog_opened, timeout=2000) as opened:
        supervisor.goodwill.reject_selected()
    dialog = opened.args[0]
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=5000)
    settle(qtbot, supervisor)
    assert "reason" in dialog.error.text()
    dialog.reason_edit.setPlainText("Already credited last week")
    with qtbot.waitSignal(supervisor.goodwill_loaded, timeout=5000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot, supervisor)
    refresh(qtbot, advisor)
    assert states(advisor) == ["Rejected: Already credited last week"]


@pytest.mark.parametrize(
    ("amount", "reason", "message"),
    [
        ("-5", "Charged twice", "more than £0.00"),
        ("0", "Charged twice", "more than £0.00"),
        ("1e9", "Charged twice", "not an amount"),
        ("12.345", "Charged twice", "two digits"),
        ("£ 12,50", "Charged twice", "use a point"),
        ("", "Charged twice", "enter an amount"),
        ("12.50", "", "give the reason"),
        ("12.50", "x" * 10_000, "too long"),
    ],
)
def test_bad_input_is_answered_at_the_field_and_nothing_is_saved(
    qtbot: QtBot, work_store: Store, clock: ManualClock, amount: str, reason: str, message: str
) -> None:
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, TOM_ACCOUNT)
    dialog = open_dialog(qtbot, window)
    dialog.fill(amount, reason)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    error = dialog.findChild(QLabel, "goodwillError")
    assert error is not None
    qtbot.waitUntil(lambda: error.isVisible() and dialog.save_button.isEnabled(), timeout=5000)
    settle(qtbot, window)
    assert message.lower() in error.text().lower()
    assert dialog.isVisible() and dialog.amount_edit.text() == amount  # what was typed is kept
    assert saved_rows(work_store) == 0
    assert window.goodwill.panel.model.rowCount() == 0
