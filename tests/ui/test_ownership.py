"""Owning a case: taking it over or handing it over, each with a note; a missing note is refused."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from console.services.people import PeopleService
from storage.store import Store
from tests.ui.support import STORY_ACCOUNT
from tests.ui.work_support import cell, open_account, settle, work_window
from widgets.cases.model import CaseColumn
from widgets.cases.ownership_dialog import OwnershipDialog
from widgets.main_window import MainWindow


def select_open_case(window: MainWindow) -> None:
    window.cases.view.setCurrentIndex(window.cases.model.index(0, 0))  # open cases come first


def press_save(qtbot: QtBot, dialog: OwnershipDialog) -> None:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def test_take_over_a_case_with_a_note(qtbot: QtBot, work_store: Store, clock: ManualClock) -> None:
    window = work_window(qtbot, work_store, clock, username="jo")
    open_account(qtbot, window, STORY_ACCOUNT)
    select_open_case(window)
    assert cell(window.cases.model, 0, CaseColumn.OWNER) == "Alex Morgan"
    assert window.cases.panel.take_over_action.isEnabled()
    dialog = window.cases.take_over()
    assert dialog is not None and dialog.isVisible()

    press_save(qtbot, dialog)
    error = dialog.findChild(QLabel, "caseError")
    assert error is not None
    qtbot.waitUntil(error.isVisible, timeout=5000)
    assert error.text().startswith("A handover needs a note for the next owner")
    settle(qtbot, window)

    dialog.note_edit.setPlainText("Alex is on leave; I have the engineer's report")
    with qtbot.waitSignal(window.change_saved, timeout=5000):
        press_save(qtbot, dialog)
    settle(qtbot, window)
    assert window.dialog is None
    assert cell(window.cases.model, 0, CaseColumn.OWNER) == "Jo Okafor"
    entry = window.pane.history_model.entry_at(0)
    assert entry is not None and entry.subject == "CS-0000002 taken over by Jo Okafor"
    select_open_case(window)
    assert not window.cases.panel.take_over_action.isEnabled()  # already hers


def test_hand_over_a_case_to_a_colleague(qtbot: QtBot, work_store: Store, clock: ManualClock) -> None:
    window = work_window(qtbot, work_store, clock, username="alex")
    open_account(qtbot, window, STORY_ACCOUNT)
    select_open_case(window)
    dialog = window.cases.hand_over()
    assert dialog is not None
    names = [dialog.colleague_combo.itemText(i) for i in range(dialog.colleague_combo.count())]
    assert names == ["Jo Okafor", "Sam Patel"]  # everyone active but the owner
    dialog.choose_colleague(PeopleService(work_store).current_user("sam").id)
    dialog.note_edit.setPlainText("Needs a supervisor's decision on compensation")
    with qtbot.waitSignal(window.change_saved, timeout=5000):
        press_save(qtbot, dialog)
    settle(qtbot, window)
    assert cell(window.cases.model, 0, CaseColumn.OWNER) == "Sam Patel"
