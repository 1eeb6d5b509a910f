"""Taking over or handing over a case: always with a note for whoever comes next."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget
from typing_extensions import override

from domain.records import CaseSummary, UserRecord
from widgets.dialog_parts import ErrorLabel, SaveDialog, button_box, colleague_combo, note_edit


@dataclass(frozen=True)
class OwnershipRequest:
    """Who should own the case (None: the user, taking it over) and the note for the record."""

    to_user_id: uuid.UUID | None
    note: str


class OwnershipDialog(SaveDialog):
    """Take over (note only) or hand over (a colleague and a note); the window runs the service."""

    def __init__(
        self,
        case: CaseSummary,
        *,
        taking: bool,
        colleagues: Sequence[UserRecord] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ownershipDialog")
        self.case = case
        self.taking = taking
        title = self.tr("Take over %1") if taking else self.tr("Hand over %1")
        self.setWindowTitle(title.replace("%1", case.reference))

        about = QLabel(
            self.tr("%1: %2 (owner: %3)")
            .replace("%1", case.reference)
            .replace("%2", case.title)
            .replace("%3", case.owner_name or self.tr("nobody")),
            self,
        )
        about.setObjectName("ownershipAbout")
        about.setWordWrap(True)

        self.colleague_combo = colleague_combo(colleagues, case.owner_id, self.tr("Hand over to"), self)
        self.note_edit = note_edit(
            self.tr("Handover note"),
            self.tr("What is done, what is next, what the customer has been told"),
            self,
        )
        self.error = ErrorLabel("caseError", self)
        save_text = self.tr("Take over") if taking else self.tr("Hand over")
        self.buttons, self.save_button = button_box(self, save_text)
        self.buttons.accepted.connect(self.submit)

        form = QFormLayout()
        if not taking:
            form.addRow(self.tr("&To:"), self.colleague_combo)
        else:
            self.colleague_combo.hide()
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
    def payload(self) -> OwnershipRequest:
        request = self.request()
        if not self.taking and request.to_user_id is None:
            raise ValueError(self.tr("choose who takes the case over"))
        return request

    def request(self) -> OwnershipRequest:
        chosen = None if self.taking else self.colleague_combo.currentData()
        return OwnershipRequest(uuid.UUID(chosen) if chosen else None, self.note_edit.toPlainText().strip())
