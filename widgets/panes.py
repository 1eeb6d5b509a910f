"""The customer pane's parts from the keyboard: Ctrl+1 the contact history, Ctrl+2 the cases, Ctrl+3
the promises, Ctrl+4 the handoffs, Ctrl+5 goodwill (each list shows where the focus is: widgets.views);
and how many rows of each list the middle column shows before the history gets the rest."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QSplitter, QTableView, QTabWidget, QWidget

from widgets.layout import fit_sections

# (keys, the pane), in the order the panes sit on screen.
PANE_KEYS = (
    ("Ctrl+1", "contact history"),
    ("Ctrl+2", "cases"),
    ("Ctrl+3", "promises"),
    ("Ctrl+4", "handoffs"),
    ("Ctrl+5", "goodwill"),
)
# Rows of cases, promises and handoffs shown before each list scrolls (room allowing).
LIST_ROWS = (5, 5, 3)


def bind_pane_keys(window: QWidget, views: Sequence[QAbstractItemView]) -> list[QShortcut]:
    """One key per view, in PANE_KEYS' order: the view's tab comes forward and it takes the focus."""
    made = []
    for (keys, _pane), view in zip(PANE_KEYS, views, strict=True):
        shortcut = QShortcut(QKeySequence(keys), window)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(_focuser(view))
        made.append(shortcut)
    return made


def _focuser(view: QAbstractItemView) -> Callable[[], None]:
    def focus() -> None:
        reveal(view)
        view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    return focus


def reveal(widget: QWidget) -> None:
    """Bring forward the tab `widget` sits in, in every tab widget above it (the board's too)."""
    chain: list[QWidget] = []
    current: QWidget | None = widget
    while current is not None:
        chain.append(current)
        current = current.parentWidget()
    for place, above in enumerate(chain):
        if isinstance(above, QTabWidget) and place >= 2:  # the page, inside the tab widget's stack
            above.setCurrentWidget(chain[place - 2])


def fit_lists(middle: QSplitter, panels: Sequence[QWidget], shown: bool) -> bool:
    """Cases, promises and handoffs (`panels`, each with a `view`) get the room their rows need, up to
    LIST_ROWS; the history the rest. False when not shown or laid out yet (fit once it is)."""
    sections: list[tuple[QWidget, QTableView, int]] = [
        (panel, panel.view, rows)  # type: ignore[attr-defined]
        for panel, rows in zip(panels, LIST_ROWS, strict=True)
    ]
    return shown and fit_sections(middle, sections)
