"""The call strip: one match opens the customer, several give a pick list, none offers New customer,
withheld hands the keyboard to the search; the timer follows the clock; End call hands over a record."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from console.calls import Caller, CallRecord
from console.clock import ManualClock
from domain.records import CustomerMatch
from tests.ui.support import STORY_PHONE, UiData
from widgets.background import BackgroundReader
from widgets.call.controller import CallController
from widgets.call.strip import END_CALL_KEYS
from widgets.main_window import MainWindow

SHARED = "+441134960000"
UNKNOWN = "+447700900999"


def match(name: str, account: str, phone: str) -> CustomerMatch:
    return CustomerMatch(uuid.uuid4(), account, name, "LS1 4AP", "Leeds", phone, None)


HOUSEHOLD = [
    match("Ann Lee", "50000001", SHARED),
    match("Bob Lee", "50000002", SHARED),
    match("Cat Lee", "50000003", SHARED),
]
ONE = match("Priya Shah", "40000001", STORY_PHONE)


def directory(number: str) -> list[CustomerMatch]:
    return {SHARED: HOUSEHOLD, STORY_PHONE: [ONE]}.get(number, [])


class Host(QWidget):
    """The controller's strip in a plain window, with the reader it looks numbers up on."""

    def __init__(self, search: Callable[[str], list[CustomerMatch]], clock: ManualClock) -> None:
        super().__init__()
        self.reader = BackgroundReader(parent=self)
        self.call = CallController(search, self.reader, clock, self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.call.strip)
        layout.addStretch(1)


@pytest.fixture
def host(qtbot: QtBot, clock: ManualClock) -> Iterator[Host]:
    widget = Host(directory, clock)
    qtbot.addWidget(widget, before_close_func=lambda _: widget.reader.shutdown())
    widget.resize(1000, 300)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget


def take(qtbot: QtBot, host: Host, caller: Caller) -> int:
    with qtbot.waitSignal(host.call.lookup_finished, timeout=5000) as found:
        host.call.take_call(caller)
    return int(found.args[0])


def test_stable_names(host: Host) -> None:
    strip = host.call.strip
    for name in ("callStrip", "callTimer", "callMatches", "endCallButton", "newCustomerButton"):
        assert host.findChild(QWidget, name) is not None, name
    assert not strip.isVisible()  # nothing until the first call
    assert strip.isWindow() is False


def test_one_match_opens_the_customer(qtbot: QtBot, host: Host) -> None:
    with qtbot.waitSignal(host.call.open_customer_requested, timeout=5000) as opened:
        host.call.take_call(Caller(STORY_PHONE))
    assert opened.args == [ONE.id]
    strip = host.call.strip
    assert strip.isVisible()
    assert strip.number.text() == "07700 900123"
    assert "Priya Shah" in strip.caller.text() and "40000001" in strip.caller.text()
    assert not strip.matches.isVisible()
    assert not strip.new_customer_button.isVisible()
    assert host.call.customer_id == ONE.id


def test_several_matches_give_a_keyboard_pick_list(qtbot: QtBot, host: Host) -> None:
    assert take(qtbot, host, Caller(SHARED)) == 3
    strip = host.call.strip
    assert strip.matches.isVisible()
    assert strip.matches.model().rowCount() == 3
    assert "3 customers share this number" in strip.caller.text()
    assert QApplication.focusWidget() is strip.matches
    assert strip.chosen_id() == HOUSEHOLD[0].id  # the first is current, as in the search results
    qtbot.keyClick(strip.matches, Qt.Key.Key_Down)
    chosen = strip.chosen_id()
    assert chosen == HOUSEHOLD[1].id
    with qtbot.waitSignal(host.call.open_customer_requested, timeout=2000) as opened:
        qtbot.keyClick(strip.matches, Qt.Key.Key_Return)
    assert opened.args == [chosen]
    assert host.call.customer_id == chosen


def test_no_match_offers_a_new_customer_with_the_number(qtbot: QtBot, host: Host) -> None:
    assert take(qtbot, host, Caller(UNKNOWN)) == 0
    strip = host.call.strip
    assert strip.number.text() == "07700 900999"
    assert "No customer has this number" in strip.caller.text()
    assert strip.new_customer_button.isVisible()
    assert QApplication.focusWidget() is strip.new_customer_button
    with qtbot.waitSignal(host.call.new_customer_requested, timeout=2000) as asked:
        qtbot.keyClick(strip.new_customer_button, Qt.Key.Key_Space)
    assert asked.args == [UNKNOWN]


def test_new_customer_without_a_form_says_so(qtbot: QtBot, host: Host) -> None:
    take(qtbot, host, Caller(UNKNOWN))
    host.call.strip.new_customer_button.click()
    note = host.call.strip.note
    assert note.isVisible()
    assert "07700 900999" in note.text()


def test_withheld_guesses_nobody_and_asks_for_a_search(qtbot: QtBot, host: Host) -> None:
    opened: list[object] = []
    host.call.open_customer_requested.connect(opened.append)
    with qtbot.waitSignal(host.call.search_requested, timeout=2000):
        host.call.take_call(Caller(None))
    strip = host.call.strip
    assert strip.number.text() == "Number withheld"
    assert "withheld" in strip.caller.text()
    assert not strip.matches.isVisible() and not strip.new_customer_button.isVisible()
    qtbot.waitUntil(lambda: not host.reader.busy, timeout=2000)
    assert opened == []
    assert host.call.customer_id is None


def test_timer_follows_the_injected_clock(qtbot: QtBot, host: Host, clock: ManualClock) -> None:
    take(qtbot, host, Caller(STORY_PHONE))
    timer = host.call.strip.timer
    assert timer.objectName() == "callTimer"
    assert timer.text() == "0:00"
    clock.advance(timedelta(seconds=42))
    host.call.tick(clock.now())
    assert timer.text() == "0:42"
    clock.advance(timedelta(minutes=12))
    host.call.tick(clock.now())
    assert timer.text() == "12:42"


def test_end_call_keeps_the_duration_and_hands_over_the_record(
    qtbot: QtBot, host: Host, clock: ManualClock
) -> None:
    started = clock.now()
    take(qtbot, host, Caller(STORY_PHONE))
    clock.advance(timedelta(minutes=4, seconds=12))
    host.call.tick(clock.now())
    with qtbot.waitSignal(host.call.call_ended, timeout=2000) as ended:
        qtbot.mouseClick(host.call.strip.end_button, Qt.MouseButton.LeftButton)
    record = ended.args[0]
    assert record == CallRecord(STORY_PHONE, ONE.id, started, started + timedelta(minutes=4, seconds=12))
    strip = host.call.strip
    assert strip.isVisible()
    assert strip.timer.text() == "Ended · 4:12"
    assert not strip.end_button.isVisible()
    clock.advance(timedelta(minutes=1))
    host.call.tick(clock.now())
    assert strip.timer.text() == "Ended · 4:12"  # the timer no longer runs
    assert not host.call.live


def test_the_end_call_key(qtbot: QtBot, host: Host) -> None:
    take(qtbot, host, Caller(SHARED))
    host.activateWindow()
    qtbot.waitActive(host)
    with qtbot.waitSignal(host.call.call_ended, timeout=2000) as ended:
        qtbot.keyClick(
            host.call.strip.matches,
            Qt.Key.Key_X,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    assert ended.args[0].number == SHARED
    assert END_CALL_KEYS == "Ctrl+Shift+X"


def test_a_new_call_ends_the_one_in_hand(qtbot: QtBot, host: Host) -> None:
    take(qtbot, host, Caller(STORY_PHONE))
    with (
        qtbot.waitSignal(host.call.call_ended, timeout=2000) as ended,
        qtbot.waitSignal(host.call.lookup_finished, timeout=5000) as found,
    ):
        host.call.take_call(Caller(SHARED))
    assert ended.args[0].number == STORY_PHONE
    assert found.args == [3]
    assert host.call.live


def test_a_failed_lookup_says_so_and_asks_for_a_search(qtbot: QtBot, clock: ManualClock) -> None:
    def broken(_number: str) -> list[CustomerMatch]:
        raise RuntimeError("database went away")

    host = Host(broken, clock)
    qtbot.addWidget(host, before_close_func=lambda _: host.reader.shutdown())
    with qtbot.waitSignal(host.call.search_requested, timeout=5000):
        host.call.take_call(Caller(STORY_PHONE))
    assert "could not be looked up" in host.call.strip.caller.text()


# -- in the main window -------------------------------------------------------------------------------


def test_the_window_opens_the_caller_and_keeps_one_strip(
    qtbot: QtBot, window: MainWindow, ui_data: UiData
) -> None:
    strip = window.findChild(QWidget, "callStrip")
    assert strip is window.call.strip
    assert strip.window() is window
    with qtbot.waitSignal(window.customer_opened, timeout=5000) as opened:
        window.call.take_call(Caller(STORY_PHONE))
    assert opened.args[0].account_number == ui_data.story_account
    assert strip.isVisible()
    assert "Ms Priya Shah" in strip.caller.text()
    assert (
        strip.mapTo(window, strip.rect().topLeft()).y()
        < window.pane.header.mapTo(window, window.pane.header.rect().topLeft()).y()
    )


def test_the_window_searches_for_a_withheld_caller(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitActive(window)
    window.pane.history_panel.view.setFocus()
    window.call.take_call(Caller(None))
    assert QApplication.focusWidget() is window.search_panel.search_box
    assert window.current_profile is None


def test_a_customer_opened_during_a_withheld_call_is_who_it_is_about(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.call.take_call(Caller(None))
    customer = window.service.search("40000002")[0]
    with qtbot.waitSignal(window.customer_opened, timeout=5000):
        window.open_customer(customer.id)
    with qtbot.waitSignal(window.call.call_ended, timeout=2000) as ended:
        window.call.end_call()
    assert ended.args[0].customer_id == customer.id
    assert ended.args[0].number is None
    assert "Tom Jones" in window.call.strip.caller.text()
