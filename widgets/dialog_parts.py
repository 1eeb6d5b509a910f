"""Pieces the action dialogs share: the error line next to the fields, local date-time fields, notes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, Qt, QTime, QTimeZone, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from console.working_time import local_to_utc
from domain.records import CaseSummary, UserRecord

DATE_TIME_FORMAT = "ddd dd MMM yyyy HH:mm"


class ErrorLabel(QLabel):
    """Says why the dialog could not save, next to the fields; hidden while there is nothing to say.

    A data label: its text is what a screen reader reads, so it has no accessible name.
    """

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def say(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))


def sentence(text: str) -> str:
    """A rule's message as a sentence: `the due time is in the past` -> `The due time is in the past.`"""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def date_time_edit(zone: ZoneInfo, moment: datetime, parent: QWidget | None = None) -> QDateTimeEdit:
    """A field for a wall-clock time in `zone`, starting at `moment`.

    The field itself counts in UTC, so that the workstation's own zone never shifts what the advisor
    typed; `edit_moment` reads it back as a time in `zone`.
    """
    edit = QDateTimeEdit(parent)
    edit.setTimeZone(QTimeZone(QTimeZone.Initialization.UTC))
    edit.setDisplayFormat(DATE_TIME_FORMAT)
    edit.setCalendarPopup(True)
    set_edit_moment(edit, moment, zone)
    return edit


def set_edit_moment(edit: QDateTimeEdit, moment: datetime, zone: ZoneInfo) -> None:
    local = moment.astimezone(zone)
    edit.setDateTime(
        QDateTime(
            QDate(local.year, local.month, local.day),
            QTime(local.hour, local.minute),
            QTimeZone(QTimeZone.Initialization.UTC),
        )
    )


def edit_moment(edit: QDateTimeEdit, zone: ZoneInfo) -> datetime:
    """The wall-clock time in the field, in `zone`, as UTC; LocalTimeError for a time the clocks skip."""
    day, at = edit.date(), edit.time()
    return local_to_utc(date(day.year(), day.month(), day.day()), time(at.hour(), at.minute()), zone)


def next_quarter_hour(moment: datetime, ahead: timedelta) -> datetime:
    """`moment + ahead`, rounded up to the next quarter hour: a time people say out loud."""
    target = moment + ahead
    extra = (15 - target.minute % 15) % 15
    return (target + timedelta(minutes=extra)).replace(second=0, microsecond=0)


def note_edit(spoken_as: str, placeholder: str, parent: QWidget | None = None) -> QPlainTextEdit:
    edit = QPlainTextEdit(parent)
    edit.setAccessibleName(spoken_as)
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 4 + 12)
    return edit


def button_box(dialog: QDialog, save_text: str) -> tuple[QDialogButtonBox, QPushButton]:
    """Save and Cancel; Save does not close the dialog by itself (the owner closes it once saved)."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, dialog)
    save = buttons.addButton(save_text, QDialogButtonBox.ButtonRole.AcceptRole)
    save.setObjectName("saveButton")
    save.setDefault(True)
    buttons.rejected.connect(dialog.reject)
    return buttons, save


def _t(text: str) -> str:
    return QCoreApplication.translate("Dialog", text)


def open_case_combo(
    cases: Sequence[CaseSummary], chosen: uuid.UUID | None, parent: QWidget | None = None
) -> QComboBox:
    """ "No case" and the customer's open cases, `chosen` selected; item data is the case id as text."""
    combo = QComboBox(parent)
    combo.setAccessibleName(_t("Linked case"))
    combo.addItem(_t("No case"), None)
    for case in cases:
        if case.status.is_open:
            combo.addItem(f"{case.reference}: {case.title}", str(case.id))
    if chosen is not None:
        combo.setCurrentIndex(max(combo.findData(str(chosen)), 0))
    return combo


def colleague_combo(
    colleagues: Sequence[UserRecord], leaving_out: uuid.UUID | None, spoken_as: str, parent: QWidget
) -> QComboBox:
    """Colleagues to give something to, by name, without its present owner; item data is the id as text."""
    combo = QComboBox(parent)
    combo.setAccessibleName(spoken_as)
    for person in colleagues:
        if person.id != leaving_out:
            combo.addItem(person.display_name, str(person.id))
    return combo


class SaveDialog(QDialog):
    """A dialog that hands what was typed to its window to save, and shows why a save was refused.

    Subclasses set `error` and `save_button` and implement `payload()`; a ValueError from it is a
    field error shown at once, with nothing sent. The window answers with saved() or show_error().
    """

    # What was typed, ready to save; the dialog stays open until saved() is called.
    save_requested = Signal(object)
    error: ErrorLabel
    save_button: QPushButton

    def payload(self) -> object:
        raise NotImplementedError

    def submit(self) -> None:
        try:
            value = self.payload()
        except ValueError as error:
            self.show_error(str(error))
            return
        self.error.say("")
        self.save_button.setEnabled(False)
        self.save_requested.emit(value)

    def show_error(self, text: str) -> None:
        """The save was refused: say why, keep the dialog and everything typed."""
        self.save_button.setEnabled(True)
        self.error.say(sentence(text))

    def saved(self) -> None:
        self.accept()
