"""Making a promise and recording how one ended: two dialogs that say what is wrong next to the fields.

Neither dialog saves anything itself: Save emits `save_requested` with what the advisor asked for, the
window runs the service off the UI thread, then either closes the dialog (`saved()`) or shows the
rule's message in it (`show_error()`), keeping everything typed. Opened with `open()`, never `exec()`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from console.clock import Clock
from console.normalise import format_phone
from console.promise_rules import Outcome, countdown, quick_picks
from console.working_time import WorkingHours
from domain.records import CaseSummary, PromiseRecord
from domain.vocabulary import PromiseKind, PromiseStatus
from widgets.dialog_parts import (
    ErrorLabel,
    SaveDialog,
    button_box,
    date_time_edit,
    edit_moment,
    note_edit,
    open_case_combo,
    set_edit_moment,
)
from widgets.promise_text import PROMISABLE_KINDS, clock_time, kind_label, short_time


@dataclass(frozen=True)
class PromiseRequest:
    """What the advisor asked to promise; the service checks it against the rules."""

    kind: PromiseKind
    due_at: datetime
    window_end_at: datetime | None
    phone: str
    note: str
    case_id: uuid.UUID | None


class PromiseDialog(SaveDialog):
    """Kind, linked case, due time (quick picks or a set time and window), number to call, note."""

    def __init__(
        self,
        customer_id: uuid.UUID,
        customer_name: str,
        phone_e164: str | None,
        cases: Sequence[CaseSummary],
        clock: Clock,
        zone: ZoneInfo,
        *,
        kind: PromiseKind = PromiseKind.CALLBACK,
        case_id: uuid.UUID | None = None,
        parent: QWidget | None = None,
        hours: WorkingHours | None = None,
    ) -> None:
        """`hours`: the team's working hours, within which the suggested times fall."""
        super().__init__(parent)
        self.setObjectName("promiseDialog")
        self.customer_id = customer_id
        self.setWindowTitle(self.tr("Make a promise to %1").replace("%1", customer_name))
        self._clock = clock
        self._zone = zone
        self._hours = hours or WorkingHours()
        now = clock.now()

        self.kind_combo = QComboBox(self)
        self.kind_combo.setAccessibleName(self.tr("Kind of promise"))
        for choice in PROMISABLE_KINDS:
            self.kind_combo.addItem(kind_label(choice), choice.value)
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(kind.value), 0))

        self.case_combo = open_case_combo(cases, case_id, self)

        due_box = self._due_box(now, zone)

        self.phone_edit = QLineEdit(format_phone(phone_e164) if phone_e164 else "", self)
        self.phone_edit.setAccessibleName(self.tr("Phone number to call"))
        self.phone_edit.setPlaceholderText(self.tr("No number on file: ask the customer for one"))
        self.note_edit = note_edit(
            self.tr("Note"), self.tr("What was promised, in the customer's words if you can"), self
        )

        self.error = ErrorLabel("promiseError", self)
        self.buttons, self.save_button = button_box(self, self.tr("Make promise"))
        self.buttons.accepted.connect(self.submit)

        form = QFormLayout()
        form.addRow(self.tr("&Promise:"), self.kind_combo)
        form.addRow(self.tr("&Case:"), self.case_combo)
        form.addRow(self.tr("Due:"), due_box)
        form.addRow(self.tr("P&hone to call:"), self.phone_edit)
        form.addRow(self.tr("&Note:"), self.note_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self.due_group.idToggled.connect(self._due_choice_changed)
        self.window_check.toggled.connect(self._due_choice_changed)
        self._due_choice_changed()
        self.kind_combo.setFocus(Qt.FocusReason.OtherFocusReason)

    def _due_box(self, now: datetime, zone: ZoneInfo) -> QWidget:
        """Due: the quick picks, or a set time with an optional window end."""
        self.due_group = QButtonGroup(self)
        self.pick_buttons: list[QRadioButton] = []
        picks = quick_picks(now, zone, self._hours)
        tomorrow = now.astimezone(zone).date() + timedelta(days=1)
        morning = (
            self.tr("Tomorrow morning, 9–12")
            if picks[2].due_at.astimezone(zone).date() == tomorrow
            else self.tr("Next working morning, 9–12")
        )
        labels = [self.tr("In 1 hour"), self.tr("In 2 hours"), morning]
        due_box = QWidget(self)
        due_layout = QGridLayout(due_box)
        due_layout.setContentsMargins(0, 0, 0, 0)
        for number, (label, pick) in enumerate(zip(labels, picks, strict=True)):
            when = short_time(pick.due_at, zone)
            if pick.window_end_at is not None:
                when = f"{when}–{clock_time(pick.window_end_at, zone)}"
            button = QRadioButton(f"{label}  ({when})", due_box)
            self.due_group.addButton(button, number)
            self.pick_buttons.append(button)
            due_layout.addWidget(button, number, 0, 1, 2)
        self.custom_button = QRadioButton(self.tr("At a set time:"), due_box)
        self.due_group.addButton(self.custom_button, len(self.pick_buttons))
        suggested = self._hours.next_sensible(now, timedelta(hours=1))
        self.custom_due = date_time_edit(zone, suggested, due_box)
        self.custom_due.setAccessibleName(self.tr("Due at"))
        self.window_check = QCheckBox(self.tr("Window until:"), due_box)
        self.window_end = date_time_edit(zone, suggested + timedelta(hours=2), due_box)
        self.window_end.setAccessibleName(self.tr("Window ends at"))
        row = len(self.pick_buttons)
        due_layout.addWidget(self.custom_button, row, 0)
        due_layout.addWidget(self.custom_due, row, 1)
        due_layout.addWidget(self.window_check, row + 1, 0)
        due_layout.addWidget(self.window_end, row + 1, 1)
        # "In 1 hour" only while the team works then; at night the set time, at the next opening.
        if self._hours.is_open_at(picks[0].due_at):
            self.pick_buttons[0].setChecked(True)
        else:
            self.custom_button.setChecked(True)
        return due_box

    def _due_choice_changed(self, *_: object) -> None:
        custom = self.custom_button.isChecked()
        self.custom_due.setEnabled(custom)
        self.window_check.setEnabled(custom)
        self.window_end.setEnabled(custom and self.window_check.isChecked())

    def choose_quick_pick(self, number: int) -> None:
        self.pick_buttons[number].setChecked(True)

    def choose_time(self, due_at: datetime, window_end_at: datetime | None = None) -> None:
        """Fill the set-time fields as the advisor would type them (in the workstation's zone)."""
        self.custom_button.setChecked(True)
        set_edit_moment(self.custom_due, due_at, self._zone)
        self.window_check.setChecked(window_end_at is not None)
        if window_end_at is not None:
            set_edit_moment(self.window_end, window_end_at, self._zone)

    def set_kind(self, kind: PromiseKind) -> None:
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind.value))

    @override
    def payload(self) -> PromiseRequest:
        return self.request()

    def request(self) -> PromiseRequest:
        """What the fields say; ValueError (with words for the advisor) for a time that does not exist."""
        pick = self.due_group.checkedId()
        if 0 <= pick < len(self.pick_buttons):
            # Worked out now, not when the dialog opened: "in 1 hour" means from the moment of saving.
            chosen = quick_picks(self._clock.now(), self._zone, self._hours)[pick]
            due_at, window_end_at = chosen.due_at, chosen.window_end_at
        else:
            due_at = edit_moment(self.custom_due, self._zone)
            window_end_at = (
                edit_moment(self.window_end, self._zone) if self.window_check.isChecked() else None
            )
        case = self.case_combo.currentData()
        return PromiseRequest(
            kind=PromiseKind(self.kind_combo.currentData()),
            due_at=due_at,
            window_end_at=window_end_at,
            phone=self.phone_edit.text().strip(),
            note=self.note_edit.toPlainText().strip(),
            case_id=uuid.UUID(case) if case else None,
        )


class OutcomeDialog(SaveDialog):
    """A promise ends only with an outcome: done, not reachable (try again when?) or rescheduled."""

    def __init__(
        self,
        promise: PromiseRecord,
        clock: Clock,
        zone: ZoneInfo,
        parent: QWidget | None = None,
        hours: WorkingHours | None = None,
    ) -> None:
        """`hours`: the team's working hours, within which the suggested next attempt falls."""
        super().__init__(parent)
        self.setObjectName("outcomeDialog")
        self.promise = promise
        self._clock = clock
        self._zone = zone
        now = clock.now()
        self.setWindowTitle(self.tr("Record the outcome of a promise"))

        about = QLabel(
            self.tr("%1 for %2, due %3 (%4)")
            .replace("%1", kind_label(promise.kind))
            .replace("%2", promise.customer_name)
            .replace("%3", short_time(promise.due_at, zone))
            .replace("%4", countdown(promise.due_at, now)),
            self,
        )
        about.setObjectName("outcomeAbout")
        about.setWordWrap(True)

        self.status_group = QButtonGroup(self)
        self.done_button = QRadioButton(self.tr("&Done"), self)
        self.not_reachable_button = QRadioButton(self.tr("Customer &not reachable"), self)
        self.rescheduled_button = QRadioButton(self.tr("&Rescheduled"), self)
        self._statuses = {
            PromiseStatus.DONE: self.done_button,
            PromiseStatus.NOT_REACHABLE: self.not_reachable_button,
            PromiseStatus.RESCHEDULED: self.rescheduled_button,
        }
        status_row = QHBoxLayout()
        for number, button in enumerate(self._statuses.values()):
            self.status_group.addButton(button, number)
            status_row.addWidget(button)
        status_row.addStretch(1)
        self.done_button.setChecked(True)

        self.text_label = QLabel(self)
        self.text_edit = note_edit(self.tr("What happened"), "", self)
        self.text_label.setBuddy(self.text_edit)

        self.next_label = QLabel(self.tr("Next &attempt:"), self)
        next_at = (hours or WorkingHours()).next_sensible(now, timedelta(hours=1))
        self.next_attempt = date_time_edit(zone, next_at, self)
        self.next_attempt.setAccessibleName(self.tr("Next attempt at"))
        self.next_label.setBuddy(self.next_attempt)

        told_box = self._told_row()

        self.error = ErrorLabel("outcomeError", self)
        self.buttons, self.save_button = button_box(self, self.tr("Record outcome"))
        self.buttons.accepted.connect(self.submit)

        form = QFormLayout()
        form.addRow(self.text_label, self.text_edit)
        form.addRow(self.next_label, self.next_attempt)
        form.addRow(told_box)  # the whole width: the question is long
        self._told_box = told_box
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addLayout(status_row)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self.status_group.idToggled.connect(self._status_changed)
        self._status_changed()
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)

    def _told_row(self) -> QWidget:
        """Whether the customer was told the new time (a rescheduled promise): the question, yes, no."""
        self.told_label = QLabel(self.tr("Customer was told the new time:"))
        self.told_group = QButtonGroup(self)
        self.told_yes = QRadioButton(self.tr("&Yes"), self)
        self.told_no = QRadioButton(self.tr("N&o"), self)
        self.told_yes.setAccessibleName(self.tr("Customer was told the new time"))
        self.told_no.setAccessibleName(self.tr("Customer was not told the new time"))
        self.told_group.addButton(self.told_yes, 1)
        self.told_group.addButton(self.told_no, 0)
        told_box = QWidget(self)
        told_row = QHBoxLayout(told_box)
        told_row.setContentsMargins(0, 0, 0, 0)
        told_row.addWidget(self.told_yes)
        told_row.addWidget(self.told_no)
        told_row.addStretch(1)
        told_row.insertWidget(0, self.told_label)
        return told_box

    @property
    def status(self) -> PromiseStatus:
        for status, button in self._statuses.items():
            if button.isChecked():
                return status
        return PromiseStatus.DONE

    def set_status(self, status: PromiseStatus) -> None:
        self._statuses[status].setChecked(True)

    def _status_changed(self, *_: object) -> None:
        status = self.status
        texts = {
            PromiseStatus.DONE: (self.tr("&What happened:"), self.tr("What you did, what the customer said")),
            PromiseStatus.NOT_REACHABLE: (self.tr("&Notes:"), self.tr("How you tried (optional)")),
            PromiseStatus.RESCHEDULED: (self.tr("&Reason:"), self.tr("Why it moves (required)")),
        }
        label, placeholder = texts[status]
        self.text_label.setText(label)
        self.text_edit.setPlaceholderText(placeholder)
        self.text_edit.setAccessibleName(label.replace("&", "").rstrip(":"))
        follow_up = status is not PromiseStatus.DONE
        self.next_label.setEnabled(follow_up)
        self.next_attempt.setEnabled(follow_up)
        rescheduled = status is PromiseStatus.RESCHEDULED
        self.next_label.setText(self.tr("New &time:") if rescheduled else self.tr("Next &attempt:"))
        self._told_box.setVisible(rescheduled)

    @override
    def payload(self) -> Outcome:
        return self.outcome()

    def outcome(self) -> Outcome:
        status = self.status
        next_at = None
        if status is not PromiseStatus.DONE:
            next_at = edit_moment(self.next_attempt, self._zone)
        told: bool | None = None
        if status is PromiseStatus.RESCHEDULED and self.told_group.checkedId() >= 0:
            told = self.told_group.checkedId() == 1
        return Outcome(status, self.text_edit.toPlainText().strip(), next_at, told)
