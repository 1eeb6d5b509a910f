"""Item views that say why they are empty, painted in the viewport, instead of showing a blank box; the
console's tables also show where the keyboard is (a frame while focused, the row under the keys selected)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QAccessible, QFocusEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QAbstractItemView, QListView, QTableView, QWidget
from typing_extensions import override


def read_only_rows(view: QTableView) -> None:
    """The console's tables: whole rows, one at a time, nothing editable, no grid, no row numbers;
    Tab leaves the table (arrows move within it)."""
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setShowGrid(False)
    view.setTabKeyNavigation(False)
    view.verticalHeader().hide()


def set_column_widths(view: QTableView, widths: Mapping[int, int]) -> None:
    """Give columns these widths in one go, for the paint to come. Qt's own handling of a resized
    column repaints it on a timer after that paint (the cells twice): with the header quiet, the view
    lays out once instead, and paints once."""
    header = view.horizontalHeader()
    changed = {column: width for column, width in widths.items() if header.sectionSize(column) != width}
    if not changed:
        return
    quiet = header.blockSignals(True)
    try:
        for column, width in changed.items():
            header.resizeSection(column, width)
    finally:
        header.blockSignals(quiet)
    view.updateGeometries()
    view.viewport().update()


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


# The frame a focused table draws inside its viewport (px): seen at a glance, not only by its colour.
FOCUS_FRAME = 2
# Focus that came from the keyboard: the row under the keys is selected, so it shows.
KEYBOARD_REASONS = (
    Qt.FocusReason.TabFocusReason,
    Qt.FocusReason.BacktabFocusReason,
    Qt.FocusReason.ShortcutFocusReason,
)


def _paint_focus_frame(view: QAbstractItemView) -> None:
    if not view.hasFocus():
        return
    painter = QPainter(view.viewport())
    colour = view.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight)
    painter.setPen(QPen(colour, FOCUS_FRAME))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    half = FOCUS_FRAME // 2
    painter.drawRect(view.viewport().rect().adjusted(half, half, -half, -half))
    painter.end()


def select_row_under_keys(view: QAbstractItemView) -> None:
    """The current row (or the first) selected, so a keyboard user sees where they are."""
    model, selection = view.model(), view.selectionModel()
    if model is None or selection is None or model.rowCount() == 0:
        return
    current = view.currentIndex()
    if not current.isValid():
        current = model.index(0, 0)
    if not selection.isRowSelected(current.row(), current.parent()):
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        selection.setCurrentIndex(current, flags)


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
    """A table view that paints `empty_text` while it has no rows.

    When a range of cells changes it repaints only the strip of the viewport they cover: Qt repaints
    the whole viewport for any range, so the shared ticker's "countdown and state columns changed"
    would otherwise redraw every visible cell every second.
    """

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
        _paint_focus_frame(self)

    @override
    def focusInEvent(self, e: QFocusEvent) -> None:
        super().focusInEvent(e)
        if e.reason() in KEYBOARD_REASONS:
            select_row_under_keys(self)
        self.viewport().update()

    @override
    def focusOutEvent(self, e: QFocusEvent) -> None:
        super().focusOutEvent(e)
        self.viewport().update()

    def lay_out_now(self) -> None:
        """Lay out new rows now, not on Qt's timer after the next paint: rows just put in are painted
        once, laid out, instead of painted and then painted again."""
        self.executeDelayedItemsLayout()

    @override
    def dataChanged(
        self,
        topLeft: QModelIndex | QPersistentModelIndex,
        bottomRight: QModelIndex | QPersistentModelIndex,
        roles: Sequence[int] = (),
    ) -> None:
        # A screen reader is told about changes by the base class; it also refreshes open editors.
        if QAccessible.isActive() or self.indexWidget(topLeft) is not None or topLeft == bottomRight:
            super().dataChanged(topLeft, bottomRight, list(roles))
            return
        if not (topLeft.isValid() and bottomRight.isValid()) or not self.isVisible():
            return
        area = self._strip(topLeft.row(), bottomRight.row(), topLeft.column(), bottomRight.column())
        if area is None:
            super().dataChanged(topLeft, bottomRight, list(roles))
        elif not area.isEmpty():
            self.viewport().update(area)

    def _strip(self, first_row: int, last_row: int, first_column: int, last_column: int) -> QRect | None:
        """The part of the viewport showing those cells (None: cannot tell, repaint it all)."""
        spans = [
            (self.columnViewportPosition(c), self.columnWidth(c))
            for c in range(first_column, last_column + 1)
            if not self.isColumnHidden(c)
        ]
        if not spans:
            return QRect()
        left = min(x for x, _ in spans)
        right = max(x + width for x, width in spans)
        top = self.rowViewportPosition(first_row)
        bottom = self.rowViewportPosition(last_row) + self.rowHeight(last_row)
        if left < -self.horizontalOffset() - 1 or top < -self.verticalOffset() - 1:
            return None  # a row or column the header cannot place
        return QRect(left, top, right - left, bottom - top).intersected(self.viewport().rect())
