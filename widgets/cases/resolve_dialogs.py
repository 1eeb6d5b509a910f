"""Resolving a case and what follows: root cause and the customer's confirmation, another try at
confirming (or closing in writing), reopening, the customer's feedback, and the formal complaint's
dialogs (mark it, declare deadlock, the ombudsman letter saved as a PDF and recorded as sent).

Like the other action dialogs, none saves anything itself: Save emits `save_requested` with what
was asked; the window runs the case service off the UI thread and answers saved() or show_error().
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QMarginsF, Signal
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from typing_extensions import override

from console.adr_letter import Letter
from console.case_rules import ATTEMPTS_BEFORE_WRITING, MAX_NOTE, ROOT_CAUSE_CATEGORIES, may_close_in_writing
from console.clock import Clock
from console.paths import documents_dir
from console.working_time import WorkingHours
from domain.records import CaseSummary
from domain.vocabulary import Confirmation
from widgets.dialog_parts import (
    ErrorLabel,
    SaveDialog,
    button_box,
    date_time_edit,
    edit_moment,
    note_edit,
)
from widgets.promise_text import short_time

# When the advisor will try the customer again, unless they choose another time.
DEFAULT_CHECK_AFTER = timedelta(hours=2)


def _about(case: CaseSummary, parent: QWidget) -> QLabel:
    label = QLabel(f"{case.reference}: {case.title}", parent)
    label.setObjectName("caseAbout")
    label.setWordWrap(True)
    return label


def _text(edit: QPlainTextEdit) -> str:
    return edit.toPlainText().strip()


def _bounded(text: str, what: str, *, required: bool = True) -> str:
    """Field checks before anything is sent (the service checks again)."""
    if required and not text:
        raise ValueError(f"{what} is empty: say it in a few words")
    if len(text) > MAX_NOTE:
        raise ValueError(f"{what} is too long ({len(text):,} characters, at most {MAX_NOTE:,})")
    return text


class _CaseDialog(SaveDialog):
    """The common frame: what the case is, the fields, the error line, Save and Cancel."""

    def __init__(
        self, case: CaseSummary, object_name: str, title: str, save_text: str, parent: QWidget | None
    ):
        super().__init__(parent)
        self.setObjectName(object_name)
        self.case = case
        self.setWindowTitle(title.replace("%1", case.reference))
        self.form = QFormLayout()
        self.error = ErrorLabel("caseError", self)
        self.buttons, self.save_button = button_box(self, save_text)
        self.buttons.accepted.connect(self.submit)
        self.body = QVBoxLayout(self)
        self.body.addWidget(_about(case, self))
        self.body.addLayout(self.form)
        self.body.addWidget(self.error)
        self.body.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)


# -- resolving --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolveRequest:
    category: str
    text: str
    confirmation: Confirmation
    check_due_at: datetime | None


class _CheckTime:
    """Confirmed, or not reachable with the time to try again (a promise), as two radio buttons."""

    def __init__(
        self, dialog: _CaseDialog, clock: Clock, zone: ZoneInfo, hours: WorkingHours | None = None
    ) -> None:
        """`hours`: the team's working hours, within which the suggested check time falls."""
        hours = hours or WorkingHours()
        self.zone = zone
        self.confirmed = QRadioButton(dialog.tr("Customer confirmed it &works"), dialog)
        self.not_reachable = QRadioButton(dialog.tr("Customer &not reachable: promise to check"), dialog)
        self.group = QButtonGroup(dialog)
        self.group.addButton(self.confirmed)
        self.group.addButton(self.not_reachable)
        check_at = hours.next_sensible(clock.now(), DEFAULT_CHECK_AFTER)
        self.check_edit = date_time_edit(zone, check_at, dialog)
        self.check_edit.setAccessibleName(dialog.tr("Check with the customer at"))
        self.check_edit.setEnabled(False)
        self.not_reachable.toggled.connect(self.check_edit.setEnabled)

    def choice(self) -> tuple[Confirmation, datetime | None]:
        if self.confirmed.isChecked():
            return Confirmation.CONFIRMED, None
        if self.not_reachable.isChecked():
            return Confirmation.NOT_REACHABLE, edit_moment(self.check_edit, self.zone)
        raise ValueError("ask the customer whether it is fixed: confirmed, or not reachable")


class ResolveDialog(_CaseDialog):
    """Root cause (category from the one list, and words), then the customer's confirmation."""

    def __init__(
        self,
        case: CaseSummary,
        clock: Clock,
        zone: ZoneInfo,
        parent: QWidget | None = None,
        hours: WorkingHours | None = None,
    ) -> None:
        super().__init__(case, "resolveDialog", self.tr("Resolve %1"), self.tr("Resolve"), parent)
        self.category_combo = QComboBox(self)
        self.category_combo.setAccessibleName(self.tr("Root cause category"))
        self.category_combo.addItem(self.tr("Choose the root cause…"), None)
        for category in ROOT_CAUSE_CATEGORIES:
            self.category_combo.addItem(category[:1].upper() + category[1:], category)
        self.cause_edit = note_edit(
            self.tr("Root cause"), self.tr("What caused the fault, and what fixed it"), self
        )
        self.check = _CheckTime(self, clock, zone, hours)
        self.form.addRow(self.tr("Root cause &category:"), self.category_combo)
        self.form.addRow(self.tr("&Root cause:"), self.cause_edit)
        self.form.addRow(self.tr("Fix checked:"), self.check.confirmed)
        self.form.addRow("", self.check.not_reachable)
        self.form.addRow(self.tr("Check &again at:"), self.check.check_edit)

    def choose_category(self, category: str) -> None:
        self.category_combo.setCurrentIndex(max(self.category_combo.findData(category), 0))

    @override
    def payload(self) -> ResolveRequest:
        category = self.category_combo.currentData()
        if not category:
            raise ValueError(self.tr("choose the root cause category"))
        text = _bounded(_text(self.cause_edit), self.tr("the root cause"))
        confirmation, due = self.check.choice()
        return ResolveRequest(str(category), text, confirmation, due)


# -- confirming later, or closing in writing --------------------------------------------------------


@dataclass(frozen=True)
class ConfirmRequest:
    """Confirmed or not reachable (with the next try); or TOLD_IN_WRITING with the letter sent."""

    confirmation: Confirmation
    check_due_at: datetime | None = None
    letter: str = ""


class ConfirmDialog(_CaseDialog):
    """Another try at confirming the fix; after two failed tries, closing with the customer told in
    writing."""

    def __init__(
        self,
        case: CaseSummary,
        clock: Clock,
        zone: ZoneInfo,
        parent: QWidget | None = None,
        hours: WorkingHours | None = None,
    ) -> None:
        super().__init__(case, "confirmDialog", self.tr("Confirm the fix for %1"), self.tr("Save"), parent)
        tries = QLabel(
            self.tr("Tries without reaching the customer: %1 (closing without them needs %2 and a letter)")
            .replace("%1", str(case.confirmation_attempts))
            .replace("%2", str(ATTEMPTS_BEFORE_WRITING)),
            self,
        )
        tries.setObjectName("confirmationTries")
        tries.setWordWrap(True)
        self.body.insertWidget(1, tries)
        self.check = _CheckTime(self, clock, zone, hours)
        self.in_writing = QRadioButton(self.tr("Close: customer &told in writing"), self)
        self.in_writing.setEnabled(may_close_in_writing(case))
        self.check.group.addButton(self.in_writing)
        self.letter_edit = note_edit(
            self.tr("Letter to the customer"), self.tr("What the letter told the customer"), self
        )
        self.letter_edit.setEnabled(False)
        self.in_writing.toggled.connect(self.letter_edit.setEnabled)
        self.form.addRow(self.tr("Outcome:"), self.check.confirmed)
        self.form.addRow("", self.check.not_reachable)
        self.form.addRow(self.tr("Check &again at:"), self.check.check_edit)
        self.form.addRow("", self.in_writing)
        self.form.addRow(self.tr("&Letter:"), self.letter_edit)

    @override
    def payload(self) -> ConfirmRequest:
        if self.in_writing.isChecked():
            return ConfirmRequest(
                Confirmation.TOLD_IN_WRITING,
                letter=_bounded(_text(self.letter_edit), self.tr("the letter to the customer")),
            )
        confirmation, due = self.check.choice()
        return ConfirmRequest(confirmation, due)


class ReopenDialog(_CaseDialog):
    """The customer says it is not fixed: the case goes back in progress, with the reason."""

    def __init__(self, case: CaseSummary, parent: QWidget | None = None) -> None:
        super().__init__(case, "reopenDialog", self.tr("Reopen %1"), self.tr("Reopen"), parent)
        self.reason_edit = note_edit(
            self.tr("Why the case is reopened"), self.tr("What the customer says is still wrong"), self
        )
        self.form.addRow(self.tr("&Reason:"), self.reason_edit)

    @override
    def payload(self) -> str:
        return _bounded(_text(self.reason_edit), self.tr("the reason for reopening"))


# -- feedback ---------------------------------------------------------------------------------------

SCORE_WORDS = ("1 (very poor)", "2 (poor)", "3 (all right)", "4 (good)", "5 (very good)")


@dataclass(frozen=True)
class FeedbackRequest:
    fix_score: int
    fault_score: int
    cause_text: str


class FeedbackDialog(_CaseDialog):
    """Two separate questions (the fix; the fault happening at all) and what the customer thinks caused it."""

    def __init__(self, case: CaseSummary, parent: QWidget | None = None) -> None:
        super().__init__(case, "feedbackDialog", self.tr("Feedback on %1"), self.tr("Save feedback"), parent)
        self.fix_combo = self._scores(self.tr("How the fix was handled"))
        self.fault_combo = self._scores(self.tr("How the customer feels about the fault happening at all"))
        self.cause_edit = note_edit(
            self.tr("What the customer thinks caused it"), self.tr("In the customer's words (optional)"), self
        )
        self.form.addRow(self.tr("How the &fix was handled:"), self.fix_combo)
        self.form.addRow(self.tr("The fault &happening at all:"), self.fault_combo)
        self.form.addRow(self.tr("What they think &caused it:"), self.cause_edit)

    def _scores(self, spoken_as: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(spoken_as)
        combo.addItem(self.tr("Ask the customer…"), None)
        for score, words in enumerate(SCORE_WORDS, start=1):
            combo.addItem(words, score)
        return combo

    def choose_scores(self, fix: int, fault: int) -> None:
        self.fix_combo.setCurrentIndex(self.fix_combo.findData(fix))
        self.fault_combo.setCurrentIndex(self.fault_combo.findData(fault))

    @override
    def payload(self) -> FeedbackRequest:
        fix, fault = self.fix_combo.currentData(), self.fault_combo.currentData()
        if fix is None:
            raise ValueError(self.tr("ask how the fix was handled: a score from 1 to 5"))
        if fault is None:
            raise ValueError(self.tr("ask how the customer feels about the fault happening: 1 to 5"))
        cause = _bounded(
            _text(self.cause_edit), self.tr("what the customer thinks caused it"), required=False
        )
        return FeedbackRequest(int(fix), int(fault), cause)


# -- formal complaints ------------------------------------------------------------------------------


class ComplaintDialog(_CaseDialog):
    """Mark the case as a formal complaint, with when the customer made it (the 8-week clock starts)."""

    def __init__(
        self, case: CaseSummary, clock: Clock, zone: ZoneInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            case,
            "complaintDialog",
            self.tr("Formal complaint on %1"),
            self.tr("Mark as formal complaint"),
            parent,
        )
        self.zone = zone
        self.made_edit = date_time_edit(zone, clock.now().replace(second=0, microsecond=0), self)
        self.made_edit.setAccessibleName(self.tr("Complaint made at"))
        hint = QLabel(
            self.tr(
                "The customer may take the complaint to the ombudsman 8 weeks after making it, or at once "
                "if we declare deadlock. The deadline shows as a promise with its own timer."
            ),
            self,
        )
        hint.setWordWrap(True)
        self.form.addRow(self.tr("Complaint &made:"), self.made_edit)
        self.form.addRow(hint)

    @override
    def payload(self) -> datetime:
        return edit_moment(self.made_edit, self.zone)


class DeadlockDialog(_CaseDialog):
    """No agreement can be reached: the ombudsman letter is due at once."""

    def __init__(self, case: CaseSummary, zone: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(
            case, "deadlockDialog", self.tr("Declare deadlock on %1"), self.tr("Declare deadlock"), parent
        )
        if case.complaint_deadline_at is not None:
            deadline = QLabel(
                self.tr("8 weeks are up %1").replace("%1", short_time(case.complaint_deadline_at, zone)), self
            )
            deadline.setObjectName("complaintDeadline")
            self.body.insertWidget(1, deadline)
        self.note_edit = note_edit(
            self.tr("Why no agreement can be reached"),
            self.tr("What was offered and what the customer said"),
            self,
        )
        self.form.addRow(self.tr("&Why:"), self.note_edit)

    @override
    def payload(self) -> str:
        return _bounded(_text(self.note_edit), self.tr("why no agreement can be reached"))


def write_letter_pdf(letter: Letter, path: Path) -> None:
    """Print the letter to an A4 PDF with Qt (works offscreen)."""
    document = QTextDocument()
    document.setPlainText(letter.body)
    writer = QPdfWriter(str(path))
    writer.setTitle(letter.subject)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(20, 20, 20, 20),
            QPageLayout.Unit.Millimeter,
        )
    )
    document.print_(writer)
    del writer  # the file is complete once the writer is gone
    if not path.is_file() or path.stat().st_size == 0:
        raise OSError(f"nothing could be written to {path}")


class AdrLetterDialog(_CaseDialog):
    """The ombudsman letter: a summary in, the drafted letter to read, Save as PDF, Record as sent."""

    # The advisor asked for a draft from this summary (the window asks the case service).
    draft_requested = Signal(str)

    def __init__(self, case: CaseSummary, parent: QWidget | None = None) -> None:
        super().__init__(
            case, "adrLetterDialog", self.tr("Ombudsman letter for %1"), self.tr("Record as sent"), parent
        )
        self.letter: Letter | None = None
        self.summary_edit = note_edit(
            self.tr("Summary of the complaint"), self.tr("The complaint and what we have done about it"), self
        )
        self.draft_button = QPushButton(self.tr("&Draft letter"), self)
        self.draft_button.setObjectName("draftLetterButton")
        self.draft_button.clicked.connect(self._ask_draft)
        self.preview = QPlainTextEdit(self)
        self.preview.setObjectName("letterPreview")
        self.preview.setAccessibleName(self.tr("Letter to the customer"))
        self.preview.setReadOnly(True)
        self.preview.setTabChangesFocus(True)
        self.preview.setMinimumHeight(self.fontMetrics().lineSpacing() * 22)
        self.pdf_button = QPushButton(self.tr("Save as &PDF…"), self)
        self.pdf_button.setObjectName("savePdfButton")
        self.pdf_button.setEnabled(False)
        self.pdf_button.clicked.connect(self._choose_pdf)
        self.buttons.addButton(self.pdf_button, self.buttons.ButtonRole.ActionRole)
        self.form.addRow(self.tr("&Summary:"), self.summary_edit)
        self.form.addRow("", self.draft_button)
        self.form.addRow(self.tr("Letter:"), self.preview)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 110)

    def _ask_draft(self) -> None:
        try:
            summary = _bounded(_text(self.summary_edit), self.tr("the summary"))
        except ValueError as error:
            self.show_error(str(error))
            return
        self.error.say("")
        self.draft_requested.emit(summary)

    def show_letter(self, letter: Letter) -> None:
        self.letter = letter
        self.preview.setPlainText(letter.body)
        self.pdf_button.setEnabled(True)

    def _choose_pdf(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Save the letter as PDF"),
            str(documents_dir() / f"{self.case.reference}-ombudsman-letter.pdf"),
            "PDF (*.pdf)",
        )
        if name:
            self.save_pdf(Path(name))

    def save_pdf(self, path: Path) -> None:
        if self.letter is None:
            self.show_error(self.tr("draft the letter first"))
            return
        try:
            write_letter_pdf(self.letter, path)
        except OSError as error:
            self.show_error(self.tr("the PDF could not be saved: %1").replace("%1", str(error)))

    @override
    def payload(self) -> Letter:
        if self.letter is None:
            raise ValueError(self.tr("draft the letter first, then record it as sent"))
        return self.letter
