"""The customer pane's parts from the keyboard: Ctrl+1 the contact history, Ctrl+2 the cases, Ctrl+3
the promises, Ctrl+4 the handoffs, Ctrl+5 goodwill (each list shows where the focus is: widgets.views);
and how many rows of each list the middle column has room for before the history gets the rest."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QTabWidget, QWidget

from widgets.layout import Section

# (keys, the pane), in the order the panes sit on screen.
PANE_KEYS = (
    ("Ctrl+1", "contact history"),
    ("Ctrl+2", "cases"),
    ("Ctrl+3", "promises"),
    ("Ctrl+4", "handoffs"),
    ("Ctrl+5", "goodwill"),
)
# Rows of cases, promises and handoffs each list has room for before it scrolls (the window allowing).
# A list with fewer rows takes room for those (at least one) and the history the rest, fitted in the
# same layout pass as the opening's one paint.
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


def list_sections(panels: Sequence[QWidget]) -> list[Section]:
    """Cases, promises and handoffs (`panels`, each with a `view`) with the rows each needs, up to
    LIST_ROWS, and room kept for the cases' update prompt (shown for some customers only)."""
    return [
        (
            panel,
            panel.view,  # type: ignore[attr-defined]
            min(max(panel.view.model().rowCount(), 1), most),  # type: ignore[attr-defined]
            getattr(panel, "update_prompt", None),
        )
        for panel, most in zip(panels, LIST_ROWS, strict=True)
    ]
