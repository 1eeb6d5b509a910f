"""`chooseCaseDialog`: which case a key's act is for, when nothing is selected and several cases allow
it (Ctrl+Shift+E with two open cases asks, rather than doing nothing)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.case_rules import status_words
from domain.records import CaseSummary


class CaseChoiceDialog(QDialog):
    """The cases an act may apply to; Return (or OK) on one carries on with it."""

    # A case was chosen: carries the CaseSummary.
    case_chosen = Signal(object)

    def __init__(self, what: str, cases: Sequence[CaseSummary], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chooseCaseDialog")
        self.setWindowTitle(self.tr("Which case?"))
        self.cases = list(cases)
        question = QLabel(self.tr("%1: which case?").replace("%1", what), self)
        question.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("chooseCaseList")
        self.list.setAccessibleName(self.tr("Cases to choose from"))
        for case in self.cases:
            item = QListWidgetItem(f"{case.reference}: {case.title} ({status_words(case)})", self.list)
            item.setData(Qt.ItemDataRole.UserRole, str(case.id))
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _item: self.accept())
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.list.setFocus(Qt.FocusReason.OtherFocusReason)
        self.accepted.connect(self._chosen)

    def _chosen(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.cases):
            self.case_chosen.emit(self.cases[row])
