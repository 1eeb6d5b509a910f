"""Reassigning a broken (or at-risk) promise to a colleague, always with a note for the new owner."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget
from typing_extensions import override

from domain.records import PromiseRecord, UserRecord
from widgets.dialog_parts import ErrorLabel, SaveDialog, button_box, colleague_combo, note_edit
from widgets.promise_text import kind_label


@dataclass(frozen=True)
class ReassignRequest:
    to_user_id: uuid.UUID
    note: str


class ReassignDialog(SaveDialog):
    """A colleague and a note; the board runs the service and answers saved() or show_error()."""

    def __init__(
        self, promise: PromiseRecord, colleagues: Sequence[UserRecord], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reassignDialog")
        self.promise = promise
        self.setWindowTitle(self.tr("Reassign a promise"))
        about = QLabel(
            self.tr("%1 for %2 (%3), owned by %4")
            .replace("%1", kind_label(promise.kind))
            .replace("%2", promise.customer_name)
            .replace("%3", promise.account_number)
            .replace("%4", promise.owner_name),
            self,
        )
        about.setObjectName("reassignAbout")
        about.setWordWrap(True)
        self.colleague_combo = colleague_combo(
            colleagues, promise.owner_id, self.tr("Give the promise to"), self
        )
        self.note_edit = note_edit(
            self.tr("Note for the new owner"),
            self.tr("What was promised, what the customer has been told, what to do now"),
            self,
        )
        self.error = ErrorLabel("reassignError", self)
        self.buttons, self.save_button = button_box(self, self.tr("Reassign"))
        self.buttons.accepted.connect(self.submit)
        form = QFormLayout()
        form.addRow(self.tr("&To:"), self.colleague_combo)
        form.addRow(self.tr("&Note:"), self.note_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)

    def choose_colleague(self, user_id: uuid.UUID) -> None:
        self.colleague_combo.setCurrentIndex(self.colleague_combo.findData(str(user_id)))

    @override
    def payload(self) -> ReassignRequest:
        chosen = self.colleague_combo.currentData()
        if not chosen:
            raise ValueError(self.tr("choose who takes the promise over"))
        note = self.note_edit.toPlainText().strip()
        if not note:
            raise ValueError(self.tr("add a note for the new owner: what was promised and what to do now"))
        return ReassignRequest(uuid.UUID(chosen), note)
