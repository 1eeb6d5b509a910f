"""Every pane has a key (Ctrl+1 … Ctrl+5, listed in the README) and shows when it has the focus; a row
reached from the keyboard is selected, so it shows too."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractItemView
from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from storage.store import Store
from tests.ui.support import STORY_ACCOUNT
from tests.ui.work_support import LONDON, TOM_ACCOUNT, open_account, settle, work_window
from widgets.app import build_window
from widgets.main_window import MainWindow
from widgets.panes import PANE_KEYS

README = Path(__file__).resolve().parents[2] / "README.md"


def frame_colour(view: QAbstractItemView) -> QColor:
    """The colour at the viewport's left edge, half-way down: where the focus frame is drawn."""
    image = view.viewport().grab().toImage()
    return image.pixelColor(0, image.height() // 2)


def highlight(view: QAbstractItemView) -> QColor:
    return view.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight)


def views_by_key(window: MainWindow) -> dict[str, QAbstractItemView]:
    return {
        "Ctrl+1": window.pane.history_panel.view,
        "Ctrl+2": window.cases.view,
        "Ctrl+3": window.promises.panel.view,
        "Ctrl+4": window.handoffs.panel.view,
        "Ctrl+5": window.goodwill.panel.view,
    }


def press(qtbot: QtBot, window: MainWindow, keys: str) -> None:
    digit = Qt.Key(Qt.Key.Key_0.value + int(keys[-1]))
    qtbot.keyClick(window.focusWidget() or window, digit, Qt.KeyboardModifier.ControlModifier)


def test_each_pane_has_a_key_and_a_visible_focus(qtbot: QtBot, work_store: Store, clock: ManualClock) -> None:
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, STORY_ACCOUNT)
    window.tabs.setCurrentWidget(window.promises.worklist_panel)  # Ctrl+1 brings the history back
    for keys, view in views_by_key(window).items():
        press(qtbot, window, keys)
        qtbot.waitUntil(view.hasFocus, timeout=2000)
        assert view.isVisible(), keys
        assert frame_colour(view) == highlight(view), keys
        if view.model().rowCount():
            assert view.selectionModel().hasSelection(), keys  # the row under the keys shows
    window.search_panel.focus_search()
    assert frame_colour(window.cases.view) != highlight(window.cases.view)  # no frame once it is left


def test_the_supervisor_reaches_the_customer_panes_from_the_board(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = build_window(work_store, "supervisor", clock, username="sam", zone=LONDON, auto_tick=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    settle(qtbot, window)
    press(qtbot, window, "Ctrl+4")
    qtbot.waitUntil(window.handoffs.panel.view.hasFocus, timeout=2000)
    assert window.handoffs.panel.view.isVisible()


def test_a_case_row_reached_with_tab_is_highlighted(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, TOM_ACCOUNT)
    view = window.cases.view
    view.clearSelection()
    view.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(view.hasFocus, timeout=2000)
    assert view.selectionModel().isRowSelected(view.currentIndex().row())


def test_the_readme_lists_every_pane_key() -> None:
    readme = README.read_text(encoding="utf-8")
    for keys, pane in PANE_KEYS:
        assert f"| {keys} |" in readme and pane in readme, keys
