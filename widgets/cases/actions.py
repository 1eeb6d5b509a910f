"""The case list's resolution actions (resolve, confirm, reopen, feedback, formal complaint, the
ombudsman letter): the QActions for the buttons and the row menu, the dialogs they open, and the case
service calls run off the UI thread. The main window only builds this and hands it what it needs."""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QToolButton, QWidget

from console.adr_letter import Letter
from console.case_rules import CaseRuleError, adr_letter_due
from console.clock import Clock
from console.promise_rules import PromiseRuleError
from domain.records import CaseSummary
from domain.vocabulary import CaseStatus, Confirmation
from widgets.background import BackgroundReader
from widgets.cases.resolve_dialogs import (
    AdrLetterDialog,
    ComplaintDialog,
    ConfirmDialog,
    ConfirmRequest,
    DeadlockDialog,
    FeedbackDialog,
    FeedbackRequest,
    ReopenDialog,
    ResolveDialog,
    ResolveRequest,
)
from widgets.dialog_parts import SaveDialog
from widgets.workbench import Workbench

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CaseHost:
    """What the actions need from the window: nothing more. The callables must not hold the window
    strongly (see `weak_call`): the actions live as long as the window and must not keep it alive."""

    reader: BackgroundReader
    clock: Clock
    zone: ZoneInfo
    workbench: Callable[[], Workbench | None]
    selected_case: Callable[[], CaseSummary | None]
    can_act: Callable[[], object | None]
    open_dialog: Callable[[QDialog], None]
    current_dialog: Callable[[], QDialog | None]
    changed: Callable[[str], None]
    cannot: Callable[[str], None]


def weak_call(owner: QObject, name: str) -> Callable[..., Any]:
    """`owner.name(...)` without a strong reference to `owner` (None once it is gone)."""
    ref = weakref.ref(owner)

    def relay(*args: object) -> Any:
        alive = ref()
        return getattr(alive, name)(*args) if alive is not None else None

    return relay


class CaseActions(QObject):
    def __init__(self, host: CaseHost, parent: QWidget) -> None:
        super().__init__(parent)
        self._host = host
        self.resolve_action = self._action(
            self.tr("Resolve…"),
            self.tr("Record the root cause and check the fix with the customer"),
            "Ctrl+Shift+E",
            self.resolve,
        )
        self.confirm_action = self._action(
            self.tr("Confirm fix…"),
            self.tr("Record another try at confirming the fix, or close in writing"),
            "Ctrl+Shift+C",
            self.confirm,
        )
        self.reopen_action = self._action(
            self.tr("Reopen…"), self.tr("The customer says it is not fixed"), None, self.reopen
        )
        self.feedback_action = self._action(
            self.tr("Record feedback…"),
            self.tr("The customer's two scores after closure"),
            None,
            self.feedback,
        )
        self.complaint_action = self._action(
            self.tr("Formal complaint…"),
            self.tr("Mark as a formal complaint: the 8-week clock starts"),
            None,
            self.mark_complaint,
        )
        self.deadlock_action = self._action(
            self.tr("Declare deadlock…"),
            self.tr("No agreement can be reached on the complaint"),
            None,
            self.declare_deadlock,
        )
        self.letter_action = self._action(
            self.tr("Ombudsman letter…"),
            self.tr("Draft the ADR letter, save it as PDF, record it as sent"),
            None,
            self.adr_letter,
        )
        # One button for the complaint: it opens whatever the complaint needs next.
        self.complaint_next_action = self._action(
            self.tr("Complaint…"),
            self.tr("The formal complaint: mark it, declare deadlock, or send the ombudsman letter"),
            None,
            self.complaint_next,
        )

    def _parent_widget(self) -> QWidget:
        """The window (Qt's parent link: holding it in Python would make a reference cycle)."""
        return cast(QWidget, self.parent())

    def _action(self, text: str, tip: str, keys: str | None, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self._parent_widget())
        action.setToolTip(tip)
        if keys:
            action.setShortcut(QKeySequence(keys))
        action.triggered.connect(slot)
        return action

    @property
    def menu_actions(self) -> list[QAction]:
        return [
            self.resolve_action,
            self.confirm_action,
            self.reopen_action,
            self.feedback_action,
            self.complaint_action,
            self.deadlock_action,
            self.letter_action,
        ]

    def buttons(self, parent: QWidget) -> list[QToolButton]:
        made = []
        for action, spoken in (
            (self.resolve_action, self.tr("Resolve the case")),
            (self.confirm_action, self.tr("Confirm the fix with the customer")),
            (self.feedback_action, self.tr("Record the customer's feedback")),
            (self.complaint_next_action, self.tr("Formal complaint")),
        ):
            button = QToolButton(parent)
            button.setDefaultAction(action)
            button.setAccessibleName(spoken)
            made.append(button)
        return made

    def update(self, case: CaseSummary | None, acting: bool) -> None:
        """Enable what the selected case allows now (the service checks again on save)."""
        now = self._host.clock.now()
        ok = acting and case is not None
        is_open = ok and case is not None and case.status.is_open
        status = case.status if case is not None else None
        complaint = ok and case is not None and case.formal_complaint
        self.resolve_action.setEnabled(is_open)
        self.confirm_action.setEnabled(ok and status is CaseStatus.RESOLVED)
        self.reopen_action.setEnabled(ok and status in (CaseStatus.RESOLVED, CaseStatus.CLOSED))
        self.feedback_action.setEnabled(ok and status is CaseStatus.CLOSED)
        self.complaint_action.setEnabled(ok and not complaint and status is not CaseStatus.CLOSED)
        self.deadlock_action.setEnabled(
            complaint and status is not CaseStatus.CLOSED and case is not None and case.deadlock_at is None
        )
        self.letter_action.setEnabled(complaint and case is not None and adr_letter_due(case, now))
        self.complaint_next_action.setEnabled(
            self.complaint_action.isEnabled()
            or self.deadlock_action.isEnabled()
            or self.letter_action.isEnabled()
        )

    # -- opening the dialogs ----------------------------------------------------------------------

    def _case(self) -> CaseSummary | None:
        if self._host.can_act() is None:
            return None
        case = self._host.selected_case()
        if case is None:
            self._host.cannot(self.tr("Choose a case in the list first."))
        return case

    def _show(self, dialog: SaveDialog, slot: Callable[[object], None]) -> None:
        dialog.save_requested.connect(slot)
        self._host.open_dialog(dialog)

    def resolve(self) -> ResolveDialog | None:
        case = self._case()
        if case is None:
            return None
        dialog = ResolveDialog(case, self._host.clock, self._host.zone, self._parent_widget())
        self._show(dialog, self._save_resolve)
        return dialog

    def confirm(self) -> ConfirmDialog | None:
        case = self._case()
        if case is None:
            return None
        dialog = ConfirmDialog(case, self._host.clock, self._host.zone, self._parent_widget())
        self._show(dialog, self._save_confirm)
        return dialog

    def reopen(self) -> ReopenDialog | None:
        case = self._case()
        if case is None:
            return None
        dialog = ReopenDialog(case, self._parent_widget())
        self._show(dialog, self._save_reopen)
        return dialog

    def feedback(self) -> FeedbackDialog | None:
        case = self._case()
        if case is None:
            return None
        dialog = FeedbackDialog(case, self._parent_widget())
        self._show(dialog, self._save_feedback)
        return dialog

    def mark_complaint(self) -> ComplaintDialog | None:
        case = self._case()
        if case is None:
            return None
        dialog = ComplaintDialog(case, self._host.clock, self._host.zone, self._parent_widget())
        self._show(dialog, self._save_complaint)
        return dialog

    def declare_deadlock(self) -> DeadlockDialog | None:
        case = self._case()
        if case is None:
            return None
        dialog = DeadlockDialog(case, self._host.zone, self._parent_widget())
        self._show(dialog, self._save_deadlock)
        return dialog

    def adr_letter(self) -> AdrLetterDialog | None:
        case = self._case()
        if case is None:
            return None
        dialog = AdrLetterDialog(case, self._parent_widget())
        dialog.draft_requested.connect(self._draft_letter)
        self._show(dialog, self._save_letter)
        return dialog

    def complaint_next(self) -> QDialog | None:
        """Whatever the selected case's complaint needs next."""
        if self.letter_action.isEnabled():
            return self.adr_letter()
        if self.deadlock_action.isEnabled():
            return self.declare_deadlock()
        return self.mark_complaint()

    # -- saving -----------------------------------------------------------------------------------

    def _run(
        self, job: Callable[[Workbench], CaseSummary | None], done: Callable[[CaseSummary | None], str]
    ) -> None:
        workbench = self._host.workbench()
        dialog = self._host.current_dialog()
        if workbench is None or not isinstance(dialog, SaveDialog):
            return

        def saved(result: CaseSummary | None) -> None:
            if self._host.current_dialog() is dialog:
                dialog.saved()
            self._host.changed(done(result))

        self._host.reader.submit(lambda: job(workbench), saved, lambda error: self._refused(dialog, error))

    def _refused(self, dialog: SaveDialog, error: BaseException) -> None:
        if isinstance(error, CaseRuleError | PromiseRuleError | ValueError):
            text = str(error)
        else:
            log.warning("a case action failed: %s", error)
            text = self.tr("the case was not changed: %1").replace(
                "%1", str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            )
        if self._host.current_dialog() is dialog:
            dialog.show_error(text)
        else:
            self._host.cannot(text)

    def _dialog_case(self) -> CaseSummary | None:
        dialog = self._host.current_dialog()
        return getattr(dialog, "case", None)

    def _save_resolve(self, ask: object) -> None:
        case = self._dialog_case()
        if case is None or not isinstance(ask, ResolveRequest):
            return
        self._run(
            lambda w: w.cases.resolve(case, ask.category, ask.text, ask.confirmation, ask.check_due_at),
            lambda c: (
                self.tr("%1 resolved and closed: the customer confirmed the fix").replace(
                    "%1", case.reference
                )
                if c is not None and c.status is CaseStatus.CLOSED
                else self.tr("%1 resolved: a promise to check with the customer is made").replace(
                    "%1", case.reference
                )
            ),
        )

    def _save_confirm(self, ask: object) -> None:
        case = self._dialog_case()
        if case is None or not isinstance(ask, ConfirmRequest):
            return
        if ask.confirmation is Confirmation.TOLD_IN_WRITING:
            self._run(
                lambda w: w.cases.close_in_writing(case, ask.letter),
                lambda _c: self.tr("%1 closed: the customer was told in writing").replace(
                    "%1", case.reference
                ),
            )
            return
        self._run(
            lambda w: w.cases.record_confirmation(case, ask.confirmation, ask.check_due_at),
            lambda c: (
                self.tr("%1 closed: the customer confirmed the fix").replace("%1", case.reference)
                if c is not None and c.status is CaseStatus.CLOSED
                else self.tr("%1: not reachable, another try promised").replace("%1", case.reference)
            ),
        )

    def _save_reopen(self, reason: object) -> None:
        case = self._dialog_case()
        if case is None or not isinstance(reason, str):
            return
        self._run(
            lambda w: w.cases.reopen(case, reason),
            lambda _c: self.tr("%1 reopened").replace("%1", case.reference),
        )

    def _save_feedback(self, ask: object) -> None:
        case = self._dialog_case()
        if case is None or not isinstance(ask, FeedbackRequest):
            return

        def job(w: Workbench) -> None:
            w.cases.record_feedback(case, ask.fix_score, ask.fault_score, ask.cause_text)

        self._run(job, lambda _c: self.tr("Feedback on %1 recorded").replace("%1", case.reference))

    def _save_complaint(self, made_at: object) -> None:
        case = self._dialog_case()
        if case is None or not isinstance(made_at, datetime):
            return
        self._run(
            lambda w: w.cases.mark_complaint(case, made_at),
            lambda _c: self.tr("%1 is a formal complaint: the 8-week clock is in your promises").replace(
                "%1", case.reference
            ),
        )

    def _save_deadlock(self, note: object) -> None:
        case = self._dialog_case()
        if case is None or not isinstance(note, str):
            return
        self._run(
            lambda w: w.cases.declare_deadlock(case, note),
            lambda _c: self.tr("Deadlock declared on %1: send the ombudsman letter").replace(
                "%1", case.reference
            ),
        )

    def _draft_letter(self, summary: str) -> None:
        dialog = self._host.current_dialog()
        workbench = self._host.workbench()
        if not isinstance(dialog, AdrLetterDialog) or workbench is None:
            return
        case, zone = dialog.case, self._host.zone

        def shown(letter: Letter) -> None:
            if self._host.current_dialog() is dialog:
                dialog.show_letter(letter)

        self._host.reader.submit(
            lambda: workbench.cases.draft_adr_letter(case, summary, zone),
            shown,
            lambda e: self._refused(dialog, e),
        )

    def _save_letter(self, letter: object) -> None:
        case = self._dialog_case()
        if case is None or not isinstance(letter, Letter):
            return
        self._run(
            lambda w: w.cases.send_adr_letter(case, letter),
            lambda _c: self.tr("Ombudsman letter for %1 recorded as sent").replace("%1", case.reference),
        )
