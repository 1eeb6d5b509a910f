"""The contact history panel: a channel filter above one fixed-row-height table, built for long histories."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from domain.vocabulary import Channel
from widgets.gc_guard import GuiThreadGarbageCollector
from widgets.pane.history_delegate import CachedTextDelegate
from widgets.pane.history_model import HistoryColumn, HistoryModel
from widgets.text import channel_label
from widgets.views import HintTableView


class HistoryPanel(QWidget):
    """One timeline across every channel, newest first, filterable by channel."""

    # The channel filter changed: carries the channels now shown (None means all).
    channels_changed = Signal(object)

    def __init__(self, model: HistoryModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model

        self.title = title = QLabel(self.tr("Contact history"), self)
        title.setObjectName("panelTitle")

        self.channel_filter = QComboBox(self)
        self.channel_filter.setObjectName("historyChannelFilter")
        self.channel_filter.setAccessibleName(self.tr("Filter history by channel"))
        self.channel_filter.addItem(self.tr("All channels"), None)
        for channel in Channel:
            self.channel_filter.addItem(model.channel_icon(channel), channel_label(channel), channel)
        self.channel_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        filter_label = QLabel(self.tr("&Show:"), self)
        filter_label.setBuddy(self.channel_filter)

        self.view = HintTableView(self)
        self.view.setObjectName("historyView")
        self.view.setAccessibleName(self.tr("Contact history"))
        self.view.setModel(model)
        self.view.setItemDelegate(CachedTextDelegate(self.view, model))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setShowGrid(False)
        self.view.setIconSize(QSize(16, 16))
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setTabKeyNavigation(False)
        rows = self.view.verticalHeader()
        rows.hide()
        # Fixed, uniform row heights: the view never measures rows, so 50,000 entries scroll smoothly.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 10)
        self._size_columns()

        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(filter_label)
        top.addWidget(self.channel_filter)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)

        self.channel_filter.currentIndexChanged.connect(self._filter_changed)
        # A full garbage collection waits while the history scrolls (widgets.gc_guard).
        self.view.verticalScrollBar().valueChanged.connect(GuiThreadGarbageCollector.hold_full_collection)
        model.modelReset.connect(self._update_empty_text)
        model.loading_changed.connect(self._update_empty_text)
        self._update_empty_text()

    def _size_columns(self) -> None:
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        metrics = self.fontMetrics()
        widths = {
            HistoryColumn.CHANNEL: max(metrics.horizontalAdvance(channel_label(c)) for c in Channel) + 40,
            HistoryColumn.DIRECTION: metrics.horizontalAdvance("Outbound") + 16,
            HistoryColumn.WHEN: metrics.horizontalAdvance("Wed 30 Sep 2026 23:59") + 16,
            HistoryColumn.ADVISOR: metrics.horizontalAdvance("Advisor name") + 16,
            HistoryColumn.CASE: metrics.horizontalAdvance("CS-0000000") + 16,
        }
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        header.setStretchLastSection(True)

    def _update_empty_text(self) -> None:
        if self.model.customer_id is None:
            text = self.tr("Open a customer to see everything that happened to them, on every channel.")
        elif self.model.loading:
            text = self.tr("Loading…")
        elif self.model.channels is not None:
            text = self.tr("Nothing recorded on this channel.")
        else:
            text = self.tr("No contacts recorded for this customer.")
        self.view.set_empty_text(text)

    def reset_filter(self) -> None:
        """Back to all channels without reloading (used when another customer is opened)."""
        self.channel_filter.blockSignals(True)
        self.channel_filter.setCurrentIndex(0)
        self.channel_filter.blockSignals(False)

    def _filter_changed(self, index: int) -> None:
        channel = self.channel_filter.itemData(index)
        channels = frozenset({Channel(channel)}) if channel is not None else None
        self.model.set_channels(channels)
        self.view.scrollToTop()
        self.channels_changed.emit(channels)
