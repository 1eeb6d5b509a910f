"""Service dates… on a case: when a loss of service was reported and restored, when a new service
was promised and started, the engineer appointment and whether it was kept, and any delay the
customer caused. The dates the automatic compensation scheme is worked out from."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from console.compensation import (
    APPOINTMENT_KINDS,
    DELAYED_START_KINDS,
    LOSS_OF_SERVICE_KINDS,
    MAX_DELAY_DAYS,
    MAX_DELAY_REASON,
    ServiceFacts,
)
from domain.records import CaseServiceDates
from widgets.dialog_parts import ErrorLabel, SaveDialog, button_box, date_time_edit, edit_moment

DATE_FORMAT = "ddd dd MMM yyyy"


class Appointment(StrEnum):
    KEPT = "kept"
    MISSED = "missed"
    CANCELLED = "cancelled"


def _date_edit(day: date, parent: QWidget) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day), parent)
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setCalendarPopup(True)
    return edit


def _edit_date(edit: QDateEdit) -> date:
    day = edit.date()
    return date(day.year(), day.month(), day.day())


def _switch(text: str, on: bool, fields: list[QWidget], parent: QWidget) -> QCheckBox:
    """A tick box that enables `fields` while ticked."""
    box = QCheckBox(text, parent)
    box.setChecked(on)
    for field in fields:
        field.setEnabled(on)
        box.toggled.connect(field.setEnabled)
    return box


class ServiceDatesDialog(SaveDialog):
    """Only the sections the case's kind can use; Save hands a ServiceFacts to the window."""

    def __init__(
        self, dates: CaseServiceDates, zone: ZoneInfo, now: datetime, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("serviceDatesDialog")
        self.dates = dates
        self._zone = zone
        self.setWindowTitle(self.tr("Service dates for %1").replace("%1", dates.reference))
        today = now.astimezone(zone).date()
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "%1: %2. The automatic compensation scheme is worked out from these dates: a repair "
                "is due by the end of the 2nd full working day after the report, a new service on "
                "its promised date, an engineer at the appointment."
            )
            .replace("%1", dates.reference)
            .replace("%2", dates.title),
            self,
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.reported_edit: QDateTimeEdit | None = None
        self.restored_check: QCheckBox | None = None
        self.restored_edit: QDateTimeEdit | None = None
        if dates.kind in LOSS_OF_SERVICE_KINDS:
            self._loss_of_service(layout, dates, zone, now)

        self.promised_check: QCheckBox | None = None
        self.promised_edit: QDateEdit | None = None
        self.started_check: QCheckBox | None = None
        self.started_edit: QDateEdit | None = None
        if dates.kind in DELAYED_START_KINDS:
            self._new_service(layout, dates, today)

        self.appointment_check: QCheckBox | None = None
        self.appointment_edit: QDateTimeEdit | None = None
        self.outcome_combo: QComboBox | None = None
        self.notice_edit: QDateTimeEdit | None = None
        if dates.kind in APPOINTMENT_KINDS:
            self._appointment(layout, dates, zone, now)
        self._customer_delay(layout, dates)

        self.error = ErrorLabel("serviceDatesError", self)
        self.buttons, self.save_button = button_box(self, self.tr("Save dates"))
        self.buttons.accepted.connect(self.submit)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def _loss_of_service(
        self, layout: QVBoxLayout, dates: CaseServiceDates, zone: ZoneInfo, now: datetime
    ) -> None:
        group = QGroupBox(self.tr("Loss of service"), self)
        self.reported_edit = date_time_edit(zone, dates.reported_at or dates.opened_at, group)
        self.reported_edit.setAccessibleName(self.tr("Loss of service reported at"))
        self.restored_edit = date_time_edit(zone, dates.restored_at or now, group)
        self.restored_edit.setAccessibleName(self.tr("Service restored at"))
        self.restored_check = _switch(
            self.tr("Restored"), dates.restored_at is not None, [self.restored_edit], group
        )
        form = QFormLayout(group)
        form.addRow(self.tr("&Reported:"), self.reported_edit)
        form.addRow(self.restored_check, self.restored_edit)
        layout.addWidget(group)

    def _new_service(self, layout: QVBoxLayout, dates: CaseServiceDates, today: date) -> None:
        group = QGroupBox(self.tr("New service"), self)
        self.promised_edit = _date_edit(dates.promised_start_on or today, group)
        self.promised_edit.setAccessibleName(self.tr("Promised start date"))
        self.promised_check = _switch(
            self.tr("Start date promised"),
            dates.promised_start_on is not None,
            [self.promised_edit],
            group,
        )
        self.started_edit = _date_edit(dates.started_on or today, group)
        self.started_edit.setAccessibleName(self.tr("Date the service started"))
        self.started_check = _switch(
            self.tr("Started"), dates.started_on is not None, [self.started_edit], group
        )
        form = QFormLayout(group)
        form.addRow(self.promised_check, self.promised_edit)
        form.addRow(self.started_check, self.started_edit)
        layout.addWidget(group)

    def _appointment(
        self, layout: QVBoxLayout, dates: CaseServiceDates, zone: ZoneInfo, now: datetime
    ) -> None:
        group = QGroupBox(self.tr("Engineer appointment"), self)
        self.appointment_edit = date_time_edit(zone, dates.appointment_at or now, group)
        self.appointment_edit.setAccessibleName(self.tr("Appointment time"))
        self.outcome_combo = QComboBox(group)
        self.outcome_combo.setAccessibleName(self.tr("What happened to the appointment"))
        self.outcome_combo.addItem(self.tr("Kept, or still to come"), Appointment.KEPT.value)
        self.outcome_combo.addItem(self.tr("Engineer did not come"), Appointment.MISSED.value)
        self.outcome_combo.addItem(self.tr("We cancelled it"), Appointment.CANCELLED.value)
        outcome = (
            Appointment.MISSED
            if dates.appointment_missed
            else Appointment.CANCELLED
            if dates.cancellation_notice_at is not None
            else Appointment.KEPT
        )
        self.outcome_combo.setCurrentIndex(self.outcome_combo.findData(outcome.value))
        self.notice_edit = date_time_edit(zone, dates.cancellation_notice_at or now, group)
        self.notice_edit.setAccessibleName(self.tr("When the cancellation was given"))
        self.appointment_check = _switch(
            self.tr("Booked"),
            dates.appointment_at is not None,
            [self.appointment_edit, self.outcome_combo],
            group,
        )
        self.appointment_check.toggled.connect(self._update_notice)
        self.outcome_combo.currentIndexChanged.connect(self._update_notice)
        form = QFormLayout(group)
        form.addRow(self.appointment_check, self.appointment_edit)
        form.addRow(self.tr("&Outcome:"), self.outcome_combo)
        form.addRow(self.tr("&Notice given:"), self.notice_edit)
        layout.addWidget(group)
        self._update_notice()

    def _customer_delay(self, layout: QVBoxLayout, dates: CaseServiceDates) -> None:
        group = QGroupBox(self.tr("Delay the customer caused"), self)
        self.delay_days = QSpinBox(group)
        self.delay_days.setRange(0, MAX_DELAY_DAYS)
        self.delay_days.setValue(dates.customer_delay_days)
        self.delay_days.setSuffix(self.tr(" days"))
        self.delay_days.setAccessibleName(self.tr("Days of delay the customer caused"))
        self.delay_reason = QLineEdit(dates.customer_caused_delay or "", group)
        self.delay_reason.setMaxLength(MAX_DELAY_REASON)
        self.delay_reason.setAccessibleName(self.tr("How the customer caused the delay"))
        self.delay_reason.setPlaceholderText(self.tr("e.g. the customer declined the earliest slot"))
        form = QFormLayout(group)
        form.addRow(self.tr("&Days:"), self.delay_days)
        form.addRow(self.tr("&Why:"), self.delay_reason)
        layout.addWidget(group)

    def _update_notice(self, *_: object) -> None:
        if self.notice_edit is None or self.outcome_combo is None or self.appointment_check is None:
            return
        cancelled = self.outcome_combo.currentData() == Appointment.CANCELLED.value
        self.notice_edit.setEnabled(self.appointment_check.isChecked() and cancelled)

    def _moment(self, edit: QDateTimeEdit | None, check: QCheckBox | None = None) -> datetime | None:
        if edit is None or (check is not None and not check.isChecked()):
            return None
        return edit_moment(edit, self._zone)

    @staticmethod
    def _day(edit: QDateEdit | None, check: QCheckBox | None) -> date | None:
        if edit is None or check is None or not check.isChecked():
            return None
        return _edit_date(edit)

    @override
    def payload(self) -> ServiceFacts:
        booked = self.appointment_check is not None and self.appointment_check.isChecked()
        outcome = self.outcome_combo.currentData() if self.outcome_combo is not None and booked else None
        return ServiceFacts(
            kind=self.dates.kind,
            reported_at=self._moment(self.reported_edit),
            restored_at=self._moment(self.restored_edit, self.restored_check),
            promised_start=self._day(self.promised_edit, self.promised_check),
            started_on=self._day(self.started_edit, self.started_check),
            appointment_at=self._moment(self.appointment_edit, self.appointment_check),
            appointment_missed=outcome == Appointment.MISSED.value,
            cancellation_notice_at=(
                self._moment(self.notice_edit) if outcome == Appointment.CANCELLED.value else None
            ),
            customer_delay_days=self.delay_days.value(),
            customer_delay_reason=self.delay_reason.text().strip() or None,
        )
