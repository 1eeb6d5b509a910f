"""`callStrip`: the call in hand across the top of the window: number, who it is, a running timer, the
pick list when several customers share the number, New customer, End call."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from console.normalise import format_phone
from domain.records import CustomerMatch
from widgets.search.panel import SearchResultsModel
from widgets.views import HintListView

_ROOT = QModelIndex()
# Free in the window's key table (README "At the keyboard"): ends the call in hand.
END_CALL_KEYS = "Ctrl+Shift+X"
VISIBLE_MATCHES = 4


class CallMatchesModel(SearchResultsModel):
    """The customers who share the caller's number, one line each: name, account, postcode, town."""

    @override
    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        match = self.match_at(index.row()) if index.isValid() else None
        if match is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{match.name} · {match.account_number} · {match.postcode}, {match.town}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return (
                self.tr("%1, account %2, postcode %3")
                .replace("%1", match.name)
                .replace("%2", match.account_number)
                .replace("%3", match.postcode)
            )
        if role == Qt.ItemDataRole.ToolTipRole and match.phone_e164:
            return self.tr("Main number %1").replace("%1", format_phone(match.phone_e164))
        return None


class CallStrip(QFrame):
    """Shows one call; hidden until the first. Renders what the controller tells it, decides nothing."""

    # End call (the button or Ctrl+Shift+X while the strip shows).
    end_requested = Signal()
    # New customer was pressed (no customer has the number).
    new_customer_clicked = Signal()
    # A customer was chosen from the pick list (Return or double-click): carries its id (uuid.UUID).
    match_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("callStrip")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(self.tr("Call in hand"))

        heading = QLabel(self.tr("Call"), self)
        heading.setObjectName("callHeading")
        self.number = QLabel(self)
        self.number.setObjectName("callNumber")
        self.number.setTextFormat(Qt.TextFormat.PlainText)
        self.number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.caller = QLabel(self)
        self.caller.setObjectName("callCaller")
        self.caller.setTextFormat(Qt.TextFormat.PlainText)
        self.caller.setWordWrap(True)
        self.timer = QLabel("0:00", self)
        self.timer.setObjectName("callTimer")
        self.timer.setToolTip(self.tr("How long this call has lasted"))
        self.new_customer_button = QPushButton(self.tr("New customer…"), self)
        self.new_customer_button.setObjectName("newCustomerButton")
        self.new_customer_button.setAccessibleName(self.tr("New customer with this number"))
        self.end_button = QPushButton(self.tr("End call"), self)
        self.end_button.setObjectName("endCallButton")
        self.end_button.setToolTip(self.tr("End the call (%1)").replace("%1", END_CALL_KEYS))
        self.dismiss_button = QPushButton(self.tr("Close"), self)
        self.dismiss_button.setObjectName("dismissCallButton")
        self.dismiss_button.setAccessibleName(self.tr("Close the ended call"))

        self.matches_model = CallMatchesModel(self)
        self.matches = HintListView(self)
        self.matches.setObjectName("callMatches")
        self.matches.setAccessibleName(self.tr("Customers with this number"))
        self.matches.setModel(self.matches_model)
        self.matches.setUniformItemSizes(True)
        self.matches.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.matches.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.matches.setTextElideMode(Qt.TextElideMode.ElideRight)

        self.note = QLabel(self)
        self.note.setObjectName("callNote")
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)

        row = QHBoxLayout()
        row.addWidget(heading)
        row.addWidget(self.number)
        row.addWidget(self.caller, 1)
        row.addWidget(self.timer)
        row.addWidget(self.new_customer_button)
        row.addWidget(self.end_button)
        row.addWidget(self.dismiss_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 4)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(self.matches)
        layout.addWidget(self.note)

        # Only while the strip shows: a hidden widget's window shortcut does not fire.
        end_key = QShortcut(QKeySequence(END_CALL_KEYS), self)
        end_key.setContext(Qt.ShortcutContext.WindowShortcut)
        end_key.activated.connect(self._end_from_key)
        self.end_button.clicked.connect(self.end_requested)
        self.new_customer_button.clicked.connect(self.new_customer_clicked)
        self.dismiss_button.clicked.connect(self.hide)
        self.matches.activated.connect(self._choose)
        self.hide()

    # -- what the controller shows ----------------------------------------------------------------

    def show_call(self, number_text: str, caller_text: str) -> None:
        """A new call: its number and a first line about the caller; live timer, End call."""
        self.number.setText(number_text)
        self.caller.setText(caller_text)
        self.timer.setText("0:00")
        self.timer.setToolTip(self.tr("How long this call has lasted"))
        self.matches_model.set_matches([])
        self.matches.hide()
        self.note.hide()
        self.new_customer_button.hide()
        self.dismiss_button.hide()
        self.end_button.show()
        self.end_button.setEnabled(True)
        self._set_state("live")
        self.show()

    def say(self, caller_text: str) -> None:
        self.caller.setText(caller_text)

    def show_matches(self, matches: list[CustomerMatch]) -> None:
        """Several customers share the number: the pick list, with the keyboard in it (Down, Return)."""
        self.matches_model.set_matches(matches)
        row_height = max(self.matches.sizeHintForRow(0), self.fontMetrics().height())
        rows = min(len(matches), VISIBLE_MATCHES)
        self.matches.setFixedHeight(rows * row_height + 2 * self.matches.frameWidth() + 2)
        self.matches.show()
        self.matches.setFocus(Qt.FocusReason.OtherFocusReason)

    def offer_new_customer(self) -> None:
        self.new_customer_button.show()
        self.new_customer_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.show()

    def set_elapsed(self, text: str) -> None:
        self.timer.setText(text)

    def show_ended(self, duration_text: str) -> None:
        """The call ended: the strip keeps the number, the caller and how long it lasted."""
        self.timer.setText(self.tr("Ended · %1").replace("%1", duration_text))
        self.timer.setToolTip(self.tr("The call lasted %1").replace("%1", duration_text))
        self.end_button.hide()
        self.new_customer_button.hide()
        self.dismiss_button.show()
        self._set_state("ended")

    def _set_state(self, state: str) -> None:
        self.setProperty("callState", state)
        for widget in (self, *self.findChildren(QLabel)):  # the labels' colours follow the state
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    # -- what the advisor does ----------------------------------------------------------------------

    def _end_from_key(self) -> None:
        if self.end_button.isVisible():
            self.end_requested.emit()

    def _choose(self, index: QModelIndex | QPersistentModelIndex) -> None:
        match = self.matches_model.match_at(index.row()) if index.isValid() else None
        if match is not None:
            self.match_chosen.emit(match.id)

    def chosen_id(self) -> uuid.UUID | None:
        match = self.matches_model.match_at(self.matches.currentIndex().row())
        return match.id if match is not None else None
