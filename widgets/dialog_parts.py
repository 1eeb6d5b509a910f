"""Pieces the action dialogs share: the error line next to the fields, local date-time fields, notes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QPoint, Qt, QTime, QTimeZone, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTextEdit,
    QWidget,
)
from typing_extensions import override

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
        if text:
            make_room(self.window())


def make_room(window: QWidget) -> None:
    """Grow a shown window to the height its layout needs at its width: a window does not grow by
    itself for a wrapped line that appears, and squashes its fields (or draws the line over them)."""
    layout = window.layout()
    if layout is None or not isinstance(window, QDialog) or not window.isVisible():
        return
    layout.activate()
    width = window.width()
    needed = layout.totalMinimumSize().height()
    if layout.hasHeightForWidth():
        needed = max(needed, layout.totalHeightForWidth(width))
    if window.height() < needed:
        window.resize(width, needed)


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


# What a person types into or chooses from; a button is not a field (typing there is lost).
_FIELDS = (
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QRadioButton,
    QCheckBox,
)


def is_field(widget: QWidget) -> bool:
    """A field that takes typing or a choice now (editable, enabled, shown)."""
    if not isinstance(widget, _FIELDS) or not widget.isEnabled() or not widget.isVisible():
        return False
    if isinstance(widget.parentWidget(), (QComboBox, QAbstractSpinBox)):
        return False  # the line edit inside a combo or spin box: its owner is the field
    return not (isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit) and widget.isReadOnly())


def focus_first_field(dialog: QDialog) -> None:
    """Unless the dialog chose a field to start in, the focus goes to its first field on screen (top
    to bottom, left to right), not to the first widget made, which is often a button."""
    chosen = dialog.focusWidget()
    if chosen is not None and is_field(chosen):
        return
    fields = [widget for widget in dialog.findChildren(QWidget) if is_field(widget)]
    if fields:
        first = min(
            fields, key=lambda w: (w.mapTo(dialog, QPoint(0, 0)).y(), w.mapTo(dialog, QPoint(0, 0)).x())
        )
        first.setFocus(Qt.FocusReason.TabFocusReason)


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

    @override
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        focus_first_field(self)
