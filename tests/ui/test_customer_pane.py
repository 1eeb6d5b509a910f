"""Opening a customer fills the header, the paged history and the cases; the channel filter narrows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QGroupBox, QHeaderView, QLabel, QTableView
from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from console.services.customers import CustomerService
from domain.records import CustomerProfile
from domain.vocabulary import Channel
from storage.store import Store
from tests.ui.support import STORY_ACCOUNT, UiData, fetch_all, make_window, qt_objects_left_in_cycles
from widgets.cases.model import CaseColumn
from widgets.main_window import MainWindow
from widgets.pane.history_model import EntryRole, HistoryColumn
from widgets.text import APPLICATION_NAME
from widgets.views import HintTableView

STABLE_NAMES = [
    "customerSearch",
    "searchResults",
    "customerHeader",
    "historyView",
    "caseList",
    "promiseList",
    "goodwillPanel",
    "offersPanel",
    "handoffList",
    "connectivityStatus",
]


def open_story(qtbot: QtBot, window: MainWindow) -> CustomerProfile:
    with qtbot.waitSignal(window.customer_opened, timeout=5000) as opened:
        window.search_panel.search_box.setText("+44 7700 900123")
        qtbot.keyClick(window.search_panel.search_box, Qt.Key.Key_Return)
    profile: CustomerProfile = opened.args[0]
    return profile


def header_texts(window: MainWindow) -> str:
    return "\n".join(
        label.text() for label in window.pane.header.findChildren(QLabel) if label.isVisibleTo(window)
    )


def test_every_stable_object_name_is_there_once(window: MainWindow) -> None:
    for name in STABLE_NAMES:
        found = window.findChildren(object, name)
        assert len(found) == 1, name
    assert window.findChildren(object, "approvalQueue") == []
    assert "Advisor" in window.windowTitle()


def test_the_title_names_the_program_once(window: MainWindow) -> None:
    title = window.windowTitle()
    # What the platform shows: it adds the program's name to a title that does not end with it.
    shown = title if title.endswith(APPLICATION_NAME) else f"{title} — {APPLICATION_NAME}"
    assert shown == "Advisor — Advisor Console"


def test_supervisor_has_an_approval_queue(qtbot: QtBot, ui_store: Store, clock: ManualClock) -> None:
    window = make_window(qtbot, ui_store, clock, role="supervisor")
    queue = window.findChild(QTableView, "approvalQueue")
    assert queue is not None
    assert queue.accessibleName() == "Approvals"
    assert "Supervisor" in window.windowTitle()


def test_controls_have_accessible_names_and_data_labels_do_not(window: MainWindow) -> None:
    assert window.pane.history_panel.channel_filter.accessibleName() == "Filter history by channel"
    assert window.pane.history_panel.view.accessibleName() == "Contact history"
    assert window.cases.view.accessibleName() == "Cases"
    for label in window.findChildren(QLabel):
        assert label.accessibleName() == "", label.objectName()
    for name in ("promiseList", "handoffList"):
        view = window.findChild(QAbstractItemView, name)
        assert view is not None and view.accessibleName()
    for name in ("goodwillPanel", "offersPanel"):
        group = window.findChild(QGroupBox, name)
        assert group is not None and group.title()


def test_empty_state_and_connectivity(window: MainWindow, ui_store: Store) -> None:
    assert "No customer open" in header_texts(window)
    assert window.pane.history_model.rowCount() == 0
    assert window.cases.model.rowCount() == 0
    status = window.findChild(QLabel, "connectivityStatus")
    assert status is not None
    assert status.isVisible()
    assert status.text() == f"Local store: {ui_store.location.describe()}"


def test_opening_fills_header_history_and_cases(qtbot: QtBot, window: MainWindow, ui_data: UiData) -> None:
    profile = open_story(qtbot, window)
    assert profile.account_number == STORY_ACCOUNT
    text = header_texts(window)
    assert "Ms Priya Shah" in text
    assert "Account 40000001" in text
    assert "Vulnerable: Hearing loss" in text
    assert "Account owner: Jo Okafor" in text
    assert "Handed over" in text and "by Alex Morgan: Alex moved to the business team" in text
    assert "Marketing consent: No" in text
    assert "Prefers: Email" in text
    assert "Customer since 1 Apr 2015" in text
    assert "020 7946 0000" in text
    assert "No customer open" not in text

    history = window.pane.history_model
    assert history.rowCount() == 200
    newest = [history.index(row, 0).data(EntryRole).occurred_at for row in range(history.rowCount())]
    assert newest == sorted(newest, reverse=True)
    when = history.index(0, HistoryColumn.WHEN).data()
    assert len(when.split()) == 5  # `Tue 24 Nov 2026 14:05`
    assert history.index(0, HistoryColumn.CHANNEL).data(Qt.ItemDataRole.DecorationRole) is not None
    assert "Event number 0" in history.index(0, HistoryColumn.SUMMARY).data()
    assert history.index(0, HistoryColumn.CASE).data() == ui_data.open_case

    cases = window.cases.model
    assert cases.rowCount() == 2
    assert cases.index(0, CaseColumn.REFERENCE).data() == ui_data.open_case
    assert cases.index(1, CaseColumn.REFERENCE).data() == ui_data.closed_case
    assert cases.index(0, CaseColumn.STATUS).data() == "In progress"
    assert cases.index(0, CaseColumn.AGE).data() == "3 days"
    assert cases.index(0, CaseColumn.TITLE).data(Qt.ItemDataRole.FontRole).bold()
    assert cases.index(1, CaseColumn.TITLE).data(Qt.ItemDataRole.FontRole) is None
    assert "1 open" in window.cases.panel.title.text()


def test_history_fetches_more_pages_as_it_scrolls(qtbot: QtBot, window: MainWindow, ui_data: UiData) -> None:
    open_story(qtbot, window)
    history = window.pane.history_model
    assert history.canFetchMore(history.index(-1, -1))
    with qtbot.waitSignal(history.page_loaded, timeout=5000):
        # the view asks the model for more when it reaches the end
        window.pane.history_panel.view.scrollToBottom()
    assert history.rowCount() > 200
    fetch_all(qtbot, history)
    assert history.rowCount() == ui_data.events
    ids = [history.index(row, 0).data(EntryRole).id for row in range(history.rowCount())]
    assert len(set(ids)) == ui_data.events  # keyset pages neither skip nor repeat a row


@pytest.mark.parametrize("channel", [Channel.PHONE, Channel.SYSTEM])
def test_channel_filter_narrows_the_history(
    qtbot: QtBot, window: MainWindow, ui_data: UiData, channel: Channel
) -> None:
    open_story(qtbot, window)
    combo = window.pane.history_panel.channel_filter
    with qtbot.waitSignal(window.pane.history_panel.channels_changed, timeout=2000):
        combo.setCurrentIndex(combo.findData(channel.value))
    history = window.pane.history_model
    fetch_all(qtbot, history)
    assert history.rowCount() == ui_data.events_by_channel[channel]
    rows = {history.index(row, 0).data(EntryRole).channel for row in range(history.rowCount())}
    assert rows == {channel}
    with qtbot.waitSignal(history.page_loaded, timeout=5000):
        combo.setCurrentIndex(0)
    assert history.rowCount() == 200


def test_opening_another_customer_resets_the_filter(qtbot: QtBot, window: MainWindow) -> None:
    open_story(qtbot, window)
    combo = window.pane.history_panel.channel_filter
    combo.setCurrentIndex(combo.findData(Channel.EMAIL.value))
    with qtbot.waitSignal(window.customer_opened, timeout=5000):
        window.search_panel.search_box.setText("40000002")
        qtbot.keyClick(window.search_panel.search_box, Qt.Key.Key_Return)
    assert combo.currentIndex() == 0
    assert window.pane.history_model.rowCount() == 0
    assert window.cases.model.rowCount() == 0
    assert "No named owner" in header_texts(window)
    assert "Vulnerable" not in header_texts(window)


def test_open_customer_now_is_synchronous(window: MainWindow, ui_store: Store) -> None:
    window.open_customer_now(CustomerService(ui_store).find_account(STORY_ACCOUNT))
    assert "Ms Priya Shah" in header_texts(window)
    assert window.pane.history_model.rowCount() == 200
    assert window.cases.model.rowCount() == 2


def test_a_slow_open_overtaken_by_a_newer_one_is_dropped(
    qtbot: QtBot, window: MainWindow, ui_store: Store
) -> None:
    service = CustomerService(ui_store)
    story = service.find_account(STORY_ACCOUNT)
    other = service.find_account("40000002")
    window.open_customer(story.id)
    window.open_customer(other.id)
    with qtbot.waitSignal(window.customer_opened, timeout=5000) as opened:
        pass
    assert opened.args[0].id == other.id
    qtbot.waitUntil(lambda: not window.reader.busy, timeout=5000)
    assert window.current_profile is not None
    assert window.current_profile.id == other.id


def test_opening_a_vanished_customer_is_reported(qtbot: QtBot, window: MainWindow) -> None:
    import uuid

    with qtbot.waitSignal(window.customer_open_failed, timeout=5000) as failed:
        window.open_customer(uuid.uuid4())
    assert "Could not open the customer" in failed.args[0]
    assert window.current_profile is None


def test_history_rows_have_one_fixed_height(qtbot: QtBot, window: MainWindow) -> None:
    """No per-row measuring: the view can scroll tens of thousands of rows without laying them out."""
    open_story(qtbot, window)
    rows = window.pane.history_panel.view.verticalHeader()
    assert rows.sectionResizeMode(0) == QHeaderView.ResizeMode.Fixed
    assert {rows.sectionSize(row) for row in range(window.pane.history_model.rowCount())} == {
        rows.defaultSectionSize()
    }
    assert window.pane.history_panel.view.indexWidget(window.pane.history_model.index(0, 0)) is None


def test_empty_views_say_why(window: MainWindow, ui_store: Store) -> None:
    assert "Open a customer" in window.pane.history_panel.view.empty_text
    assert "as you type" in window.search_panel.results.empty_text
    window.open_customer_now(CustomerService(ui_store).find_account("40000002"))  # no contacts, no cases
    assert window.pane.history_model.rowCount() == 0
    assert window.pane.history_panel.view.empty_text == "No contacts recorded for this customer."
    assert window.cases.view.empty_text == "No cases recorded for this customer."
    promises = window.findChild(HintTableView, "promiseList")
    assert promises is not None and promises.empty_text  # says why it is empty, never a blank box


def _use_and_close_a_window(qtbot: QtBot, store: Store, clock: ManualClock) -> None:
    window = MainWindow(CustomerService(store), "Local store: test", "supervisor", clock)
    window.show()
    open_story(qtbot, window)
    combo = window.pane.history_panel.channel_filter
    with qtbot.waitSignal(window.pane.history_model.page_loaded, timeout=5000):
        combo.setCurrentIndex(combo.findData(Channel.EMAIL.value))
    window.search_panel.search_box.setText("40000")
    qtbot.waitUntil(lambda: not window.search_panel.searching, timeout=5000)
    window.close()


def test_a_closed_window_leaves_no_reference_cycles(
    qtbot: QtBot, ui_store: Store, clock: ManualClock
) -> None:
    """Qt wrappers in a cycle would be freed by whichever thread next runs the cycle collector:
    on the background reader's thread that deletes widgets off the GUI thread and crashes."""
    assert qt_objects_left_in_cycles(lambda: _use_and_close_a_window(qtbot, ui_store, clock)) == []
