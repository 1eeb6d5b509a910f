"""My promises: every open promise the user owns, across customers, soonest first; Enter opens one."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from storage.store import Store
from tests.ui.support import STORY_ACCOUNT
from tests.ui.work_support import TOM_ACCOUNT, ZOE_ACCOUNT, cell, make_promise, settle, work_window
from widgets.promises.models import PromiseColumn


def test_worklist_is_ordered_by_due_time_and_enter_opens_the_customer(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    make_promise(work_store, clock, TOM_ACCOUNT, timedelta(hours=3))
    make_promise(work_store, clock, STORY_ACCOUNT, timedelta(minutes=40))
    make_promise(work_store, clock, ZOE_ACCOUNT, timedelta(days=1))
    make_promise(work_store, clock, TOM_ACCOUNT, timedelta(minutes=20), username="jo")  # not alex's
    window = work_window(qtbot, work_store, clock)
    model = window.promises.worklist_model
    names = [cell(model, row, model.column_of(PromiseColumn.CUSTOMER)) for row in range(model.rowCount())]
    assert names == ["Priya Shah", "Tom Jones", "Zoë Ålander"]
    assert cell(model, 0, model.column_of(PromiseColumn.ACCOUNT)) == STORY_ACCOUNT
    assert cell(model, 0, model.column_of(PromiseColumn.COUNTDOWN)) == "in 40 min"
    assert window.tabs.tabText(1) == "My promises (3)"
    assert window.promises.worklist_panel.view.accessibleName() == "My promises"
    assert window.promises.worklist_panel.view.objectName() == "myPromises"

    qtbot.keyClick(
        window.search_panel.search_box,
        Qt.Key.Key_P,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.tabs.currentWidget() is window.promises.worklist_panel
    assert window.promises.worklist_panel.view.hasFocus()
    qtbot.keyClick(window.promises.worklist_panel.view, Qt.Key.Key_Down)
    assert window.promises.worklist_panel.view.currentIndex().row() == 1
    with qtbot.waitSignal(window.customer_opened, timeout=5000) as opened:
        qtbot.keyClick(window.promises.worklist_panel.view, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert opened.args[0].account_number == TOM_ACCOUNT
    assert window.tabs.currentWidget() is window.pane.history_panel
    # Tom's pane shows both promises made to him, whoever owns them.
    assert window.promises.model.rowCount() == 2


def test_a_promise_due_soon_is_announced_while_another_customer_is_open(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    make_promise(work_store, clock, TOM_ACCOUNT, timedelta(minutes=30))
    window = work_window(qtbot, work_store, clock)
    assert not window.promises.banner.isVisible()
    window.open_customer_now(window.service.find_account(STORY_ACCOUNT))
    clock.advance(timedelta(minutes=16))
    window.tick()
    assert window.promises.banner.isVisible()
    assert window.promises.banner.text.text() == "Progress update for Tom Jones due in 14 min"
    with qtbot.waitSignal(window.customer_opened, timeout=5000) as opened:
        window.promises.banner.open_button.click()
    assert opened.args[0].account_number == TOM_ACCOUNT
    settle(qtbot, window)
