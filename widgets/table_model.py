"""The shared part of the console's table models: rows held in a list, titled columns, and a cell's
whole text as its tooltip and accessible text (a view cuts a long cell short with "…")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from typing_extensions import override

_ROOT = QModelIndex()


_WHOLE_TEXT_ROLES = (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole)
_Data = Callable[[Any, QModelIndex | QPersistentModelIndex, int], Any]


def _with_whole_text(data: _Data) -> _Data:
    """`data` answering the tooltip and accessible text of a cell it says nothing else about with
    the cell's whole text, so a cell cut short on screen can still be read in full."""

    @wraps(data)
    def answer(
        self: Any, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        value = data(self, index, role)
        if value is None and role in _WHOLE_TEXT_ROLES:
            shown = data(self, index, Qt.ItemDataRole.DisplayRole)
            if isinstance(shown, str) and shown:
                return shown
        return value

    return answer


class RecordTableModel(QAbstractTableModel):
    """Subclasses fill `_rows` (one record per row) and `_headers` (column key to title) and
    implement `data()`; counts and header titles come from here, and every `data()` a subclass
    defines answers a cell's tooltip and accessible text with its whole text when it has no other."""

    _rows: list[Any]
    _headers: dict[Any, str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("data")
        if own is not None:
            cls.data = _with_whole_text(own)  # type: ignore[method-assign,assignment]

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
