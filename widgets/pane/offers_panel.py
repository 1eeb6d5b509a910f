"""The offers panel: the offers the customer may be shown, or the banner saying why offers are paused.

It renders an OfferView the service produced; the rule itself lives in console.suppressor. The banner
and the list take turns in one place of one size, so the swap moves nothing around them.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHeaderView,
    QLabel,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from console.money import format_pence
from console.suppressor import OfferView
from domain.records import OfferRecord
from widgets.table_model import RecordTableModel
from widgets.views import HintTableView, read_only_rows


class OfferColumn(IntEnum):
    TITLE = 0
    PRICE = 1


_COLUMNS = tuple(OfferColumn)
_ANSWERED = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.AccessibleTextRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
    }
)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class OfferModel(RecordTableModel):
    """A handful of offers: the whole list is held."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[OfferRecord] = []
        self._headers = {OfferColumn.TITLE: self.tr("Offer"), OfferColumn.PRICE: self.tr("Monthly")}

    def set_offers(self, offers: Sequence[OfferRecord]) -> None:
        self.beginResetModel()
        self._rows = list(offers)
        self.endResetModel()

    def offer_at(self, row: int) -> OfferRecord | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    @override
    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role not in _ANSWERED:
            return None  # the rows size to their contents: Qt asks every role of every cell, often
        offer = self.offer_at(index.row()) if index.isValid() else None
        column = index.column()
        if offer is None or not 0 <= column < len(_COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole or role == Qt.ItemDataRole.AccessibleTextRole:
            if column == OfferColumn.TITLE:
                return offer.title
            return format_pence(offer.monthly_price_pence)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{offer.title}: {offer.description}"
        if column == OfferColumn.PRICE:  # the alignment
            return _RIGHT
        return None


class OffersPanel(QGroupBox):
    """`offersPanel`: a table of offers when allowed, else `offersSuppressedBanner` in their place."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Offers"), parent)
        self.setObjectName("offersPanel")
        self.view_state: OfferView | None = None
        self.model = OfferModel(self)

        self.banner = QLabel(self)
        self.banner.setObjectName("offersSuppressedBanner")
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setWordWrap(True)
        self.banner.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

        self.view = HintTableView(self, self.tr("Open a customer to see the offers they may be shown."))
        self.view.setObjectName("offerList")
        self.view.setAccessibleName(self.tr("Offers"))
        self.view.setModel(self.model)
        read_only_rows(self.view)
        self.view.setWordWrap(True)  # a narrow column: long titles wrap rather than lose their end
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(OfferColumn.TITLE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(OfferColumn.PRICE, QHeaderView.ResizeMode.ResizeToContents)
        self.view.setMinimumHeight(self.view.fontMetrics().height() * 3)

        banner_page = QWidget(self)  # the banner at the top of the list's place, as tall as its words
        banner_layout = QVBoxLayout(banner_page)
        banner_layout.setContentsMargins(0, 0, 0, 0)
        banner_layout.addWidget(self.banner)
        banner_layout.addStretch(1)
        self._place = QStackedLayout()
        self._place.addWidget(self.view)
        self._place.addWidget(banner_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.addLayout(self._place, 1)

    @property
    def suppressed(self) -> bool:
        return self.banner.isVisibleTo(self)

    def _show_banner(self, shown: bool) -> None:
        self._place.setCurrentIndex(1 if shown else 0)  # the other hidden: never read out beside it

    def clear(self, empty_text: str) -> None:
        """No customer, or offers cannot be read: an empty list that says why."""
        self.view_state = None
        self.model.set_offers([])
        self.banner.clear()
        self.view.set_empty_text(empty_text)
        self._show_banner(False)

    def show_view(self, view: OfferView) -> None:
        self.view_state = view
        if view.decision.allowed:
            self.banner.clear()
            self.model.set_offers(view.offers)
            self.view.set_empty_text(self.tr("No offers available for this customer."))
            self._show_banner(False)
        else:
            self.model.set_offers([])
            self.banner.setText(view.decision.banner)
            self.banner.setToolTip(
                self.tr("Offers come back when every problem is resolved and the customer confirms the fix.")
            )
            self._show_banner(True)
