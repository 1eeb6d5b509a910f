"""Layout helpers of the main window: splitters, the narrow side column, and sharing the middle column
between the history and the lists under it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QSplitter, QTableView, QVBoxLayout, QWidget
from typing_extensions import override


def splitter(orientation: Qt.Orientation, parts: Sequence[tuple[QWidget, int]], name: str = "") -> QSplitter:
    """A splitter whose parts never collapse, each with its stretch factor."""
    made = QSplitter(orientation)
    if name:
        made.setObjectName(name)
    made.setChildrenCollapsible(False)
    for widget, stretch in parts:
        made.addWidget(widget)
        made.setStretchFactor(made.count() - 1, stretch)
    return made


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


def fit_sections(middle: QSplitter, sections: Sequence[tuple[QWidget, QTableView, int]]) -> bool:
    """Give each (section, its list, most rows) the room its rows need, up to a few (an empty list
    one row, for the words saying it is empty); the first part of `middle` (the history) the rest, at
    least its own minimum. When even that does not fit, the lists share what there is. False if not
    laid out yet."""
    total = sum(middle.sizes())
    if total <= 0:
        return False
    wanted = []
    for section, view, most_rows in sections:
        chrome = section.height() - view.viewport().height()  # title, prompt, header, frame
        rows = min(max(view.model().rowCount(), 1), most_rows)
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
