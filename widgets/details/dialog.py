"""`customerDetailsDialog`: every detail of the open customer as it stands, a required reason, and the
earlier details (`earlierDetails`) with who removed them, when and why, each back in one step."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import tzinfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.contact_rules import CHANNEL_WORDS
from console.details_rules import CHANNELS, FIELD_WORDS, NO, YES, check_reason, check_value
from console.normalise import format_phone
from domain.records import DetailChangeRecord
from domain.vocabulary import Channel
from widgets.dialog_parts import ErrorLabel, SaveDialog, button_box, note_edit, sentence
from widgets.promise_text import short_time

LINES = (
    ("mobile_phone", "detailMobile"),
    ("landline_phone", "detailLandline"),
    ("work_phone", "detailWork"),
    ("email", "detailEmail"),
    ("address_line", "detailAddress"),
    ("town", "detailTown"),
    ("postcode", "detailPostcode"),
    ("vulnerability_note", "detailVulnerabilityNote"),
)
FLAGS = (("marketing_consent", "detailMarketingConsent"), ("vulnerable", "detailVulnerable"))


@dataclass(frozen=True)
class DetailsRequest:
    """The details the advisor changed (as typed) and why."""

    values: dict[str, str | None]
    reason: str


def shown_value(field: str, value: str | None) -> str:
    """A stored value as the advisor reads it (a phone in its national form)."""
    if value is None:
        return ""
    return format_phone(value) if field.endswith("_phone") else value


def history_line(change: DetailChangeRecord, zone: tzinfo | None) -> str:
    verb = "replaced" if change.new_value is not None else "removed"
    return (
        f"{FIELD_WORDS[change.field]}: {shown_value(change.field, change.old_value)} — {verb} by "
        f"{change.changed_by_name}, {short_time(change.changed_at, zone)}: {change.reason}"
    )


class CustomerDetailsDialog(SaveDialog):
    # Bring back the earlier detail: the change id and the reason typed.
    restore_requested = Signal(object, str)

    def __init__(
        self,
        customer_id: uuid.UUID,
        customer_name: str,
        current: dict[str, str | None],
        history: list[DetailChangeRecord],
        zone: tzinfo | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.customer_id = customer_id
        self.setObjectName("customerDetailsDialog")
        self.setWindowTitle(self.tr("Details of %1").replace("%1", customer_name))
        self._before = {field: shown_value(field, value) for field, value in current.items()}
        form = QFormLayout()
        self.lines: dict[str, QLineEdit] = {}
        for field, name in LINES:
            edit = QLineEdit(self._before.get(field) or "", self)
            edit.setObjectName(name)
            edit.setAccessibleName(FIELD_WORDS[field].capitalize())
            self.lines[field] = edit
            form.addRow(FIELD_WORDS[field].capitalize(), edit)
        self.channel = QComboBox(self)
        self.channel.setObjectName("detailChannel")
        self.channel.setAccessibleName(self.tr("Preferred channel"))
        for channel in CHANNELS:
            self.channel.addItem(CHANNEL_WORDS[Channel(channel)], channel)
        self.channel.setCurrentIndex(max(self.channel.findData(current.get("preferred_channel")), 0))
        form.addRow(self.tr("Preferred channel"), self.channel)
        self.flags: dict[str, QCheckBox] = {}
        for field, name in FLAGS:
            box = QCheckBox(FIELD_WORDS[field].capitalize(), self)
            box.setObjectName(name)
            box.setChecked(current.get(field) == YES)
            self.flags[field] = box
            form.addRow("", box)
        self.reason = note_edit(self.tr("Reason"), self.tr("Why the details change (required)"), self)
        self.reason.setObjectName("detailsReason")
        form.addRow(self.tr("Reason"), self.reason)
        self.earlier = QListWidget(self)
        self.earlier.setObjectName("earlierDetails")
        self.earlier.setAccessibleName(self.tr("Earlier details"))
        self.earlier.setWordWrap(True)  # who, when and why are read whole, never scrolled to
        self.earlier.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(560)
        for change in history:
            if change.old_value is None:
                continue
            item = QListWidgetItem(history_line(change, zone))
            item.setData(Qt.ItemDataRole.UserRole, str(change.id))
            self.earlier.addItem(item)
        if self.earlier.count():
            self.earlier.setCurrentRow(0)
        self.restore_button = QPushButton(self.tr("Bring back"), self)
        self.restore_button.setObjectName("restoreDetail")
        self.restore_button.setEnabled(self.earlier.count() > 0)
        self.restore_button.clicked.connect(self.restore)
        self.error = ErrorLabel("detailsError", self)
        buttons, self.save_button = button_box(self, self.tr("Save details"))
        self.save_button.clicked.connect(self.submit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("Earlier details"), self))
        layout.addWidget(self.earlier)
        layout.addWidget(self.restore_button)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def changed_values(self) -> dict[str, str | None]:
        """The details whose text differs from what the dialog opened with, as typed."""
        typed: dict[str, str | None] = {field: edit.text() for field, edit in self.lines.items()}
        typed["preferred_channel"] = str(self.channel.currentData())
        for field, box in self.flags.items():
            typed[field] = YES if box.isChecked() else NO
        return {
            field: value for field, value in typed.items() if (value or "") != (self._before.get(field) or "")
        }

    def payload(self) -> DetailsRequest:
        values = self.changed_values()
        reason = self.reason.toPlainText()
        if not values:
            raise ValueError(self.tr("nothing has changed"))
        check_reason(reason)
        for field, value in values.items():
            check_value(field, value)
        return DetailsRequest(values, reason)

    def restore(self) -> None:
        row = self.earlier.currentRow()
        if row < 0:
            return
        item = self.earlier.item(row)
        try:
            reason = check_reason(self.reason.toPlainText())
        except ValueError as error:
            self.show_error(str(error))
            return
        self.error.say("")
        self.restore_button.setEnabled(False)
        self.restore_requested.emit(uuid.UUID(str(item.data(Qt.ItemDataRole.UserRole))), reason)

    def show_error(self, text: str) -> None:
        super().show_error(text)
        self.restore_button.setEnabled(self.earlier.count() > 0)
        self.error.say(sentence(text))
