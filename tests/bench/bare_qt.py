"""Floors for the Qt figures: a bare table model of plain strings in Qt's own QTableView and
delegate, the same rows the console's views show, for the scroll and worklist figures' ratios."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QTableView

Index = QModelIndex | QPersistentModelIndex
DISPLAY = Qt.ItemDataRole.DisplayRole
_ROOT = QModelIndex()


class BareTable(QAbstractTableModel):
    """Rows of ready text, nothing else: what any table model must do at the least."""

    def __init__(self, rows: Sequence[Sequence[str]], columns: int) -> None:
        super().__init__()
        self.rows = list(rows)
        self.columns = columns

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else self.columns

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if role != DISPLAY:
            return None
        row = self.rows[index.row()]
        column = index.column()
        return row[column] if column < len(row) else None

    def reset(self, rows: Sequence[Sequence[str]]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()


def bare_view(model: BareTable, width: int, height: int, row_height: int) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.verticalHeader().setDefaultSectionSize(row_height)
    view.resize(width, height)
    view.show()
    app = QCoreApplication.instance()
    assert app is not None
    for _ in range(3):  # shown and exposed: its first paint is a real one
        app.processEvents()
    return view


def page_down_frames(view: QTableView, clock: Callable[[], float]) -> list[float]:
    """Page down from the top to the last row: each frame's milliseconds by `clock`."""
    app = QCoreApplication.instance()
    assert app is not None
    bar = view.verticalScrollBar()
    bar.setValue(0)
    app.processEvents()
    frames: list[float] = []
    while bar.value() < bar.maximum():
        started = clock()
        bar.setValue(bar.value() + bar.pageStep())
        app.processEvents()
        frames.append((clock() - started) * 1000)
    return frames
