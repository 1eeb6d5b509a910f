"""At a laptop's size (1366x768) a busy customer's lists show enough rows without scrolling, and words
that matter are not cut off: titles and next steps get the width, and a cut cell's whole text is its
tooltip and what a screen reader reads."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractItemView
from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from console.ids import new_id
from console.services.customers import CustomerService
from console.services.goodwill import GoodwillService
from console.services.people import PeopleService
from domain.vocabulary import GoodwillKind, HandoffKind, HandoffStatus, Team
from storage.models import Handoff
from storage.store import Store
from tests.ui.support import STORY_ACCOUNT
from tests.ui.work_support import LONDON, TOM_ACCOUNT, make_promise, open_account, settle
from widgets.app import build_window
from widgets.cases.model import CaseColumn
from widgets.handoffs.model import HandoffColumn
from widgets.main_window import MainWindow
from widgets.promises.panels import WORDS_LEAST

LAPTOP = (1366, 768)
CASE_TITLES = (
    "Office move to 14 Wellington Place",
    "Direct debit taken on the wrong day",
    "Router replacement never arrived",
    "Line noise on the landline at night",
    "Wrong name on the October bill",
)
NEXT_STEP = "Provisioning to acknowledge the order and book the engineer"


def busy_customer(store: Store, clock: ManualClock) -> None:
    """Tom, with five more open cases, six promises and three handoffs waiting on other teams."""
    tom = CustomerService(store).find_account(TOM_ACCOUNT)
    from widgets.workbench import workbench_for

    alex = PeopleService(store).current_user("alex")
    cases = workbench_for(store, clock, alex).cases
    for title in CASE_TITLES:
        cases.open(tom.id, "billing", title, next_step=NEXT_STEP)
    for hours in range(1, 7):
        make_promise(store, clock, TOM_ACCOUNT, timedelta(hours=hours))
    with store.write() as session:
        for days in range(3):
            session.add(
                Handoff(
                    id=new_id(), customer_id=tom.id, case_id=None, kind=HandoffKind.ORDER,
                    summary=f"Install the second line at the new office, phase {days + 1}",
                    from_team=Team.SALES, to_team=Team.PROVISIONING, created_by=alex.id,
                    created_at=clock.now() - timedelta(days=days + 1),
                    acknowledge_by=clock.now() + timedelta(days=days + 1), acknowledged_by=None,
                    acknowledged_at=None, done_by=None, done_at=None,
                    status=HandoffStatus.AWAITING_ACK, version=1,
                )
            )  # fmt: skip


def laptop_window(qtbot: QtBot, store: Store, clock: ManualClock, role: str = "advisor") -> MainWindow:
    username = "sam" if role == "supervisor" else "alex"
    window = build_window(store, role, clock, username=username, zone=LONDON, auto_tick=False)
    qtbot.addWidget(window)
    window.resize(*LAPTOP)
    window.show()
    qtbot.waitExposed(window)
    settle(qtbot, window)
    return window


def rows_in_sight(view: QAbstractItemView) -> int:
    """Rows wholly inside the view's viewport, as a person sees them without scrolling."""
    area = view.viewport().rect()
    model = view.model()
    return sum(
        1
        for row in range(model.rowCount())
        if area.contains(view.visualRect(model.index(row, 0, QModelIndex())))
    )


def test_a_busy_customer_at_a_laptop_size_shows_five_cases_five_promises_three_handoffs(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    busy_customer(work_store, clock)
    window = laptop_window(qtbot, work_store, clock)
    open_account(qtbot, window, TOM_ACCOUNT)
    qtbot.waitUntil(lambda: window.cases.model.rowCount() >= 6, timeout=5000)
    qtbot.wait(1)  # the fit after the customer opened
    seen = {
        "cases": rows_in_sight(window.cases.view),
        "promises": rows_in_sight(window.promises.panel.view),
        "handoffs": rows_in_sight(window.handoffs.panel.view),
    }
    assert seen["cases"] >= 5 and seen["promises"] >= 5 and seen["handoffs"] >= 3, seen


def test_the_supervisor_sees_four_approvals_at_a_laptop_size(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    alex = PeopleService(work_store).current_user("alex")
    asking = GoodwillService(work_store, clock, alex)
    tom = CustomerService(work_store).find_account(TOM_ACCOUNT)
    for pounds in (60, 75, 90, 120, 150):  # over the advisor's £50: each waits for a supervisor
        asking.request(tom.id, GoodwillKind.GOODWILL_CREDIT, f"{pounds}.00", "missed callback", "No callback")
    window = laptop_window(qtbot, work_store, clock, role="supervisor")
    window.load_board_now()
    queue = window.approval_queue
    assert queue is not None
    qtbot.waitUntil(lambda: queue.model().rowCount() == 5, timeout=5000)
    qtbot.wait(1)
    assert rows_in_sight(queue) >= 4


def cut_cells(view: QAbstractItemView) -> list[tuple[str, object, object]]:
    """(whole text, tooltip, accessible text) of each cell too wide for its column."""
    model, metrics = view.model(), QFontMetrics(view.font())
    bold = QFont(view.font())
    bold.setBold(True)
    wide = QFontMetrics(bold)
    cut = []
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            text = index.data()
            if not isinstance(text, str) or view.isColumnHidden(column):  # type: ignore[attr-defined]
                continue
            if max(metrics.horizontalAdvance(text), wide.horizontalAdvance(text)) + 8 > view.columnWidth(
                column
            ):  # type: ignore[attr-defined]
                cut.append(
                    (
                        text,
                        index.data(Qt.ItemDataRole.ToolTipRole),
                        index.data(Qt.ItemDataRole.AccessibleTextRole),
                    )
                )
    return cut


def test_titles_get_the_width_and_every_cut_cell_can_be_read_whole(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    busy_customer(work_store, clock)
    window = laptop_window(qtbot, work_store, clock)
    open_account(qtbot, window, TOM_ACCOUNT)
    qtbot.wait(1)
    view, model = window.cases.view, window.cases.model
    title_width = view.columnWidth(CaseColumn.TITLE)
    bold = QFont(view.font())
    bold.setBold(True)
    assert (
        title_width >= QFontMetrics(bold).horizontalAdvance(CASE_TITLES[0]) + 8
    )  # "Office move to 14 Wellington Place"
    lists = (view, window.promises.panel.view, window.handoffs.panel.view)
    cut = [cell for shown in lists for cell in cut_cells(shown)]
    assert cut, "at this size some cells are cut: the next steps, the handoffs' What"
    for text, tip, spoken in cut:
        assert text in str(tip), text
        assert spoken == text
    assert model.rowCount() == 6


def test_a_narrow_list_keeps_room_for_its_words(qtbot: QtBot, work_store: Store, clock: ManualClock) -> None:
    window = laptop_window(qtbot, work_store, clock)
    open_account(qtbot, window, STORY_ACCOUNT)  # Priya: a handoff not acknowledged in time
    view = window.handoffs.panel.view
    view.setColumnHidden(HandoffColumn.DONE_BY, False)  # as when one of them is done: one more column
    window.resize(1280, 720)
    qtbot.waitUntil(lambda: view.viewport().width() < 800, timeout=2000)
    qtbot.wait(1)
    least = view.fontMetrics().averageCharWidth() * WORDS_LEAST
    assert view.columnWidth(HandoffColumn.SUMMARY) >= least  # "What" was once cut to "I…"
