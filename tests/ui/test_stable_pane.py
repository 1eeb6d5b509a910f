"""Opening a customer moves little: from one customer to the next the header and the side column keep
their place and size and every panel stays shown; in the middle column the lists take the rows they
need (up to 5, 5 and 3) and the history the rest, set before the opening's one layout and paint
(tests.bench.pane measures it)."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QEvent, QObject, QPoint, QRect
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from typing_extensions import override

from console.clock import ManualClock
from storage.store import Store
from tests.ui.support import STORY_ACCOUNT
from tests.ui.work_support import TOM_ACCOUNT, ZOE_ACCOUNT, open_account, work_window
from widgets.main_window import MainWindow

# What keeps its place and size whoever is open; the middle column's parts are fitted per customer.
FIXED = ("header", "goodwill", "offers")


def panels(window: MainWindow) -> dict[str, QWidget]:
    """The parts of the customer pane an opening fills (the case list not: inside its panel, it gives a
    line to the update prompt for the customers who have one)."""
    return {
        "header": window.pane.header,
        "history": window.tabs,
        "historyView": window.pane.history_panel.view,
        "cases": window.cases.panel,
        "promises": window.promises.panel,
        "promiseList": window.promises.panel.view,
        "handoffs": window.handoffs.panel,
        "handoffList": window.handoffs.panel.view,
        "goodwill": window.goodwill.panel,
        "offers": window.pane.offers_panel,
    }


def places(window: MainWindow) -> dict[str, QRect]:
    return {
        name: QRect(part.mapTo(window, QPoint(0, 0)), part.size()) for name, part in panels(window).items()
    }


def shown(window: MainWindow) -> set[str]:
    return {name for name, part in panels(window).items() if part.isVisibleTo(window)}


class Moves(QObject):
    """Counts the resizes and moves of the watched widgets."""

    def __init__(self, watched: dict[str, QWidget]) -> None:
        super().__init__()
        self._names = {id(widget): name for name, widget in watched.items()}
        self.counted: Counter[str] = Counter()
        for widget in watched.values():
            widget.installEventFilter(self)

    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Move):
            self.counted[f"{self._names.get(id(watched), '?')} {event.type().name}"] += 1
        return False


def test_opening_the_next_customer_moves_no_panel(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, STORY_ACCOUNT)  # vulnerable, a handover, cases, promises, a handoff
    header = window.pane.header
    assert header.vulnerability_label.isVisibleTo(window) and header.owner_changes_label.isVisibleTo(window)
    splitter, middle = window.splitter.sizes(), sum(window.middle_splitter.sizes())
    before, panes = places(window), shown(window)
    moves = Moves({name: part for name, part in panels(window).items() if name in FIXED})
    seen: set[tuple[bool, bool, bool]] = set()
    for account in (TOM_ACCOUNT, ZOE_ACCOUNT, STORY_ACCOUNT, ZOE_ACCOUNT):
        open_account(qtbot, window, account)
        now = places(window)
        assert {k: now[k] for k in FIXED} == {k: before[k] for k in FIXED}, account
        assert shown(window) == panes, account
        assert window.splitter.sizes() == splitter and sum(window.middle_splitter.sizes()) == middle, account
        seen.add(
            (
                header.vulnerability_label.isVisibleTo(window),
                header.owner_changes_label.isVisibleTo(window),
                window.cases.panel.update_prompt.isVisibleTo(window),
            )
        )
    assert moves.counted == Counter()
    # What used to move them came and went: the flag, the handover line, the cases' update prompt.
    assert len(seen) >= 2 and {flag for flag, _, _ in seen} == {True, False}


def test_a_customer_without_work_gives_the_history_the_room(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, work_store, clock)
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: window.middle_splitter.height() > 700, timeout=5000)
    open_account(qtbot, window, STORY_ACCOUNT)  # cases, promises and a handoff
    busy = window.middle_splitter.sizes()
    open_account(qtbot, window, ZOE_ACCOUNT)  # no cases, promises or handoffs
    assert window.cases.model.rowCount() == 0
    quiet = window.middle_splitter.sizes()
    assert quiet[0] > busy[0] and sum(quiet) == sum(busy)
    assert all(now <= then for now, then in zip(quiet[1:], busy[1:], strict=True))
    window.resize(window.width(), window.height() - 60)  # a smaller window: the history gives the room
    qtbot.waitUntil(lambda: sum(window.middle_splitter.sizes()) < sum(quiet), timeout=5000)
    sizes = window.middle_splitter.sizes()
    assert sizes[1:] == quiet[1:] and sizes[0] < quiet[0]
