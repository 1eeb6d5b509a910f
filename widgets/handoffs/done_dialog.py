"""Saying what was done when a handoff is completed (`handoffDoneDialog`), from the customer's handoff
list or the team's; the words go on the customer's timeline."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from typing_extensions import override

from console.handoff_rules import HandoffRuleError, check_done_note
from widgets.dialog_parts import ErrorLabel, SaveDialog, button_box, note_edit


class HandoffDoneDialog(SaveDialog):
    """`handoffDoneDialog`: what was done (`handoffDoneNote`), kept on the customer's timeline."""

    def __init__(self, summary: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("handoffDoneDialog")
        self.setWindowTitle(self.tr("Handoff done"))
        about = QLabel(summary, self)
        about.setWordWrap(True)
        self.note_edit = note_edit(self.tr("What was done"), self.tr("What your team did"), self)
        self.note_edit.setObjectName("handoffDoneNote")
        self.error = ErrorLabel("handoffDoneError", self)
        self.buttons, self.save_button = button_box(self, self.tr("Mark done"))
        self.buttons.accepted.connect(self.submit)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(QLabel(self.tr("What was done:"), self))
        layout.addWidget(self.note_edit)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    @override
    def payload(self) -> str:
        note = self.note_edit.toPlainText()
        if not note.strip():
            raise ValueError(self.tr("say what was done"))
        try:
            return check_done_note(note) or ""
        except HandoffRuleError as error:
            raise ValueError(str(error)) from None
