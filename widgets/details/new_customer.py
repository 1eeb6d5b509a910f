"""`newCustomerDialog`: a new customer with the checks search uses (E.164 numbers, UK postcodes), a
reason, and a warning (`newCustomerWarning`, not a refusal) when the number or email is another
customer's: the first Save shows it, the next one saves."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from console.contact_rules import CHANNEL_WORDS
from console.details_rules import CHANNELS, NewCustomer, check_new_customer
from console.normalise import format_phone
from domain.vocabulary import Channel
from widgets.dialog_parts import ErrorLabel, SaveDialog, button_box, note_edit

FIELDS = (
    ("given_name", "newCustomerGiven", "Given name"),
    ("family_name", "newCustomerFamily", "Family name"),
    ("phone", "newCustomerPhone", "Phone"),
    ("email", "newCustomerEmail", "Email"),
    ("address_line", "newCustomerAddress", "Address"),
    ("town", "newCustomerTown", "Town"),
    ("postcode", "newCustomerPostcode", "Postcode"),
)


class NewCustomerDialog(SaveDialog):
    def __init__(self, e164: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("newCustomerDialog")
        self.setWindowTitle(self.tr("New customer"))
        self.warned = False  # the duplicate warning was shown: the next Save saves
        form = QFormLayout()
        self.lines: dict[str, QLineEdit] = {}
        for field, name, label in FIELDS:
            edit = QLineEdit(self)
            edit.setObjectName(name)
            edit.setAccessibleName(self.tr(label))
            self.lines[field] = edit
            form.addRow(self.tr(label), edit)
        if e164:
            self.lines["phone"].setText(format_phone(e164))
        self.channel = QComboBox(self)
        self.channel.setObjectName("newCustomerChannel")
        self.channel.setAccessibleName(self.tr("Preferred channel"))
        for channel in CHANNELS:
            self.channel.addItem(CHANNEL_WORDS[Channel(channel)], channel)
        form.addRow(self.tr("Preferred channel"), self.channel)
        self.consent = QCheckBox(self.tr("Marketing consent"), self)
        self.consent.setObjectName("newCustomerConsent")
        form.addRow("", self.consent)
        self.reason = note_edit(self.tr("Reason"), self.tr("Why the customer is added (required)"), self)
        self.reason.setObjectName("newCustomerReason")
        form.addRow(self.tr("Reason"), self.reason)
        self.warning = ErrorLabel("newCustomerWarning", self)
        self.error = ErrorLabel("newCustomerError", self)
        buttons, self.save_button = button_box(self, self.tr("Add customer"))
        self.save_button.clicked.connect(self.submit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.warning)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.lines["given_name"].setFocus()

    def payload(self) -> NewCustomer:
        text = {field: edit.text() for field, edit in self.lines.items()}
        new = NewCustomer(
            given_name=text["given_name"],
            family_name=text["family_name"],
            email=text["email"],
            address_line=text["address_line"],
            town=text["town"],
            postcode=text["postcode"],
            preferred_channel=str(self.channel.currentData()),
            marketing_consent=self.consent.isChecked(),
            phone=text["phone"],
            reason=self.reason.toPlainText(),
        )
        check_new_customer(new)
        return new

    def warn(self, words: list[str]) -> None:
        """Another customer holds the number or email: say so, and let the next Save go ahead."""
        self.warned = True
        self.save_button.setEnabled(True)
        self.warning.say(
            self.tr("Check before adding: %1. Save again to add anyway.").replace("%1", "; ".join(words))
        )
