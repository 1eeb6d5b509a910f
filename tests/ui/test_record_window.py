"""Recording the call through the real window: a call taken and ended opens its wrap-up, saved it is
on the timeline; New case… from the wrap-up opens on top of it, and once saved the offers pause; the
window's one dialog at a time lets a dialog's child open on top of it."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from console.calls import Caller
from console.clock import ManualClock
from domain.vocabulary import Channel, Direction
from storage.store import Store
from tests.ui.test_offers_panel import allowed_tom
from tests.ui.work_support import TOM_ACCOUNT, settle, work_window
from widgets.controller import OneDialog
from widgets.main_window import MainWindow
from widgets.record.dialogs import NewCaseDialog, WrapUpDialog

TOM_PHONE = "+447700900456"


def click(qtbot: QtBot, parent: QWidget, name: str) -> None:
    button = parent.findChild(QPushButton, name)
    assert button is not None and button.isEnabled(), name
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def dialog_named(qtbot: QtBot, window: MainWindow, name: str, act: object) -> QDialog:
    with qtbot.waitSignal(window.dialog_opened, timeout=5_000) as opened:
        act()  # type: ignore[operator]
    dialog = opened.args[0]
    assert isinstance(dialog, QDialog) and dialog.objectName() == name
    return dialog


def saved(qtbot: QtBot, window: MainWindow, dialog: QDialog) -> None:
    """Click the dialog's saveButton and wait for the pane to re-read the customer."""
    with qtbot.waitSignal(window.customer_work_loaded, timeout=5_000):
        click(qtbot, dialog, "saveButton")
    settle(qtbot, window)


def test_a_call_is_wrapped_up_and_a_new_case_from_it_pauses_the_offers(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    allowed_tom(work_store)
    window = work_window(qtbot, work_store, clock)
    actions = window.findChild(QWidget, "recordActions")
    assert actions is not None and actions.isVisible()
    assert not window.findChild(QPushButton, "newCaseButton").isEnabled()  # no customer yet

    with qtbot.waitSignal(window.customer_opened, timeout=5_000) as opened:
        window.call.take_call(Caller(TOM_PHONE))
    settle(qtbot, window)
    tom = opened.args[0]
    assert tom.account_number == TOM_ACCOUNT
    assert window.findChild(QPushButton, "newCaseButton").isEnabled()
    offers = window.pane.offers_panel
    assert offers.model.rowCount() == 2 and not offers.suppressed

    clock.advance(timedelta(minutes=6, seconds=30))
    wrap = dialog_named(qtbot, window, "wrapUpDialog", lambda: click(qtbot, window, "endCallButton"))
    assert isinstance(wrap, WrapUpDialog) and window.dialog is wrap
    reason = wrap.findChild(QComboBox, "contactReason")
    reason.setCurrentIndex(reason.findData("billing"))
    wrap.findChild(QPlainTextEdit, "contactNote").setPlainText("Asked why the bill went up; explained.")
    saved(qtbot, window, wrap)
    assert window.dialog is None  # closed once saved
    entry = window.pane.history_model.entry_at(0)
    assert entry is not None
    assert (entry.channel, entry.direction) == (Channel.PHONE, Direction.INBOUND)
    assert entry.subject is not None and "6 min 30 s" in entry.subject
    assert entry.summary == "Asked why the bill went up; explained."

    # A second call; its wrap-up asks for a new case, which opens on top of it.
    window.call.take_call(Caller(TOM_PHONE))
    qtbot.waitUntil(lambda: window.call.customer_id == tom.id, timeout=5_000)
    settle(qtbot, window)
    clock.advance(timedelta(minutes=2))
    wrap = dialog_named(qtbot, window, "wrapUpDialog", lambda: click(qtbot, window, "endCallButton"))
    case_combo = wrap.findChild(QComboBox, "wrapUpCase")
    new_case = dialog_named(
        qtbot, window, "newCaseDialog", lambda: case_combo.setCurrentIndex(case_combo.count() - 1)
    )
    assert isinstance(new_case, NewCaseDialog)
    assert wrap.isVisible() and window.dialog is new_case  # the wrap-up stays open under it
    new_case.findChild(QLineEdit, "caseTitle").setText("Broadband drops every evening")
    saved(qtbot, window, new_case)
    assert offers.suppressed and offers.banner.isVisible()
    assert offers.banner.objectName() == "offersSuppressedBanner"
    assert wrap.isVisible() and window.dialog is wrap  # back to the wrap-up, the new case chosen
    assert "Broadband drops every evening" in case_combo.currentText()


def test_the_record_buttons_and_keys_open_their_dialogs_one_at_a_time(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, work_store, clock)
    with qtbot.waitSignal(window.customer_opened, timeout=5_000):
        window.call.take_call(Caller(TOM_PHONE))
    settle(qtbot, window)
    view = window.pane.history_panel.view  # the keys work wherever the focus is in the window
    keys = (
        ("caseUpdateDialog", Qt.Key.Key_U, CTRL_SHIFT),
        ("logContactDialog", Qt.Key.Key_L, CTRL),
        ("newCaseDialog", Qt.Key.Key_N, CTRL_SHIFT),
    )
    for name, key, modifiers in keys:
        window.activateWindow()  # back from the dialog closed before
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
        dialog = dialog_named(qtbot, window, name, partial(qtbot.keyClick, view, key, modifiers))
        dialog.reject()
        assert window.dialog is None
    first = dialog_named(qtbot, window, "newCaseDialog", lambda: click(qtbot, window, "newCaseButton"))
    second = dialog_named(qtbot, window, "logContactDialog", lambda: click(qtbot, window, "logContactButton"))
    assert not first.isVisible() and window.dialog is second  # one dialog at a time, as before


CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = CTRL | Qt.KeyboardModifier.ShiftModifier


def test_one_dialog_keeps_a_dialog_open_under_its_child(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    dialogs = OneDialog(host)
    parent = QDialog(host)
    dialogs.open(parent)
    child = QDialog(parent)
    dialogs.open(child)
    assert parent.isVisible() and child.isVisible() and dialogs.current is child
    child.reject()
    assert parent.isVisible() and dialogs.current is parent  # back to the one under it
    child = QDialog(parent)
    dialogs.open(child)
    parent.reject()  # closing the one under takes its child's place with it
    assert dialogs.current is None
    first, second = QDialog(host), QDialog(host)
    dialogs.open(first)
    dialogs.open(QDialog(first))
    dialogs.open(second)  # not a child: every dialog open closes
    assert not first.isVisible() and dialogs.current is second
