"""What the automatic compensation scheme owes on the linked case, shown in the goodwill dialog: the
amount, the rule and the arithmetic in words, and a button to use the amount. It renders what the
compensation service worked out; the arithmetic lives in console.compensation."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from console.compensation import Suggestion
from console.money import format_pence

# The reason category of the goodwill request that each rule of the scheme is paid for.
RULE_CATEGORIES = {
    "Delayed repair after a total loss of service": "delayed repair",
    "Delayed start of a new service": "delayed installation",
    "Missed engineer appointment": "missed appointment",
}


def _label(name: str, parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class SuggestionBox(QFrame):
    """`compensationSuggestion`: hidden until the linked case has a suggestion (or a problem to tell).

    The amount is what the scheme owes the customer; `compensationLimit` says how the user's limit
    applies to paying it. Notes on figures not yet verified against Ofcom (`compensationChecks`) are
    for supervisors (`for_supervisor`), not for an advisor mid-call.
    """

    # The advisor chose to use the suggested amount: carries the Suggestion.
    use_requested = Signal(object)

    def __init__(
        self, parent: QWidget | None = None, *, limit_pence: int | None = None, for_supervisor: bool = False
    ) -> None:
        super().__init__(parent)
        self.setObjectName("compensationSuggestion")
        self._limit_pence = limit_pence
        self._for_supervisor = for_supervisor
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.suggestion: Suggestion | None = None
        self.title = _label("compensationTitle", self)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.arithmetic = _label("compensationArithmetic", self)
        self.limit = _label("compensationLimit", self)
        self.checks = _label("compensationChecks", self)
        self.use_button = QPushButton(self.tr("Use this amount"), self)
        self.use_button.setObjectName("useSuggestionButton")
        self.use_button.setAccessibleName(self.tr("Use the suggested compensation amount"))
        self.use_button.clicked.connect(self._use)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 70)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.title, 1)
        row.addWidget(self.use_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(3)
        layout.addLayout(row)
        layout.addWidget(self.arithmetic)
        layout.addWidget(self.limit)
        layout.addWidget(self.checks)
        self.hide()

    def show_suggestion(self, suggestion: Suggestion | None, *, full: bool) -> None:
        """`full`: the kind is compensation, so show the rule and arithmetic; else a one-line hint."""
        self.suggestion = suggestion
        if suggestion is None:
            self.hide()
            return
        owed = suggestion.owed
        if not full and not owed:
            self.hide()
            return
        total = format_pence(suggestion.total_pence)
        if not full:
            hint = self.tr("The automatic compensation scheme owes %1 on this case: choose Compensation.")
            self.title.setText(hint.replace("%1", total))
        elif owed:
            self.title.setText(self.tr("Automatic compensation owed: %1").replace("%1", total))
        else:
            self.title.setText(self.tr("Automatic compensation: nothing owed on this case's dates"))
        lines = [part.arithmetic for part in suggestion.parts]
        if len(lines) > 1:
            lines = [f"• {line}" for line in lines]
            lines.append(self.tr("Total: %1").replace("%1", total))
        self.arithmetic.setText("\n".join(lines))
        self.arithmetic.setVisible(full)
        self.limit.setText(self._limit_words(suggestion.total_pence))
        self.limit.setVisible(full and owed and self._limit_pence is not None)
        notes = suggestion.checks()
        to_check = self.tr("For supervisors, to check against Ofcom: %1")
        self.checks.setText("\n".join(to_check.replace("%1", note) for note in notes))
        self.checks.setVisible(full and bool(notes) and self._for_supervisor)
        self.use_button.setVisible(owed)
        self.show()

    def show_problem(self, text: str) -> None:
        """The suggestion could not be worked out (e.g. the scheme file is broken): say so, offer nothing."""
        self.suggestion = None
        self.title.setText(self.tr("No compensation suggestion: %1").replace("%1", text))
        self.arithmetic.hide()
        self.limit.hide()
        self.checks.hide()
        self.use_button.hide()
        self.show()

    def _limit_words(self, pence: int) -> str:
        """How the user's limit applies to paying what the scheme owes (the amount itself is not theirs to
        change: it is the scheme's)."""
        if self._limit_pence is None:
            return ""
        if pence <= self._limit_pence:
            return self.tr(
                "The scheme's amount, owed to the customer: within your %1 limit, paid at once."
            ).replace("%1", format_pence(self._limit_pence))
        return self.tr(
            "The scheme's amount, owed to the customer: above your %1 limit, so a supervisor checks and "
            "approves the payment before it is made."
        ).replace("%1", format_pence(self._limit_pence))

    def _use(self) -> None:
        if self.suggestion is not None and self.suggestion.owed:
            self.use_requested.emit(self.suggestion)
