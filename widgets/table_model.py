"""The shared part of the console's table models: rows held in a list, titled columns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from typing_extensions import override

_ROOT = QModelIndex()


class RecordTableModel(QAbstractTableModel):
    """Subclasses fill `_rows` (one record per row) and `_headers` (column key to title) and
    implement `data()`; counts and header titles come from here."""

    _rows: list[Any]
    _headers: dict[Any, str]

    def visible_columns(self) -> Sequence[Any]:
        """The column keys in display order: all of `_headers` unless a subclass shows fewer."""
        return list(self._headers)

    @override
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    @override
    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.visible_columns())

    @override
    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        columns = self.visible_columns()
        return self._headers[columns[section]] if 0 <= section < len(columns) else None
