"""Goodwill on the pane: the open customer's requests with their state in words, the advisor's own
limit and month total, and (for supervisors) the approval queue. They render what the goodwill service
read; the rules live in console.goodwill_rules."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from console.goodwill_words import KIND_WORDS, state_words
from console.money import format_pence
from domain.records import GoodwillRecord
from domain.vocabulary import GoodwillState
from widgets.table_model import RecordTableModel
from widgets.views import HintTableView, read_only_rows


def _amount_and_kind(record: GoodwillRecord) -> str:
    return f"{format_pence(record.amount_pence)} {KIND_WORDS[record.kind]}"


class GoodwillColumn(IntEnum):
    AMOUNT = 0
    STATE = 1


class GoodwillModel(RecordTableModel):
    """The open customer's requests, newest first (a few dozen at most: the whole list is held)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[GoodwillRecord] = []
        self._headers = {GoodwillColumn.AMOUNT: self.tr("Amount"), GoodwillColumn.STATE: self.tr("State")}

    def set_records(self, records: Sequence[GoodwillRecord]) -> None:
        self.beginResetModel()
        self._rows = list(records)
        self.endResetModel()

    def record_at(self, row: int) -> GoodwillRecord | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    @override
    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        record = self.record_at(index.row()) if index.isValid() else None
        if record is None or not 0 <= index.column() < len(GoodwillColumn):
            return None
        column = GoodwillColumn(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return _amount_and_kind(record) if column is GoodwillColumn.AMOUNT else state_words(record)
        if role == Qt.ItemDataRole.ToolTipRole:
            case = f" ({record.case_reference})" if record.case_reference else ""
            return (
                f"{_amount_and_kind(record)}{case}, asked by {record.requested_by_name}: "
                f"{record.reason_category}: {record.reason_text}\n{state_words(record)}"
            )
        return None


class GoodwillPanel(QGroupBox):
    """`goodwillPanel`: the advisor's limit and month total, the customer's requests, Give goodwill."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Goodwill"), parent)
        self.setObjectName("goodwillPanel")
        self.model = GoodwillModel(self)

        self.limit_label = QLabel(self)
        self.limit_label.setObjectName("goodwillLimit")
        self.limit_label.setTextFormat(Qt.TextFormat.PlainText)
        self.limit_label.setWordWrap(True)

        self.notice = QLabel(self)
        self.notice.setObjectName("goodwillNotice")
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setWordWrap(True)
        self.notice.hide()

        self.view = HintTableView(self, self.tr("Open a customer to see the goodwill given to them."))
        self.view.setObjectName("goodwillList")
        self.view.setAccessibleName(self.tr("Goodwill requests"))
        self.view.setModel(self.model)
        read_only_rows(self.view)
        self.view.setWordWrap(True)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(GoodwillColumn.AMOUNT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(GoodwillColumn.STATE, QHeaderView.ResizeMode.Stretch)
        self.view.setMinimumHeight(self.view.fontMetrics().height() * 3)

        self.give_button = QPushButton(self.tr("Give goodwill…"), self)
        self.give_button.setObjectName("giveGoodwillButton")
        self.give_button.setToolTip(self.tr("Credit, compensation, fee waiver or refund (Ctrl+G)"))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.addWidget(self.limit_label)
        layout.addWidget(self.notice)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.give_button, 0, Qt.AlignmentFlag.AlignLeft)

    def show_limits(self, limit_pence: int, month_pence: int) -> None:
        self.limit_label.setText(
            self.tr("Your limit: %1 a payment · given this month: %2")
            .replace("%1", format_pence(limit_pence))
            .replace("%2", format_pence(month_pence))
        )

    def show_records(self, records: Sequence[GoodwillRecord] | None, empty_text: str) -> None:
        self.model.set_records(records or [])
        self.view.set_empty_text(empty_text)

    def say(self, text: str) -> None:
        """A standing notice over the list, e.g. what to tell the customer after an over-limit request."""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))


class ApprovalColumn(IntEnum):
    CUSTOMER = 0
    ACCOUNT = 1
    AMOUNT = 2
    KIND = 3
    REASON = 4
    REQUESTER = 5
    CASE = 6
    STATE = 7


class ApprovalModel(RecordTableModel):
    """Requests awaiting a first or second approval, oldest first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[GoodwillRecord] = []
        self._headers = {
            ApprovalColumn.CUSTOMER: self.tr("Customer"),
            ApprovalColumn.ACCOUNT: self.tr("Account"),
            ApprovalColumn.AMOUNT: self.tr("Amount"),
            ApprovalColumn.KIND: self.tr("Kind"),
            ApprovalColumn.REASON: self.tr("Reason"),
            ApprovalColumn.REQUESTER: self.tr("Asked by (approved this month)"),
            ApprovalColumn.CASE: self.tr("Case"),
            ApprovalColumn.STATE: self.tr("Waiting for"),
        }

    def set_records(self, records: Sequence[GoodwillRecord]) -> None:
        self.beginResetModel()
        self._rows = list(records)
        self.endResetModel()

    def record_at(self, row: int) -> GoodwillRecord | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, goodwill_id: uuid.UUID) -> int:
        return next((row for row, r in enumerate(self._rows) if r.id == goodwill_id), -1)

    def _text(self, record: GoodwillRecord, column: ApprovalColumn) -> str:
        if column is ApprovalColumn.CUSTOMER:
            return record.customer_name
        if column is ApprovalColumn.ACCOUNT:
            return record.account_number
        if column is ApprovalColumn.AMOUNT:
            return format_pence(record.amount_pence)
        if column is ApprovalColumn.KIND:
            return KIND_WORDS[record.kind]
        if column is ApprovalColumn.REASON:
            return f"{record.reason_category}: {record.reason_text}"
        if column is ApprovalColumn.REQUESTER:
            return f"{record.requested_by_name} ({format_pence(record.requester_month_pence)})"
        if column is ApprovalColumn.CASE:
            return record.case_reference or self.tr("none")
        if record.state is GoodwillState.AWAITING_SECOND_APPROVAL:
            return self.tr("second approval (first: %1)").replace("%1", record.decided_by_name or "")
        return self.tr("approval")

    @override
    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        record = self.record_at(index.row()) if index.isValid() else None
        if record is None or not 0 <= index.column() < len(ApprovalColumn):
            return None
        column = ApprovalColumn(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(record, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._text(record, column) if column is ApprovalColumn.REASON else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column is ApprovalColumn.AMOUNT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class ApprovalPanel(QGroupBox):
    """The supervisor's queue (`approvalQueue`): Approve with Ctrl+Enter, Reject asks for a reason."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Approvals"), parent)
        self.setObjectName("approvalPanel")
        self.model = ApprovalModel(self)
        self.view = HintTableView(self, self.tr("Nothing waiting for approval."))
        self.view.setObjectName("approvalQueue")
        self.view.setAccessibleName(self.tr("Approvals"))
        self.view.setModel(self.model)
        read_only_rows(self.view)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ApprovalColumn.CUSTOMER, QHeaderView.ResizeMode.Stretch)
        # The detail under the list says the selected request in full: no sideways scrolling, and
        # rows a line high, so four requests show in a laptop's first row of the board.
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 6)
        self.view.setMinimumHeight(self.view.fontMetrics().height() * 4)

        self.detail = QLabel(self)
        self.detail.setObjectName("approvalDetail")
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.view.selectionModel().currentRowChanged.connect(self._show_detail)
        self.model.modelReset.connect(self._show_detail)

        self.message = QLabel(self)
        self.message.setObjectName("approvalMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.hide()

        self.approve_button = QPushButton(self.tr("Approve"), self)
        self.approve_button.setObjectName("approveButton")
        self.approve_button.setAccessibleName(self.tr("Approve request"))
        self.approve_button.setToolTip(self.tr("Approve the selected request (Ctrl+Enter)"))
        self.reject_button = QPushButton(self.tr("Reject…"), self)
        self.reject_button.setObjectName("rejectButton")
        self.reject_button.setAccessibleName(self.tr("Reject request"))
        self.reject_button.setToolTip(self.tr("Reject the selected request, with a reason (Ctrl+Shift+R)"))

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.approve_button)
        buttons.addWidget(self.reject_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    def selected(self) -> GoodwillRecord | None:
        index = self.view.currentIndex()
        return self.model.record_at(index.row()) if index.isValid() else None

    def _show_detail(self, *_: object) -> None:
        """The selected request in full: the narrow column cannot show every cell at once."""
        record = self.selected()
        if record is None:
            self.detail.setText(
                self.tr("Enter opens the customer; Ctrl+Enter approves; Ctrl+Shift+R rejects.")
            )
            return
        case = record.case_reference or self.tr("no case")
        self.detail.setText(
            self.tr("%1 %2 for %3 (%4, %5).\nReason: %6\nAsked by %7, who has had %8 approved this month.")
            .replace("%1", format_pence(record.amount_pence))
            .replace("%2", KIND_WORDS[record.kind])
            .replace("%3", record.customer_name)
            .replace("%4", record.account_number)
            .replace("%5", case)
            .replace("%6", f"{record.reason_category}: {record.reason_text}")
            .replace("%7", record.requested_by_name)
            .replace("%8", format_pence(record.requester_month_pence))
        )

    def show_pending(self, records: Sequence[GoodwillRecord]) -> None:
        chosen = self.selected()
        self.model.set_records(records)
        count = len(records)
        self.setTitle(self.tr("Approvals (%1)").replace("%1", str(count)) if count else self.tr("Approvals"))
        row = self.model.row_of(chosen.id) if chosen is not None else -1
        if row < 0 and count:
            row = 0
        if row >= 0:
            self.view.setCurrentIndex(self.model.index(row, 0))

    def say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
