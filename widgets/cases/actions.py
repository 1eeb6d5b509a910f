"""The case list's resolution actions (resolve, confirm, reopen, feedback, formal complaint, the
ombudsman letter): the QActions for the buttons and the row menu, the dialogs they open, and the case
service calls run off the UI thread. The cases controller builds this and hands it what it needs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QToolButton, QWidget

from console.adr_letter import Letter
from console.case_rules import CaseAction, CaseRuleError
from console.clock import Clock
from console.promise_rules import PromiseRuleError
from console.working_time import WorkingHours
from domain.records import CaseSummary
from domain.vocabulary import CaseStatus, Confirmation
from widgets.cases.choose_case import CaseChoiceDialog
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
from widgets.controller import Controller
from widgets.dialog_parts import SaveDialog
from widgets.jobs import Change, ChangeKind, Jobs

if TYPE_CHECKING:
    from widgets.workbench import Workbench

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CaseHost:
    """What the actions need: the job runner, the clock and zone, who acts, and the selected case."""

    jobs: Jobs
    clock: Clock
    zone: ZoneInfo
    workbench: Workbench | None
    selected_case: Callable[[], CaseSummary | None]
    can_act: Callable[[], object | None]
    # The customer's cases an act is allowed on now, and selecting one in the list.
    cases_allowing: Callable[[CaseAction], list[CaseSummary]]
    select_case: Callable[[CaseSummary], None]

    @property
    def hours(self) -> WorkingHours:
        """The team's working hours (suggested check times fall within them)."""
        return self.workbench.promises.working_hours if self.workbench is not None else WorkingHours()


class CaseActions(Controller):
    """Resolution and complaint acts on the selected case, enabled from what the case rules allow."""

    def __init__(self, host: CaseHost, parent: QWidget) -> None:
        super().__init__(parent)
        self._host = host
        self._parent = parent
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
        """Parent of the actions, and (through its window) of the dialogs."""
        return self._parent

    def _dialog_parent(self) -> QWidget:
        return self._parent.window()

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

    def update(self, allowed: frozenset[CaseAction], keyed: frozenset[CaseAction] = frozenset()) -> None:
        """Enable what the selected case allows now (the service checks again on save); the keyed
        acts (`keyed`: resolve, confirm) also while nothing is selected and some case allows them."""
        for action, act in (
            (self.resolve_action, CaseAction.RESOLVE),
            (self.confirm_action, CaseAction.CONFIRM),
            (self.reopen_action, CaseAction.REOPEN),
            (self.feedback_action, CaseAction.FEEDBACK),
            (self.complaint_action, CaseAction.FORMAL_COMPLAINT),
            (self.deadlock_action, CaseAction.DEADLOCK),
            (self.letter_action, CaseAction.OMBUDSMAN_LETTER),
        ):
            action.setEnabled(act in allowed or act in keyed)
        complaint = {CaseAction.FORMAL_COMPLAINT, CaseAction.DEADLOCK, CaseAction.OMBUDSMAN_LETTER}
        self.complaint_next_action.setEnabled(bool(allowed & complaint))

    # -- opening the dialogs ----------------------------------------------------------------------

    def _case(self) -> CaseSummary | None:
        if self._host.can_act() is None:
            return None
        case = self._host.selected_case()
        if case is None:
            self.say(self.tr("Choose a case in the list first."))
        return case

    def _show(self, dialog: SaveDialog, slot: Callable[[object], None]) -> None:
        self.open_dialog(dialog, slot)

    def _case_for(self, act: CaseAction, again: Callable[[], object], what: str) -> CaseSummary | None:
        """The selected case; with none selected, the one case the act is allowed on (selected now),
        or, with several, a question which (the act carries on once one is chosen)."""
        if self._host.can_act() is None:
            return None
        case = self._host.selected_case()
        if case is not None:
            return case
        cases = self._host.cases_allowing(act)
        if len(cases) == 1:
            self._host.select_case(cases[0])
            return cases[0]
        if not cases:
            self.say(self.tr("%1: no case allows it now.").replace("%1", what))
            return None
        chooser = CaseChoiceDialog(what, cases, self._dialog_parent())
        chooser.case_chosen.connect(self._host.select_case)
        chooser.case_chosen.connect(lambda _case: QTimer.singleShot(0, self, again))  # once it has closed
        self.dialog_requested.emit(chooser)
        return None

    def resolve(self) -> ResolveDialog | None:
        case = self._case_for(CaseAction.RESOLVE, self.resolve, self.tr("Resolve"))
        if case is None:
            return None
        dialog = ResolveDialog(
            case, self._host.clock, self._host.zone, self._dialog_parent(), self._host.hours
        )
        self._show(dialog, self._save_resolve)
        return dialog

    def confirm(self) -> ConfirmDialog | None:
        case = self._case_for(CaseAction.CONFIRM, self.confirm, self.tr("Confirm the fix"))
        if case is None:
            return None
        dialog = ConfirmDialog(
            case, self._host.clock, self._host.zone, self._dialog_parent(), self._host.hours
        )
        self._show(dialog, self._save_confirm)
        return dialog

    def reopen(self) -> ReopenDialog | None:
        case = self._case()
        if case is None:
            return None
        dialog = ReopenDialog(case, self._dialog_parent())
        self._show(dialog, self._save_reopen)
        return dialog

    def feedback(self) -> FeedbackDialog | None:
        case = self._case()
        if case is None:
            return None
        dialog = FeedbackDialog(case, self._dialog_parent())
        self._show(dialog, self._save_feedback)
        return dialog

    def mark_complaint(self) -> ComplaintDialog | None:
        case = self._case()
        if case is None:
            return None
        dialog = ComplaintDialog(case, self._host.clock, self._host.zone, self._dialog_parent())
        self._show(dialog, self._save_complaint)
        return dialog

    def declare_deadlock(self) -> DeadlockDialog | None:
        case = self._case()
        if case is None:
            return None
        dialog = DeadlockDialog(case, self._host.zone, self._dialog_parent())
        self._show(dialog, self._save_deadlock)
        return dialog

    def adr_letter(self) -> AdrLetterDialog | None:
        case = self._case()
        if case is None:
            return None
        dialog = AdrLetterDialog(case, self._dialog_parent())
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
        self,
        dialog: SaveDialog | None,
        job: Callable[[Workbench], CaseSummary | None],
        done: Callable[[CaseSummary | None], str],
    ) -> None:
        workbench, case = self._host.workbench, getattr(dialog, "case", None)
        if workbench is None or dialog is None or not isinstance(case, CaseSummary):
            return
        customer_id = case.customer_id

        def announce(result: CaseSummary | None) -> Change:
            return Change(ChangeKind.CASE, customer_id, done(result))

        self._host.jobs.change(
            lambda: job(workbench), lambda _result: self.saved_in(dialog), announce=announce
        ).failed(lambda error: self._refused(dialog, error)).run()

    def _refused(self, dialog: SaveDialog | None, error: BaseException) -> None:
        self.refuse(
            dialog,
            error,
            (CaseRuleError, PromiseRuleError, ValueError),
            self.tr("the case was not changed: %1"),
        )

    def _save_resolve(self, ask: object) -> None:
        dialog = self.dialog
        case = getattr(dialog, "case", None)
        if not isinstance(case, CaseSummary) or not isinstance(ask, ResolveRequest):
            return
        self._run(
            dialog,
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
        dialog = self.dialog
        case = getattr(dialog, "case", None)
        if not isinstance(case, CaseSummary) or not isinstance(ask, ConfirmRequest):
            return
        if ask.confirmation is Confirmation.TOLD_IN_WRITING:
            self._run(
                dialog,
                lambda w: w.cases.close_in_writing(case, ask.letter),
                lambda _c: self.tr("%1 closed: the customer was told in writing").replace(
                    "%1", case.reference
                ),
            )
            return
        self._run(
            dialog,
            lambda w: w.cases.record_confirmation(case, ask.confirmation, ask.check_due_at),
            lambda c: (
                self.tr("%1 closed: the customer confirmed the fix").replace("%1", case.reference)
                if c is not None and c.status is CaseStatus.CLOSED
                else self.tr("%1: not reachable, another try promised").replace("%1", case.reference)
            ),
        )

    def _save_reopen(self, reason: object) -> None:
        dialog = self.dialog
        case = getattr(dialog, "case", None)
        if not isinstance(case, CaseSummary) or not isinstance(reason, str):
            return
        self._run(
            dialog,
            lambda w: w.cases.reopen(case, reason),
            lambda _c: self.tr("%1 reopened").replace("%1", case.reference),
        )

    def _save_feedback(self, ask: object) -> None:
        dialog = self.dialog
        case = getattr(dialog, "case", None)
        if not isinstance(case, CaseSummary) or not isinstance(ask, FeedbackRequest):
            return

        def job(w: Workbench) -> None:
            w.cases.record_feedback(case, ask.fix_score, ask.fault_score, ask.cause_text)

        self._run(dialog, job, lambda _c: self.tr("Feedback on %1 recorded").replace("%1", case.reference))

    def _save_complaint(self, made_at: object) -> None:
        dialog = self.dialog
        case = getattr(dialog, "case", None)
        if not isinstance(case, CaseSummary) or not isinstance(made_at, datetime):
            return
        self._run(
            dialog,
            lambda w: w.cases.mark_complaint(case, made_at),
            lambda _c: self.tr("%1 is a formal complaint: the 8-week clock is in your promises").replace(
                "%1", case.reference
            ),
        )

    def _save_deadlock(self, note: object) -> None:
        dialog = self.dialog
        case = getattr(dialog, "case", None)
        if not isinstance(case, CaseSummary) or not isinstance(note, str):
            return
        self._run(
            dialog,
            lambda w: w.cases.declare_deadlock(case, note),
            lambda _c: self.tr("Deadlock declared on %1: send the ombudsman letter").replace(
                "%1", case.reference
            ),
        )

    def _draft_letter(self, summary: str) -> None:
        workbench, dialog = self._host.workbench, self.dialog
        if workbench is None or not isinstance(dialog, AdrLetterDialog):
            return
        case, zone = dialog.case, self._host.zone

        def shown(letter: Letter) -> None:
            if self.dialog is dialog:
                dialog.show_letter(letter)

        self._host.jobs.read(lambda: workbench.cases.draft_adr_letter(case, summary, zone), shown).failed(
            lambda error: self._refused(dialog, error)
        ).run()

    def _save_letter(self, letter: object) -> None:
        dialog = self.dialog
        case = getattr(dialog, "case", None)
        if not isinstance(case, CaseSummary) or not isinstance(letter, Letter):
            return
        self._run(
            dialog,
            lambda w: w.cases.send_adr_letter(case, letter),
            lambda _c: self.tr("Ombudsman letter for %1 recorded as sent").replace("%1", case.reference),
        )
