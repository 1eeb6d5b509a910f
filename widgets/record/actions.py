"""The row of buttons the customer pane shows for writing things down: log a contact, open a new
case, record progress on a case, hand off to another team (Ctrl+L, Ctrl+Shift+N, Ctrl+Shift+U,
Ctrl+Shift+H). The window places it; RecordController.attach() connects the first three, the
handoffs feature (widgets.team_handoffs.place) the last."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget


class RecordActions(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recordActions")
        self.log_contact_button = self._button(
            "logContactButton",
            self.tr("Log contact…"),
            self.tr("Write down an email, letter, visit, chat or call (Ctrl+L)"),
            "Ctrl+L",
        )
        self.new_case_button = self._button(
            "newCaseButton",
            self.tr("New case…"),
            self.tr("Open a case for a new problem; you will own it (Ctrl+Shift+N)"),
            "Ctrl+Shift+N",
        )
        self.case_update_button = self._button(
            "caseUpdateButton",
            self.tr("Case progress…"),
            self.tr("What was done, the next step, and whether the customer was told (Ctrl+Shift+U)"),
            "Ctrl+Shift+U",
        )
        self.hand_off_button = self._button(
            "handOffButton",
            self.tr("Hand off…"),
            self.tr(
                "Pass work for the open customer to another team, acknowledged in its hours (Ctrl+Shift+H)"
            ),
            "Ctrl+Shift+H",
        )
        self.buttons = (
            self.log_contact_button,
            self.new_case_button,
            self.case_update_button,
            self.hand_off_button,
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for button in self.buttons:
            layout.addWidget(button)
        layout.addStretch(1)
        self.set_customer_open(False)

    def _button(self, name: str, text: str, tip: str, keys: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setShortcut(QKeySequence(keys))  # the window's: works wherever the focus is in it
        return button

    def set_customer_open(self, is_open: bool) -> None:
        """The buttons act on the customer in the pane: off while there is none."""
        for button in self.buttons:
            button.setEnabled(is_open)
