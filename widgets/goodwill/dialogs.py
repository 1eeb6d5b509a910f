"""Giving goodwill and rejecting a request: dialogs that say what is wrong next to the fields.

Neither saves anything itself: Save emits `save_requested`, the window runs the service off the UI
thread, then closes the dialog (`saved()`) or shows the rule's message (`show_error()`), keeping
everything typed. Opened with `open()`, never `exec()`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget
from typing_extensions import override

from console.compensation import Suggestion
from console.goodwill_words import KIND_WORDS, REASON_CATEGORIES
from console.money import format_pence
from domain.records import CaseSummary, GoodwillRecord
from domain.vocabulary import GoodwillKind
from widgets.dialog_parts import ErrorLabel, SaveDialog, button_box, note_edit, open_case_combo
from widgets.goodwill.compensation_box import RULE_CATEGORIES, SuggestionBox


@dataclass(frozen=True)
class GoodwillAsk:
    """What the advisor asked to give; the service parses the amount and checks the rules."""

    kind: GoodwillKind
    amount_text: str
    reason_category: str
    reason_text: str
    case_id: uuid.UUID | None


class GoodwillDialog(SaveDialog):
    """Kind, amount in pounds and pence, linked open case, reason category and free text; for a case
    the automatic compensation scheme covers, what it owes (asked of the window, shown when it answers)."""

    # The linked case changed (or the dialog opened): carries its id, for the window to work out what
    # the compensation scheme owes on it and answer with show_suggestion().
    suggestion_requested = Signal(object)

    def __init__(
        self,
        customer_id: uuid.UUID,
        customer_name: str,
        cases: Sequence[CaseSummary],
        limit_pence: int,
        *,
        case_id: uuid.UUID | None = None,
        parent: QWidget | None = None,
        supervisor: bool = False,
    ) -> None:
        """`supervisor`: the user is one (notes on unverified scheme figures are for them)."""
        super().__init__(parent)
        self.setObjectName("goodwillDialog")
        self.customer_id = customer_id
        self.setWindowTitle(self.tr("Give goodwill to %1").replace("%1", customer_name))

        self.kind_combo = QComboBox(self)
        self.kind_combo.setAccessibleName(self.tr("Kind of goodwill"))
        for kind in GoodwillKind:
            self.kind_combo.addItem(KIND_WORDS[kind].capitalize(), kind.value)

        self.amount_edit = QLineEdit(self)
        self.amount_edit.setObjectName("goodwillAmount")
        self.amount_edit.setAccessibleName(self.tr("Amount in pounds and pence"))
        self.amount_edit.setPlaceholderText(self.tr("e.g. 12.50"))
        self.amount_edit.setMaxLength(40)

        self.case_combo = open_case_combo(cases, case_id, self)

        self.category_combo = QComboBox(self)
        self.category_combo.setAccessibleName(self.tr("Reason category"))
        for category in REASON_CATEGORIES:
            self.category_combo.addItem(category.capitalize(), category)
        self.reason_edit = note_edit(
            self.tr("Reason"), self.tr("Why, in words the customer and the approver will read"), self
        )

        self.limit_hint = QLabel(
            self.tr("Up to %1 is given at once; above that a supervisor approves it first.").replace(
                "%1", format_pence(limit_pence)
            ),
            self,
        )
        self.limit_hint.setTextFormat(Qt.TextFormat.PlainText)
        self.limit_hint.setWordWrap(True)

        self.suggestion_box = SuggestionBox(self, limit_pence=limit_pence, for_supervisor=supervisor)
        self.suggestion_box.use_requested.connect(self.use_suggestion)
        self._suggestion_case: uuid.UUID | None = None
        self.kind_combo.currentIndexChanged.connect(self._render_suggestion)
        self.case_combo.currentIndexChanged.connect(self.request_suggestion)

        self.error = ErrorLabel("goodwillError", self)
        self.buttons, self.save_button = button_box(self, self.tr("Give goodwill"))
        self.buttons.accepted.connect(self.submit)

        form = QFormLayout()
        form.addRow(self.tr("&Kind:"), self.kind_combo)
        form.addRow(self.tr("&Amount (£):"), self.amount_edit)
        form.addRow(self.tr("&Case:"), self.case_combo)
        form.addRow(self.tr("&Reason:"), self.category_combo)
        form.addRow(self.tr("&Details:"), self.reason_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.suggestion_box)
        layout.addWidget(self.limit_hint)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.amount_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- the compensation suggestion --------------------------------------------------------------

    def linked_case(self) -> uuid.UUID | None:
        case = self.case_combo.currentData()
        return uuid.UUID(case) if case else None

    def kind(self) -> GoodwillKind:
        return GoodwillKind(self.kind_combo.currentData())

    def request_suggestion(self, *_: object) -> None:
        """Ask for what the scheme owes on the linked case (nothing to ask without one)."""
        self._suggestion_case = None
        self.suggestion_box.show_suggestion(None, full=False)
        case_id = self.linked_case()
        if case_id is not None:
            self.suggestion_requested.emit(case_id)

    def show_suggestion(self, case_id: uuid.UUID, suggestion: Suggestion | None) -> None:
        """The answer for `case_id`; ignored if the advisor has linked another case meanwhile."""
        if case_id != self.linked_case():
            return
        self._suggestion_case = case_id
        self.suggestion_box.suggestion = suggestion
        self._render_suggestion()

    def show_suggestion_problem(self, case_id: uuid.UUID, text: str) -> None:
        if case_id == self.linked_case():
            self.suggestion_box.show_problem(text)

    def _render_suggestion(self, *_: object) -> None:
        if self._suggestion_case is None or self._suggestion_case != self.linked_case():
            return
        full = self.kind() is GoodwillKind.COMPENSATION
        self.suggestion_box.show_suggestion(self.suggestion_box.suggestion, full=full)
        self.adjustSize()

    def use_suggestion(self, suggestion: Suggestion) -> None:
        """Fill the form with the scheme's amount; the usual limits and approvals still apply on save."""
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(GoodwillKind.COMPENSATION.value))
        self.amount_edit.setText(format_pence(suggestion.total_pence))
        paid = [part for part in suggestion.parts if part.pence]
        category = RULE_CATEGORIES.get(paid[0].rule) if paid else None
        if category is not None:
            self.category_combo.setCurrentIndex(self.category_combo.findData(category))
        if not self.reason_edit.toPlainText().strip():
            self.reason_edit.setPlainText(
                self.tr("Automatic compensation scheme: %1").replace("%1", suggestion.words())
            )
        self.amount_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def fill(
        self,
        amount: str,
        reason: str,
        *,
        kind: GoodwillKind = GoodwillKind.GOODWILL_CREDIT,
        category: str | None = None,
    ) -> None:
        """Type into the fields as the advisor would (for tests)."""
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind.value))
        self.amount_edit.setText(amount)
        self.reason_edit.setPlainText(reason)
        if category is not None:
            self.category_combo.setCurrentIndex(self.category_combo.findData(category))

    @override
    def payload(self) -> GoodwillAsk:
        return self.request()

    def request(self) -> GoodwillAsk:
        case = self.case_combo.currentData()
        return GoodwillAsk(
            kind=GoodwillKind(self.kind_combo.currentData()),
            amount_text=self.amount_edit.text(),
            reason_category=str(self.category_combo.currentData()),
            reason_text=self.reason_edit.toPlainText(),
            case_id=uuid.UUID(case) if case else None,
        )


class RejectDialog(SaveDialog):
    """Rejecting asks for the reason the advisor will pass on to the customer."""

    def __init__(self, record: GoodwillRecord, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rejectDialog")
        self.record = record
        self.setWindowTitle(
            self.tr("Reject %1 for %2")
            .replace("%1", format_pence(record.amount_pence))
            .replace("%2", record.customer_name)
        )
        summary = QLabel(
            f"{format_pence(record.amount_pence)} {KIND_WORDS[record.kind]}, asked by "
            f"{record.requested_by_name}: {record.reason_category}: {record.reason_text}",
            self,
        )
        summary.setTextFormat(Qt.TextFormat.PlainText)
        summary.setWordWrap(True)
        self.reason_edit = note_edit(
            self.tr("Reason for rejecting"), self.tr("The advisor will tell the customer this"), self
        )
        self.error = ErrorLabel("rejectError", self)
        self.buttons, self.save_button = button_box(self, self.tr("Reject"))
        self.buttons.accepted.connect(self.submit)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        form = QFormLayout()
        form.addRow(self.tr("&Reason:"), self.reason_edit)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.reason_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    @override
    def payload(self) -> str:
        return self.reason_edit.toPlainText()
