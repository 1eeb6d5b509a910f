"""The customer header: who the customer is, how to treat them, who owns the account. Its rows keep
their room from one customer to the next (a flag or a handover absent is hidden, its place kept), so
opening a customer moves nothing below it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QStackedLayout, QVBoxLayout, QWidget

from console.normalise import format_phone
from domain.records import CustomerProfile, OwnerChange
from widgets.layout import keep_place_when_hidden
from widgets.text import channel_label, long_date, yes_no


class CustomerHeader(QFrame):
    """Shows a profile, or a hint how to find one; labels carry data, so they have no accessible name."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customerHeader")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.profile: CustomerProfile | None = None

        self.empty_label = QLabel(self.tr("No customer open. Find one with the search box (Ctrl+F)."), self)
        self.empty_label.setObjectName("headerEmpty")

        details = QWidget(self)
        self.name_label = self._label(details, "customerName")
        self.account_label = self._label(details, "customerAccount")
        self.vulnerability_label = self._label(details, "vulnerabilityFlag")
        self.vulnerability_label.setWordWrap(True)
        self.owner_label = self._label(details, "accountOwner")
        self.owner_changes_label = self._label(details, "ownerChanges")
        self.owner_changes_label.setWordWrap(True)
        # The newest handover has two lines, whatever its length (all of it is the tooltip and what a
        # screen reader reads): a long note never makes the header taller.
        self.owner_changes_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        self.owner_changes_label.setMinimumHeight(self.owner_changes_label.fontMetrics().lineSpacing() * 2)
        for optional in (self.vulnerability_label, self.owner_changes_label):
            keep_place_when_hidden(optional)
        self.phones_label = self._label(details, "customerPhones")
        self.contact_label = self._label(details, "customerContact")
        self.address_label = self._label(details, "customerAddress")
        self.preferred_label = self._label(details, "preferredChannel")
        self.consent_label = self._label(details, "marketingConsent")
        self.since_label = self._label(details, "customerSince")

        grid = QGridLayout(details)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(3)
        # Who; how to treat them; then how to reach them, who owns the account, what they agreed to.
        grid.addWidget(self.name_label, 0, 0, 1, 2)
        grid.addWidget(self.account_label, 0, 2)
        grid.addWidget(self.vulnerability_label, 1, 0, 1, 3)
        grid.addWidget(self.phones_label, 2, 0)
        grid.addWidget(self.owner_label, 2, 1)
        grid.addWidget(self.preferred_label, 2, 2)
        grid.addWidget(self.contact_label, 3, 0)
        grid.addWidget(self.owner_changes_label, 3, 1, 2, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.consent_label, 3, 2)
        grid.addWidget(self.address_label, 4, 0)
        grid.addWidget(self.since_label, 4, 2)
        grid.setColumnStretch(0, 4)
        grid.setColumnStretch(1, 4)
        grid.setColumnStretch(2, 2)

        self._stack = QStackedLayout()
        self._stack.addWidget(self.empty_label)
        self._stack.addWidget(details)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 12, 8)
        outer.addLayout(self._stack)
        self.clear()

    @staticmethod
    def _label(parent: QWidget, name: str) -> QLabel:
        label = QLabel(parent)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def clear(self) -> None:
        self.profile = None
        self._stack.setCurrentIndex(0)

    def show_profile(self, profile: CustomerProfile) -> None:
        self.profile = profile
        self.name_label.setText(profile.full_name)
        self.account_label.setText(self.tr("Account %1").replace("%1", profile.account_number))
        if profile.vulnerable:
            note = profile.vulnerability_note or self.tr("see notes before acting")
            self.vulnerability_label.setText(self.tr("Vulnerable: %1").replace("%1", note))
            self.vulnerability_label.show()
        else:  # hidden, its row kept one flag high
            self.vulnerability_label.setText(self.tr("Vulnerable"))
            self.vulnerability_label.hide()
        if profile.account_owner:
            self.owner_label.setText(self.tr("Account owner: %1").replace("%1", profile.account_owner))
        else:
            self.owner_label.setText(self.tr("No named owner"))
        self.owner_changes_label.setText(self._latest_handover(profile.owner_changes))
        self.owner_changes_label.setToolTip(
            "\n".join(
                f"{self._handover(c)} ({c.from_name or '-'} → {c.to_name})" for c in profile.owner_changes
            )
        )
        self.owner_changes_label.setVisible(bool(profile.owner_changes))
        phones = ", ".join(format_phone(phone) for phone in profile.phones) or self.tr("none recorded")
        self.phones_label.setText(self.tr("Phone: %1").replace("%1", phones))
        self.contact_label.setText(
            self.tr("Email: %1").replace("%1", profile.email or self.tr("none recorded"))
        )
        self.address_label.setText(f"{profile.address_line}, {profile.town} {profile.postcode}")
        self.preferred_label.setText(
            self.tr("Prefers: %1").replace("%1", channel_label(profile.preferred_channel))
        )
        self.consent_label.setText(
            self.tr("Marketing consent: %1").replace("%1", yes_no(profile.marketing_consent))
        )
        self.since_label.setText(
            self.tr("Customer since %1").replace("%1", long_date(profile.customer_since))
        )
        self._stack.setCurrentIndex(1)

    def _latest_handover(self, changes: tuple[OwnerChange, ...]) -> str:
        """The newest handover in one or two lines; the others are in the label's tooltip."""
        if not changes:
            return ""
        return self._handover(changes[0])

    def _handover(self, change: OwnerChange) -> str:
        day = long_date(change.changed_at.astimezone().date())
        if change.from_name:
            text = self.tr("Handed over %1 by %2").replace("%1", day).replace("%2", change.from_name)
        else:
            text = self.tr("Owner named %1").replace("%1", day)
        return f"{text}: {change.note}" if change.note else text
