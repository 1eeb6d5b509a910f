"""The four dialogs that write down the call in hand: wrap-up, a contact logged by hand, a new case
and progress on a case. None saves anything itself: Save emits `save_requested` with what was typed
(checked first by the console's rules, so a bad field is named at once and nothing is sent); the
controller runs the service and answers with `saved()` or `show_error()`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from console.case_groups import kind_label, kinds_in_order
from console.case_rules import MAX_TITLE, check_case_words, check_new_case, progress_update
from console.contact_reasons import ReasonList
from console.contact_rules import (
    CHANNEL_WORDS,
    LOGGED_CHANNELS,
    ContactEntry,
    ContactRuleError,
    WrapUp,
    check_summary,
    check_wrap_up,
    duration_words,
)
from console.normalise import format_phone
from domain.records import CaseSummary, WrapUpDraftRecord
from domain.vocabulary import CaseKind, Channel, Direction
from widgets.dialog_parts import (
    ErrorLabel,
    SaveDialog,
    button_box,
    date_time_edit,
    edit_moment,
    next_quarter_hour,
    note_edit,
    open_case_combo,
)

# The wrap-up's case combo: the item that opens the new-case dialog.
NEW_CASE = "new"


def _width(dialog: QWidget, characters: int) -> None:
    dialog.setMinimumWidth(dialog.fontMetrics().averageCharWidth() * characters)


def _case_id(combo: QComboBox) -> uuid.UUID | None:
    data = combo.currentData()
    return uuid.UUID(data) if data and data != NEW_CASE else None


def _clock_time(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


class WrapUpDialog(SaveDialog):
    """When a call ends: the reason from the coded list, a note, and the case it was about (or a new
    one). Every edit is announced (`edited`) so the draft is kept; Later keeps it for another time."""

    # The wrap-up as typed so far (a WrapUpDraftRecord): keep it.
    edited = Signal(object)
    # "New case…" was chosen: open the new-case dialog prefilled (carries a NewCasePrefill).
    new_case_requested = Signal(object)

    def __init__(
        self,
        draft: WrapUpDraftRecord,
        reasons: ReasonList,
        cases: Sequence[CaseSummary],
        zone: ZoneInfo,
        *,
        customer_name: str = "",
        restored: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("wrapUpDialog")
        self.draft = draft
        self.reasons = reasons
        title = self.tr("Wrap up the call with %1") if customer_name else self.tr("Wrap up the call")
        self.setWindowTitle(title.replace("%1", customer_name))

        seconds = max(int((draft.ended_at - draft.started_at).total_seconds()), 0)
        call = self.tr("Call %1–%2 (%3)").replace("%1", _clock_time(draft.started_at, zone))
        call = call.replace("%2", _clock_time(draft.ended_at, zone)).replace("%3", duration_words(seconds))
        if draft.number:
            call += f", {format_phone(draft.number)}"  # as the call strip says it
        self.call_label = QLabel(call, self)
        self.call_label.setObjectName("wrapUpCall")
        self.restored_label = QLabel(self.tr("Restored: this wrap-up was not saved before."), self)
        self.restored_label.setObjectName("wrapUpRestored")
        self.restored_label.setVisible(restored)

        self.reason_combo = QComboBox(self)
        self.reason_combo.setObjectName("contactReason")
        self.reason_combo.setAccessibleName(self.tr("Contact reason"))
        self.reason_combo.addItem(self.tr("Choose a reason…"), None)
        for reason in reasons.reasons:
            self.reason_combo.addItem(reason.words, reason.code)
        self.reasons_problem = ErrorLabel("contactReasonProblem", self)
        if reasons.problem:
            self.reasons_problem.say(
                self.tr(
                    "The list of contact reasons cannot be used (%1): the call is saved without a reason."
                ).replace("%1", reasons.problem)
            )
            self.reason_combo.setEnabled(False)

        self.note_edit = note_edit(
            self.tr("Call note"), self.tr("What the customer wanted, what you did, what happens next"), self
        )
        self.note_edit.setObjectName("contactNote")

        self.case_combo = open_case_combo(cases, None, self)
        self.case_combo.setObjectName("wrapUpCase")
        self.case_combo.setAccessibleName(self.tr("Case the call was about"))
        self.case_combo.addItem(self.tr("New case…"), NEW_CASE)
        self._last_case_index = 0

        self.error = ErrorLabel("wrapUpError", self)
        self.buttons, self.save_button = button_box(self, self.tr("Save"))
        later = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        later.setText(self.tr("Later"))
        later.setObjectName("laterButton")
        later.setToolTip(self.tr("Keep this wrap-up as a draft and come back to it"))
        self.buttons.accepted.connect(self.submit)

        form = QFormLayout()
        form.addRow(self.tr("&Reason:"), self.reason_combo)
        form.addRow(self.tr("&Note:"), self.note_edit)
        form.addRow(self.tr("&Case:"), self.case_combo)
        layout = QVBoxLayout(self)
        layout.addWidget(self.call_label)
        layout.addWidget(self.restored_label)
        layout.addWidget(self.reasons_problem)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        _width(self, 64)

        self._restore(draft)
        self.reason_combo.currentIndexChanged.connect(self._changed)
        self.note_edit.textChanged.connect(self._changed)
        self.case_combo.currentIndexChanged.connect(self._case_chosen)

    def _restore(self, draft: WrapUpDraftRecord) -> None:
        if draft.reason_code:
            self.reason_combo.setCurrentIndex(max(self.reason_combo.findData(draft.reason_code), 0))
        self.note_edit.setPlainText(draft.note)
        if draft.case_id is not None:
            self.case_combo.setCurrentIndex(max(self.case_combo.findData(str(draft.case_id)), 0))
        self._last_case_index = self.case_combo.currentIndex()

    def current(self) -> WrapUpDraftRecord:
        """The wrap-up as typed now (a draft: nothing checked)."""
        return WrapUpDraftRecord(
            id=self.draft.id,
            customer_id=self.draft.customer_id,
            number=self.draft.number,
            started_at=self.draft.started_at,
            ended_at=self.draft.ended_at,
            reason_code=self.reason_combo.currentData(),
            note=self.note_edit.toPlainText(),
            case_id=_case_id(self.case_combo),
        )

    def _changed(self) -> None:
        self.edited.emit(self.current())

    def _case_chosen(self, index: int) -> None:
        if self.case_combo.itemData(index) == NEW_CASE:
            note = self.note_edit.toPlainText().strip()
            words = self.reasons.words_for(self.reason_combo.currentData()) or ""
            self.new_case_requested.emit(NewCasePrefill(title=words, reported=note))
            return
        self._last_case_index = index
        self._changed()

    def new_case_cancelled(self) -> None:
        """The new-case dialog was closed without a case: back to what was chosen before."""
        self.case_combo.setCurrentIndex(self._last_case_index)

    def add_case(self, case: CaseSummary) -> None:
        """The case just opened from here: listed and chosen."""
        # Quietly: the insert moves the current item ("New case…"), which must not ask for another.
        with QSignalBlocker(self.case_combo):
            self.case_combo.insertItem(
                self.case_combo.count() - 1, f"{case.reference}: {case.title}", str(case.id)
            )
        self.case_combo.setCurrentIndex(self.case_combo.findData(str(case.id)))

    @override
    def payload(self) -> WrapUp:
        draft = self.current()
        wrap = WrapUp(
            customer_id=draft.customer_id,
            started_at=draft.started_at,
            ended_at=draft.ended_at,
            reason_code=draft.reason_code,
            note=draft.note,
            case_id=draft.case_id,
            number=draft.number,
            draft_id=draft.id,
        )
        try:
            check_wrap_up(wrap, self.reasons)
        except ContactRuleError as error:
            (self.reason_combo if "reason" in str(error) else self.note_edit).setFocus()
            raise
        return wrap


class LogContactDialog(SaveDialog):
    """A contact that did not come through the phone strip: channel, direction, summary, case."""

    def __init__(
        self,
        customer_id: uuid.UUID,
        cases: Sequence[CaseSummary],
        *,
        case_id: uuid.UUID | None = None,
        customer_name: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("logContactDialog")
        self.customer_id = customer_id
        title = self.tr("Log a contact with %1") if customer_name else self.tr("Log a contact")
        self.setWindowTitle(title.replace("%1", customer_name))

        self.channel_combo = QComboBox(self)
        self.channel_combo.setObjectName("contactChannel")
        self.channel_combo.setAccessibleName(self.tr("Channel"))
        for channel in LOGGED_CHANNELS:
            self.channel_combo.addItem(CHANNEL_WORDS[channel], channel.value)
        self.channel_combo.setCurrentIndex(self.channel_combo.findData(Channel.EMAIL.value))
        self.direction_combo = QComboBox(self)
        self.direction_combo.setObjectName("contactDirection")
        self.direction_combo.setAccessibleName(self.tr("Direction"))
        self.direction_combo.addItem(self.tr("From the customer"), Direction.INBOUND.value)
        self.direction_combo.addItem(self.tr("To the customer"), Direction.OUTBOUND.value)
        self.summary_edit = note_edit(
            self.tr("Contact summary"), self.tr("What was said or sent, in a few lines"), self
        )
        self.summary_edit.setObjectName("contactSummary")
        self.case_combo = open_case_combo(cases, case_id, self)
        self.case_combo.setObjectName("contactCase")

        self.error = ErrorLabel("contactError", self)
        self.buttons, self.save_button = button_box(self, self.tr("Log contact"))
        self.buttons.accepted.connect(self.submit)
        form = QFormLayout()
        form.addRow(self.tr("C&hannel:"), self.channel_combo)
        form.addRow(self.tr("&Direction:"), self.direction_combo)
        form.addRow(self.tr("&Summary:"), self.summary_edit)
        form.addRow(self.tr("&Case:"), self.case_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        _width(self, 60)

    @override
    def payload(self) -> ContactEntry:
        try:
            summary = check_summary(self.summary_edit.toPlainText())
        except ContactRuleError:
            self.summary_edit.setFocus()
            raise
        return ContactEntry(
            customer_id=self.customer_id,
            channel=Channel(self.channel_combo.currentData()),
            direction=Direction(self.direction_combo.currentData()),
            summary=summary,
            case_id=_case_id(self.case_combo),
        )


@dataclass(frozen=True)
class NewCasePrefill:
    """What the new-case dialog starts with (from a wrap-up: the reason's words and the note)."""

    title: str = ""
    reported: str = ""
    kind: CaseKind | None = None


@dataclass(frozen=True)
class NewCaseRequest:
    customer_id: uuid.UUID
    kind: CaseKind
    title: str
    reported: str | None
    next_step: str | None
    target_at: datetime | None


class NewCaseDialog(SaveDialog):
    """Kind, title, what the customer reported in their words, the next step and a target; the
    advisor who saves it owns it."""

    def __init__(
        self,
        customer_id: uuid.UUID,
        now: datetime,
        zone: ZoneInfo,
        *,
        prefill: NewCasePrefill | None = None,
        customer_name: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("newCaseDialog")
        self.customer_id = customer_id
        self._now = now
        self._zone = zone
        prefill = prefill or NewCasePrefill()
        title = self.tr("New case for %1") if customer_name else self.tr("New case")
        self.setWindowTitle(title.replace("%1", customer_name))

        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("caseKind")
        self.kind_combo.setAccessibleName(self.tr("Kind of case"))
        self.kind_combo.setToolTip(
            self.tr("Fault, order, billing, complaint, move or other: type the first letters")
        )
        for kind in kinds_in_order():
            self.kind_combo.addItem(kind_label(kind), kind.value)
        if prefill.kind is not None:
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(prefill.kind.value))
        self.title_edit = QLineEdit(prefill.title, self)
        self.title_edit.setObjectName("caseTitle")
        self.title_edit.setAccessibleName(self.tr("Case title"))
        self.title_edit.setPlaceholderText(self.tr("What is wrong, in a line"))
        self.title_edit.setMaxLength(MAX_TITLE * 2)  # longer is refused with words, not cut silently
        self.reported_edit = note_edit(
            self.tr("What the customer reported"), self.tr("In the customer's own words"), self
        )
        self.reported_edit.setObjectName("caseReported")
        self.reported_edit.setPlainText(prefill.reported)
        self.next_step_edit = QLineEdit(self)
        self.next_step_edit.setObjectName("caseNextStep")
        self.next_step_edit.setAccessibleName(self.tr("Next step"))
        self.next_step_edit.setPlaceholderText(self.tr("Who does what next"))
        self.target_check = QCheckBox(self.tr("Target:"), self)
        self.target_check.setObjectName("caseHasTarget")
        self.target_check.setChecked(True)
        self.target_edit = date_time_edit(zone, next_quarter_hour(now, timedelta(days=2)), self)
        self.target_edit.setObjectName("caseTarget")
        self.target_edit.setAccessibleName(self.tr("Target date"))
        self.target_check.toggled.connect(self.target_edit.setEnabled)
        owner = QLabel(self.tr("You will own this case."), self)
        owner.setObjectName("caseOwnerNote")

        self.error = ErrorLabel("newCaseError", self)
        self.buttons, self.save_button = button_box(self, self.tr("Open case"))
        self.buttons.accepted.connect(self.submit)
        target_row = QHBoxLayout()
        target_row.addWidget(self.target_edit, 1)
        form = QFormLayout()
        form.addRow(self.tr("&Kind:"), self.kind_combo)
        form.addRow(self.tr("&Title:"), self.title_edit)
        form.addRow(self.tr("&Reported:"), self.reported_edit)
        form.addRow(self.tr("&Next step:"), self.next_step_edit)
        form.addRow(self.target_check, target_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(owner)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        _width(self, 64)

    @override
    def payload(self) -> NewCaseRequest:
        target = edit_moment(self.target_edit, self._zone) if self.target_check.isChecked() else None
        try:
            title = check_new_case(self.title_edit.text(), target, self._now)
        except ValueError:
            self.title_edit.setFocus()
            raise
        reported, step = check_case_words(self.reported_edit.toPlainText(), self.next_step_edit.text())
        return NewCaseRequest(
            self.customer_id, CaseKind(self.kind_combo.currentData()), title, reported, step, target
        )


@dataclass(frozen=True)
class ProgressRequest:
    case: CaseSummary
    next_step: str
    done: str
    customer_told: bool


class CaseUpdateDialog(SaveDialog):
    """Progress on an open case: what was done, the new next step, whether the customer was told.
    Cases past their target with no news are listed first."""

    def __init__(
        self,
        cases: Sequence[CaseSummary],
        *,
        chosen: uuid.UUID | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("caseUpdateDialog")
        self.setWindowTitle(self.tr("Case progress"))
        self.cases = [c for c in cases if c.status.is_open]

        self.case_combo = QComboBox(self)
        self.case_combo.setObjectName("caseUpdateCase")
        self.case_combo.setAccessibleName(self.tr("Case"))
        for case in self.cases:
            self.case_combo.addItem(f"{case.reference}: {case.title}", str(case.id))
        if chosen is not None:
            self.case_combo.setCurrentIndex(max(self.case_combo.findData(str(chosen)), 0))
        self.current_step = QLabel(self)
        self.current_step.setObjectName("caseCurrentStep")
        self.current_step.setWordWrap(True)
        self.done_edit = note_edit(self.tr("What was done"), self.tr("What you or the teams did since"), self)
        self.done_edit.setObjectName("caseDone")
        self.next_step_edit = QLineEdit(self)
        self.next_step_edit.setObjectName("caseNextStep")
        self.next_step_edit.setAccessibleName(self.tr("New next step"))
        self.next_step_edit.setPlaceholderText(self.tr("Who does what next, and by when"))
        self.told_check = QCheckBox(self.tr("The customer has been told"), self)
        self.told_check.setObjectName("caseCustomerTold")

        self.error = ErrorLabel("caseUpdateError", self)
        self.buttons, self.save_button = button_box(self, self.tr("Save progress"))
        self.buttons.accepted.connect(self.submit)
        self.case_combo.currentIndexChanged.connect(self._show_step)
        form = QFormLayout()
        form.addRow(self.tr("&Case:"), self.case_combo)
        form.addRow(self.tr("Next step now:"), self.current_step)
        form.addRow(self.tr("&Done:"), self.done_edit)
        form.addRow(self.tr("&New next step:"), self.next_step_edit)
        form.addRow("", self.told_check)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        _width(self, 60)
        self._show_step()
        if not self.cases:
            self.error.say(self.tr("This customer has no open case to give progress on."))
            self.save_button.setEnabled(False)

    def chosen_case(self) -> CaseSummary | None:
        index = self.case_combo.currentIndex()
        return self.cases[index] if 0 <= index < len(self.cases) else None

    def _show_step(self) -> None:
        case = self.chosen_case()
        step = case.next_step if case and case.next_step else self.tr("none recorded")
        self.current_step.setText(step)

    @override
    def payload(self) -> ProgressRequest:
        case = self.chosen_case()
        if case is None:
            raise ValueError(self.tr("choose the case"))
        told = self.told_check.isChecked()
        try:
            progress_update(case, self.next_step_edit.text(), self.done_edit.toPlainText(), told)
        except ValueError as error:
            (self.done_edit if "done" in str(error) else self.next_step_edit).setFocus()
            raise
        return ProgressRequest(
            case, self.next_step_edit.text().strip(), self.done_edit.toPlainText().strip(), told
        )
