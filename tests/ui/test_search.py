"""Customer search in the window: any form of a phone number finds the customer, bad input is calm."""

from __future__ import annotations

import threading
import uuid

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from console.normalise import format_phone
from domain.records import CustomerMatch
from storage.models import Customer
from tests.ui.support import STORY_PHONE, UiData
from widgets.background import BackgroundReader
from widgets.main_window import MainWindow
from widgets.search.panel import SearchPanel


def search(qtbot: QtBot, window: MainWindow, text: str) -> list[str]:
    """Type `text` into the search box as a person would; wait for its results; return their names."""
    panel = window.search_panel
    panel.search_box.clear()
    if text.isascii():
        qtbot.keyClicks(panel.search_box, text)
    else:  # QTest cannot synthesise key presses for emoji and other non-ASCII text: insert it as a paste
        panel.search_box.insert(text)
    qtbot.waitUntil(lambda: not panel.searching, timeout=5000)
    return [
        match.name for match in (panel.model.match_at(row) for row in range(panel.model.rowCount())) if match
    ]


def test_stable_names_and_accessible_names(window: MainWindow) -> None:
    search_box = window.findChild(object, "customerSearch")
    assert search_box is window.search_panel.search_box
    assert search_box.accessibleName() == "Search customers"
    assert search_box.placeholderText() == "Account, phone, name, postcode or email"
    assert window.findChild(object, "searchResults").accessibleName() == "Search results"


@pytest.mark.parametrize("typed", ["(0)7700-900123", "+44 7700 900123", "07700 900123", "077009001"])
def test_phone_in_any_form_finds_the_customer(qtbot: QtBot, window: MainWindow, typed: str) -> None:
    assert search(qtbot, window, typed) == ["Ms Priya Shah"]
    shown = window.search_panel.model.index(0, 0).data()
    assert "40000001" in shown
    assert "SW1A 1AA" in shown
    assert format_phone(STORY_PHONE) in shown  # the stored E.164 number, shown the way advisors read it
    assert not window.search_panel.message.isVisible()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("40000002", ["Tom Jones"]),
        ("sw1a1aa", ["Ms Priya Shah"]),
        ("zoe", ["Zoë Ålander"]),
        ("TOM.JONES@", ["Tom Jones"]),
    ],
)
def test_account_postcode_name_and_email(
    qtbot: QtBot, window: MainWindow, typed: str, expected: list[str]
) -> None:
    assert search(qtbot, window, typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "xyzzy plugh",
        "'; DROP TABLE customers;--",
        "😀🎉📞",
        "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",  # right-to-left Hebrew and Arabic
        "\u202eE1 6AN\u202c",  # a right-to-left override around a postcode nobody here has
        "%_*?[]\\",
    ],
)
def test_bad_input_says_no_match(qtbot: QtBot, window: MainWindow, ui_data: UiData, typed: str) -> None:
    panel = window.search_panel
    assert search(qtbot, window, typed) == []
    assert panel.message.isVisible()
    assert "No match" in panel.message.text()
    with ui_data.store.read() as session:  # and the customers are all still there
        assert session.scalar(select(func.count()).select_from(Customer)) == 3


def test_ten_thousand_characters_say_no_match(qtbot: QtBot, window: MainWindow) -> None:
    panel = window.search_panel
    panel.search_box.setMaxLength(20_000)
    panel.search_box.setText("a" * 10_000)  # pasted, not typed
    qtbot.waitUntil(lambda: not panel.searching, timeout=5000)
    assert panel.model.rowCount() == 0
    assert panel.message.isVisible()
    assert "No match" in panel.message.text()


def test_clearing_the_box_clears_results_and_message(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, "xyzzy")
    window.search_panel.search_box.clear()
    assert not window.search_panel.searching
    assert window.search_panel.model.rowCount() == 0
    assert not window.search_panel.message.isVisible()


def test_stale_results_are_dropped(qtbot: QtBot) -> None:
    """The first query is held on the worker until the second has been typed: its answer never shows."""
    release = threading.Event()

    def slow_search(text: str) -> list[CustomerMatch]:
        if text == "first":
            release.wait(5)
        return [CustomerMatch(uuid.uuid4(), "1", text, "SW1A 1AA", "London", None, None)]

    reader = BackgroundReader()
    panel = SearchPanel(slow_search, reader)
    qtbot.addWidget(panel, before_close_func=lambda _: (release.set(), reader.shutdown()))
    panel.search_box.setText("first")
    panel.search_box.setText("second")  # queued behind "first" on the single worker
    assert panel.searching
    release.set()
    with qtbot.waitSignal(panel.search_finished, timeout=5000) as finished:
        pass
    assert finished.args == [1]
    assert panel.model.match_at(0) is not None
    assert panel.model.match_at(0).name == "second"  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: not reader.busy, timeout=5000)  # the dropped answer has been delivered too
    assert panel.model.rowCount() == 1
    assert panel.model.match_at(0).name == "second"  # type: ignore[union-attr]


def test_search_failure_is_calm(qtbot: QtBot) -> None:
    def broken(text: str) -> list[CustomerMatch]:
        raise RuntimeError("database went away")

    reader = BackgroundReader()
    panel = SearchPanel(broken, reader)
    qtbot.addWidget(panel, before_close_func=lambda _: reader.shutdown())
    with qtbot.waitSignal(panel.search_finished, timeout=5000):
        panel.search_box.setText("priya")
    assert panel.message.isVisibleTo(panel)
    assert "No match" in panel.message.text()


def test_down_moves_into_results_and_enter_opens(qtbot: QtBot, window: MainWindow, ui_data: UiData) -> None:
    search(qtbot, window, "40000")
    panel = window.search_panel
    assert panel.model.rowCount() == 3
    qtbot.keyClick(panel.search_box, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is panel.results
    qtbot.keyClick(panel.results, Qt.Key.Key_Down)
    assert panel.results.currentIndex().row() == 1
    with qtbot.waitSignal(window.customer_opened, timeout=5000) as opened:
        qtbot.keyClick(panel.results, Qt.Key.Key_Return)
    assert opened.args[0].account_number == "40000002"
    qtbot.keyClick(panel.results, Qt.Key.Key_Up)
    qtbot.keyClick(panel.results, Qt.Key.Key_Up)
    assert QApplication.focusWidget() is panel.search_box


def test_enter_before_results_arrive_opens_the_first_match(qtbot: QtBot, window: MainWindow) -> None:
    panel = window.search_panel
    with qtbot.waitSignal(window.customer_opened, timeout=5000) as opened:
        panel.search_box.setText("+44 7700 900123")
        qtbot.keyClick(panel.search_box, Qt.Key.Key_Return)
    assert opened.args[0].account_number == "40000001"


def test_ctrl_f_focuses_search_from_anywhere(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitActive(window)
    window.pane.history_panel.view.setFocus()
    assert QApplication.focusWidget() is window.pane.history_panel.view
    qtbot.keyClick(window.pane.history_panel.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.search_panel.search_box
