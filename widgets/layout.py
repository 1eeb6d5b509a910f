"""Layout helpers of the main window: splitters, the narrow side column, and sharing the middle column
between the history and the lists under it (fitted when the column's size changes, never per customer)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QLabel, QSplitter, QTableView, QVBoxLayout, QWidget
from typing_extensions import override


def _one_line(label: QLabel, section: QWidget) -> int:
    """The room `label` (hidden, holding one line of words) takes in `section` once shown."""
    layout = section.layout()
    spacing = layout.spacing() if layout is not None else 0
    return label.heightForWidth(section.contentsRect().width()) + spacing


def splitter(
    orientation: Qt.Orientation,
    parts: Sequence[tuple[QWidget, int]],
    name: str = "",
    *,
    into: QSplitter | None = None,
) -> QSplitter:
    """A splitter (or `into`, of the same orientation) whose parts never collapse, each with its
    stretch factor."""
    made = into if into is not None else QSplitter(orientation)
    if name:
        made.setObjectName(name)
    made.setChildrenCollapsible(False)
    for widget, stretch in parts:
        made.addWidget(widget)
        made.setStretchFactor(made.count() - 1, stretch)
    return made


def keep_place_when_hidden(widget: QWidget) -> None:
    """`widget` keeps its room in the layout while hidden: showing or hiding it moves nothing else."""
    policy = widget.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    widget.setSizePolicy(policy)


class SidePanel(QWidget):
    """The narrow column of goodwill and offers (and approvals for supervisors)."""

    def __init__(self, groups: Sequence[QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for group in groups:
            layout.addWidget(group, 1)
        layout.addStretch(0)

    @override
    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().averageCharWidth() * 30, super().sizeHint().height())


# A section of the middle column: (the section, its list, the rows it has room for, a one-line label
# shown above the list for some customers only, its room kept while hidden, or None).
Section = tuple[QWidget, QTableView, int, QLabel | None]


class FittedSplitter(QSplitter):
    """A vertical splitter whose later parts get room for the rows `sections` names for each and the
    first part the rest, fitted whenever its own size changes and when asked (a customer opened: set
    before that opening's one layout and paint)."""

    def __init__(self, sections: Callable[[], Sequence[Section]], parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self._sections = sections

    @override
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self, self.fit)  # again once the parts are laid out and styled

    @override
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.oldSize().height() != event.size().height():
            self.fit()

    def fit(self) -> bool:
        """Share the height out: on a resize, and once the parts are first laid out. A handle the user
        dragged stays where they put it until the window's size changes."""
        # A panel squeezed below its chrome (a list that had one row now wants five) is measured
        # again once it has its new room; both fits come before the one paint.
        return fit_sections(self, self._sections()) and fit_sections(self, self._sections())


def fit_sections(middle: QSplitter, sections: Sequence[Section]) -> bool:
    """Give each (section, its list, rows) the room for its rows; the first part of `middle` (the
    history) the rest, at least its own minimum. When even that does not fit, the lists share what
    there is. False if not laid out yet."""
    total = sum(middle.sizes())
    if total <= 0:
        return False
    wanted = []
    for section, view, rows, optional in sections:
        if (inside := section.layout()) is not None:
            inside.activate()  # a prompt just shown or hidden: measure the panel as it now is
        chrome = section.height() - view.viewport().height()  # title, header, frame (and a prompt shown)
        if optional is not None and optional.isHidden():
            chrome += _one_line(optional, section)
        height = chrome + rows * view.verticalHeader().defaultSectionSize() + 1
        wanted.append(max(height, section.minimumSizeHint().height()))
    history = middle.widget(0)
    history_least = middle.fontMetrics().height() * 6
    if history is not None:
        history_least = max(history.minimumSizeHint().height(), history_least)
    if total - sum(wanted) < history_least:  # a small window: the lists share what is left
        scale = max(total - history_least, 0) / sum(wanted)
        wanted = [int(height * scale) for height in wanted]
    middle.setSizes([total - sum(wanted), *wanted])
    return True
