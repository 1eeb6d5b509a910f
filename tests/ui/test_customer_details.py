"""Customer details through the real window: a number replaced, then brought back with its history;
bad input stays in the dialog with a message at its error line."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from console.calls import Caller
from console.clock import ManualClock
from storage.store import Store
from tests.ui.support import STORY_ACCOUNT
from tests.ui.work_support import open_account, settle, work_window
from widgets.details.dialog import CustomerDetailsDialog
from widgets.details.new_customer import NewCustomerDialog
from widgets.main_window import MainWindow


def open_details(qtbot: QtBot, window: MainWindow) -> CustomerDetailsDialog:
    with qtbot.waitSignal(window.dialog_opened, timeout=5000) as opened:
        qtbot.mouseClick(window.details.edit_button, Qt.MouseButton.LeftButton)
    dialog = opened.args[0]
    assert isinstance(dialog, CustomerDetailsDialog) and dialog.objectName() == "customerDetailsDialog"
    return dialog


def saved(qtbot: QtBot, window: MainWindow, press: object) -> None:
    with (
        qtbot.waitSignal(window.customer_opened, timeout=5000),
        qtbot.waitSignal(window.change_saved, timeout=5000),
    ):
        qtbot.mouseClick(press, Qt.MouseButton.LeftButton)  # type: ignore[arg-type]
    settle(qtbot, window)


def test_a_number_replaced_then_restored_is_back_with_its_history(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, work_store, clock)
    profile = open_account(qtbot, window, STORY_ACCOUNT)
    assert "+447700900123" in profile.phones
    assert window.findChildren(object, "editDetailsButton") == [window.details.edit_button]
    dialog = open_details(qtbot, window)
    assert dialog.lines["mobile_phone"].text() == "07700 900123"
    assert dialog.earlier.count() == 0 and not dialog.restore_button.isEnabled()
    dialog.lines["mobile_phone"].setText("07700 900999")
    dialog.reason.setPlainText("Customer has a new phone")
    saved(qtbot, window, dialog.save_button)
    assert window.current_profile is not None and "+447700900999" in window.current_profile.phones
    assert window.pane.history_model.entry_at(0).subject.startswith("Details changed: mobile number")  # type: ignore[union-attr]

    dialog = open_details(qtbot, window)
    assert dialog.earlier.count() == 1
    assert (
        "07700 900123" in dialog.earlier.item(0).text()
        and "Customer has a new phone" in dialog.earlier.item(0).text()
    )
    dialog.reason.setPlainText("The new phone was not theirs")
    saved(qtbot, window, dialog.restore_button)
    assert "+447700900123" in window.current_profile.phones
    dialog = open_details(qtbot, window)
    assert dialog.earlier.count() == 2  # the restore kept the number it replaced too
    dialog.reject()


def test_bad_input_is_told_at_the_dialog_and_nothing_is_saved(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, STORY_ACCOUNT)
    with qtbot.waitSignal(window.dialog_opened, timeout=5000) as opened:  # Ctrl+D, from anywhere
        qtbot.keyClick(window.pane.history_panel.view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    dialog = opened.args[0]
    assert isinstance(dialog, CustomerDetailsDialog)
    error = dialog.findChild(QLabel, "detailsError")
    assert error is not None
    dialog.lines["mobile_phone"].setText("not a number")
    dialog.reason.setPlainText("why")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert error.isVisible() and error.text() == "The mobile number is not a phone number."
    dialog.lines["mobile_phone"].setText("07700 900555")
    dialog.lines["address_line"].setText("x" * 100_000)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert error.text() == "The address is at most 200 characters."
    dialog.lines["address_line"].setText("2 Low Street")
    dialog.reason.setPlainText("  ")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert error.text() == "Give a reason for the change."
    assert dialog.isVisible() and dialog.save_button.isEnabled()
    assert window.workbench is not None
    assert window.workbench.details.history(dialog.customer_id) == []
    dialog.reject()


def test_the_call_strips_new_customer_opens_the_dialog_with_the_number(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, work_store, clock)
    with qtbot.waitSignal(window.call.lookup_finished, timeout=5000):
        window.call.take_call(Caller("+447700900888"))
    assert window.call.strip.new_customer_button.isVisible()
    with qtbot.waitSignal(window.dialog_opened, timeout=5000) as opened:
        qtbot.mouseClick(window.call.strip.new_customer_button, Qt.MouseButton.LeftButton)
    dialog = opened.args[0]
    assert isinstance(dialog, NewCustomerDialog) and dialog.objectName() == "newCustomerDialog"
    assert dialog.lines["phone"].text() == "07700 900888"
    error = dialog.findChild(QLabel, "newCustomerError")
    assert error is not None
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert error.text() == "Give the customer's given name."
    for field, text in (("given_name", "Ada"), ("family_name", "Lovelace"), ("address_line", "3 Mill Lane")):
        dialog.lines[field].setText(text)
    dialog.lines["town"].setText("Leeds")
    dialog.lines["postcode"].setText("ls1 4ap")
    dialog.reason.setPlainText("New caller, not on file")
    with qtbot.waitSignal(window.customer_opened, timeout=5000) as shown:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert shown.args[0].full_name == "Ada Lovelace" and "+447700900888" in shown.args[0].phones
    settle(qtbot, window)


def test_a_number_another_customer_holds_is_a_warning_from_the_search_column(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, work_store, clock)
    assert window.findChildren(object, "newCustomerButton") == [window.call.strip.new_customer_button]
    with qtbot.waitSignal(window.dialog_opened, timeout=5000) as opened:
        qtbot.mouseClick(window.details.new_customer_button, Qt.MouseButton.LeftButton)
    dialog = opened.args[0]
    assert isinstance(dialog, NewCustomerDialog) and dialog.lines["phone"].text() == ""
    for field, text in (
        ("given_name", "Ada"),
        ("family_name", "Lovelace"),
        ("address_line", "3 Mill Lane"),
        ("town", "Leeds"),
        ("postcode", "LS1 4AP"),
        ("phone", "07700 900123"),
    ):
        dialog.lines[field].setText(text)
    dialog.reason.setPlainText("Shares a phone with her sister")
    warning = dialog.findChild(QLabel, "newCustomerWarning")
    assert warning is not None
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(warning.isVisible, timeout=5000)
    assert "Priya Shah" in warning.text() and dialog.isVisible()
    with qtbot.waitSignal(window.customer_opened, timeout=5000) as shown:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert shown.args[0].full_name == "Ada Lovelace"
    settle(qtbot, window)
