"""Item views that say why they are empty, painted in the viewport, instead of showing a blank box."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QAbstractItemView, QListView, QTableView, QWidget
from typing_extensions import override


def _paint_empty_text(view: QAbstractItemView, text: str) -> None:
    model = view.model()
    if not text or (model is not None and model.rowCount() > 0):
        return
    painter = QPainter(view.viewport())
    painter.setPen(view.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.PlaceholderText))
    area = view.viewport().rect().adjusted(8, 8, -8, -8)
    flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
    painter.drawText(area, flags, text)
    painter.end()


# The owner sets the text (a plain string, never a callback into the owner): a view holding a bound
# method of its parent would make a reference cycle, and Python's cycle collector may then free Qt
# objects on whatever thread it happens to run, such as the background reader's.


class HintListView(QListView):
    """A list view that paints `empty_text` while it has no rows."""

    def __init__(self, parent: QWidget | None = None, empty_text: str = "") -> None:
        super().__init__(parent)
        self._empty_text = empty_text

    @property
    def empty_text(self) -> str:
        return self._empty_text

    def set_empty_text(self, text: str) -> None:
        if text != self._empty_text:
            self._empty_text = text
            self.viewport().update()

    @override
    def paintEvent(self, e: QPaintEvent) -> None:
        super().paintEvent(e)
        _paint_empty_text(self, self._empty_text)


class HintTableView(QTableView):
    """A table view that paints `empty_text` while it has no rows."""

    def __init__(self, parent: QWidget | None = None, empty_text: str = "") -> None:
        super().__init__(parent)
        self._empty_text = empty_text

    @property
    def empty_text(self) -> str:
        return self._empty_text

    def set_empty_text(self, text: str) -> None:
        if text != self._empty_text:
            self._empty_text = text
            self.viewport().update()

    @override
    def paintEvent(self, e: QPaintEvent) -> None:
        super().paintEvent(e)
        _paint_empty_text(self, self._empty_text)
