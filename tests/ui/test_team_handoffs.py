"""The team's handoff list names whom each handoff is for and opens that customer; over a call with
another customer's pane open, it asks first."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from console.calls import Caller
from console.clock import ManualClock
from domain.vocabulary import Team
from storage.models import User
from storage.store import Store
from tests.ui.support import STORY_ACCOUNT
from tests.ui.work_support import TOM_ACCOUNT, cell, open_account, settle, work_window
from widgets.handoffs.model import HandoffColumn
from widgets.main_window import MainWindow
from widgets.team_handoffs.controller import TeamHandoffsController

PRIYA = f"Priya Shah ({STORY_ACCOUNT})"


def provisioning_window(qtbot: QtBot, store: Store, clock: ManualClock) -> MainWindow:
    """Alex in provisioning, the team the work store's dropped handoff (for Priya) went to."""
    with store.write() as session:
        session.execute(update(User).where(User.username == "alex").values(team=Team.PROVISIONING))
    window = work_window(qtbot, store, clock)
    window.tabs.setCurrentWidget(window.team_handoffs.panel)
    return window


def select_first(listed: TeamHandoffsController) -> None:
    listed.panel.view.setFocus()
    listed.panel.view.setCurrentIndex(listed.model.index(0, 0))


def test_the_list_names_the_customer_and_return_opens_them(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = provisioning_window(qtbot, work_store, clock)
    listed = window.team_handoffs
    assert listed.model.rowCount() == 1
    assert cell(listed.model, 0, HandoffColumn.CUSTOMER) == PRIYA
    assert listed.model.headerData(HandoffColumn.CUSTOMER, Qt.Orientation.Horizontal) == "Customer"
    assert listed.panel.view.horizontalHeader().visualIndex(HandoffColumn.CUSTOMER) == 1  # who, then what
    assert not listed.panel.view.isColumnHidden(HandoffColumn.CUSTOMER)
    # Cut short on screen or not, the whole text is reachable.
    assert cell(listed.model, 0, HandoffColumn.CUSTOMER, Qt.ItemDataRole.AccessibleTextRole) == PRIYA
    assert f"For {PRIYA}" in str(cell(listed.model, 0, HandoffColumn.CUSTOMER, Qt.ItemDataRole.ToolTipRole))
    assert window.handoffs.model.columnCount() == len(HandoffColumn) - 1  # the pane's own list: no column

    assert not listed.panel.open_button.isEnabled()  # nothing selected yet
    select_first(listed)
    assert listed.panel.open_button.isEnabled()
    with qtbot.waitSignal(window.customer_opened, timeout=5000) as opened:
        qtbot.keyClick(listed.panel.view, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert opened.args[0].account_number == STORY_ACCOUNT
    assert window.current_profile is not None and window.current_profile.account_number == STORY_ACCOUNT


def test_over_a_call_with_another_customer_the_banner_asks_before_opening(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = provisioning_window(qtbot, work_store, clock)
    with qtbot.waitSignal(window.customer_opened, timeout=5000):
        window.call.take_call(Caller("+447700900456"))  # Tom calls: his pane opens
    settle(qtbot, window)
    assert window.current_profile is not None and window.current_profile.account_number == TOM_ACCOUNT
    listed, banner = window.team_handoffs, window.team_handoffs.banner
    window.tabs.setCurrentWidget(listed.panel)
    select_first(listed)

    opened: list[object] = []
    window.customer_opened.connect(opened.append)
    listed.panel.open_button.click()
    assert banner.isVisible() and banner.asking
    assert banner.text.text() == (
        f"You are on a call with Tom Jones. Open {PRIYA} instead, leaving the caller's pane?"
    )
    assert banner.open_button.text() == "Open anyway"
    assert banner.dismiss_button.text() == "Stay on the call"
    settle(qtbot, window)
    assert opened == [] and window.current_profile.account_number == TOM_ACCOUNT  # the caller stays

    banner.dismiss_button.click()  # Stay on the call
    assert not banner.isVisible()
    assert banner.open_button.accessibleName() == "Open the customer of this handoff"  # its own words again
    qtbot.keyClick(listed.panel.view, Qt.Key.Key_Return)  # asks again
    assert banner.asking
    with qtbot.waitSignal(window.customer_opened, timeout=5000):
        banner.open_button.click()  # Open anyway: the same opening as the list's
    settle(qtbot, window)
    assert not banner.isVisible()
    assert window.current_profile is not None and window.current_profile.account_number == STORY_ACCOUNT

    window.call.end_call()
    window.dialogs.close()  # the wrap-up
    open_account(qtbot, window, TOM_ACCOUNT)
    window.tabs.setCurrentWidget(listed.panel)
    select_first(listed)
    with qtbot.waitSignal(window.customer_opened, timeout=5000):  # no call in hand: no question
        qtbot.keyClick(listed.panel.view, Qt.Key.Key_Return)
    assert not banner.isVisible()
