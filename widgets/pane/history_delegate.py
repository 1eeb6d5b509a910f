"""The history table's cells drawn from cached, pre-elided text: scrolling a long history lays out each
distinct cell text once per column width instead of on every paint of every visible cell."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QEvent, QModelIndex, QObject, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette, QStaticText
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyledItemDelegate, QStyleOptionViewItem
from typing_extensions import override

# Cells drawn the plain way: selected, focused or hovered ones look as the style draws them.
_STYLED = (
    QStyle.StateFlag.State_Selected | QStyle.StateFlag.State_HasFocus | QStyle.StateFlag.State_MouseOver
).value
_ENABLED, _ACTIVE = QStyle.StateFlag.State_Enabled.value, QStyle.StateFlag.State_Active.value
_DISPLAY, _DECORATION = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.DecorationRole
_RESTYLED = frozenset(
    {
        QEvent.Type.FontChange,
        QEvent.Type.PaletteChange,
        QEvent.Type.StyleChange,
        QEvent.Type.LayoutDirectionChange,
    }
)
_GROUPS = (QPalette.ColorGroup.Disabled, QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive)
# Distinct (text, width) pairs kept laid out: a few screens of dates and summaries, and every
# channel, direction, advisor and case seen lately; the oldest half goes when it is full.
_KEPT_TEXTS = 4_000


class CachedTextDelegate(QStyledItemDelegate):
    """Paints a plain cell (text, an optional icon, no selection) from a cache of laid-out text.

    Where the style puts the icon and the text is asked of the style once per column size, with the
    same option the default delegate builds, so a cell looks as it does with QStyledItemDelegate;
    selected, focused and hovered cells, and any that is not plain, are left to it. The text is the
    cell's DisplayRole, elided at the right as the style elides it, and laid out once (QStaticText)
    per text and width.
    """

    def __init__(self, view: QAbstractItemView, model: QAbstractItemModel) -> None:
        super().__init__(view)
        self._view = view
        self._model = model  # the view's model, asked directly: no round trip through Qt per cell
        self._colours: tuple[QColor, ...] = ()
        self._places: dict[tuple[int, int, int], tuple[QRect | None, QRect | None, int]] = {}
        self._texts: dict[tuple[str, int], QStaticText] = {}
        self._metrics: QFontMetrics | None = None
        # The view's font, palette, style or direction changed: the places (and the colours) are
        # asked of the style again; laid-out texts stay while the font is the same.
        view.installEventFilter(self)

    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._view:
            if event.type() in _RESTYLED:
                self._places.clear()
            return False
        return super().eventFilter(watched, event)

    @override
    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        # Per visible cell on every frame: plain int flags, one rect read, the model asked directly.
        state = option.state.value
        if state & _STYLED:
            super().paint(painter, option, index)
            return
        box: tuple[int, int, int, int] = option.rect.getRect()  # type: ignore[assignment]
        left, top, width, height = box
        column = index.column()
        place = self._places.get((column, width, height))
        if place is None:
            place = self._place(option, index)
        text_area, icon_area, text_width = place
        if text_area is None:
            super().paint(painter, option, index)
            return
        data = self._model.data
        if icon_area is not None:
            icon = data(index, _DECORATION)
            if icon is not None:
                icon.paint(painter, icon_area.translated(left, top))
        text = data(index, _DISPLAY)
        if not text:
            return
        laid = self._texts.get((text, text_width))
        if laid is None:
            laid = self._lay_out(text, text_width)
        colour = self._colours[0 if not state & _ENABLED else 1 if state & _ACTIVE else 2]
        painter.setPen(colour)
        painter.drawStaticText(left + text_area.left(), top + text_area.top(), laid)

    def _place(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> tuple[QRect | None, QRect | None, int]:
        """Where the style draws this column's icon and text in a cell of this size, relative to it;
        no text area when the cell is not a plain one (wrapped, right to left, its own font…)."""
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        view = self._view
        style = view.style()
        rect: QRect = item.rect
        key = (index.column(), rect.width(), rect.height())
        if (
            item.features & QStyleOptionViewItem.ViewItemFeature.WrapText
            or item.direction != Qt.LayoutDirection.LeftToRight
            or item.textElideMode != Qt.TextElideMode.ElideRight
            or item.font != view.viewport().font()
        ):
            self._places[key] = (None, None, 0)
            return self._places[key]
        icon_area: QRect | None = None
        if item.features & QStyleOptionViewItem.ViewItemFeature.HasDecoration:
            found = style.subElementRect(QStyle.SubElement.SE_ItemViewItemDecoration, item, view)
            icon_area = found.translated(-rect.left(), -rect.top())
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, item, view)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
        palette: QPalette = item.palette
        self._colours = tuple(palette.color(group, QPalette.ColorRole.Text) for group in _GROUPS)
        metrics = QFontMetrics(item.font)
        if self._metrics is None or metrics != self._metrics:
            self._texts.clear()
            self._metrics = metrics
        width = max(0, text_rect.width() - 2 * margin)
        top = text_rect.top() + (text_rect.height() - metrics.height()) // 2
        text_area = QRect(text_rect.left() + margin - rect.left(), top - rect.top(), width, metrics.height())
        self._places[key] = (text_area, icon_area, width)
        return self._places[key]

    def _lay_out(self, text: str, width: int) -> QStaticText:
        metrics = self._metrics or QFontMetrics(self._view.font())
        laid = QStaticText(metrics.elidedText(text, Qt.TextElideMode.ElideRight, width))
        laid.setTextFormat(Qt.TextFormat.PlainText)
        if len(self._texts) >= _KEPT_TEXTS:
            for key in list(self._texts)[: _KEPT_TEXTS // 2]:
                del self._texts[key]
        self._texts[(text, width)] = laid
        return laid
