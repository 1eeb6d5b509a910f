"""Promises: the open customer's promise panel, making one and recording its outcome, My promises
(the worklist), and on each tick the due-soon announcements and the escalation of overdue promises."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from console.case_rules import default_case
from console.clock import Clock
from console.promise_rules import DEFAULT_DUE_SOON, Outcome, PromiseConflictError, PromiseRuleError
from console.working_time import WorkingHours
from domain.errors import first_line
from domain.records import CaseSummary, CustomerProfile, PromiseRecord, UserRecord
from domain.vocabulary import PromiseKind
from widgets.controller import Controller, set_alert, set_text
from widgets.jobs import Change, ChangeKind, Jobs
from widgets.pane.loading import CustomerWork
from widgets.promise_text import kind_label, short_time
from widgets.promises.dialogs import OutcomeDialog, PromiseDialog, PromiseRequest
from widgets.promises.models import CustomerPromiseModel, WorklistModel
from widgets.promises.notice import DueNotice
from widgets.promises.panels import PromisePanel, WorklistPanel
from widgets.tray import DesktopNotices

if TYPE_CHECKING:
    from widgets.workbench import Workbench

log = logging.getLogger(__name__)

# Overdue promises are escalated from the ticker, but at most this often.
ESCALATE_EVERY = timedelta(seconds=30)
WORKLIST = "promises:worklist"  # job key: the latest read of My promises wins
# Changes after which My promises is read again.
WORKLIST_CHANGES = frozenset({ChangeKind.PROMISE, ChangeKind.CASE, ChangeKind.TEAM, ChangeKind.ARRIVED})


@dataclass(frozen=True)
class Worklist:
    promises: list[PromiseRecord]
    colleagues: list[UserRecord]


def load_worklist(workbench: Workbench) -> Worklist:
    return Worklist(workbench.promises.worklist(), workbench.people.colleagues())


class PromisesController(Controller):
    """Owns the promise panel, the due-soon banner and My promises."""

    # A customer should be opened (from the banner or My promises): carries the customer id.
    open_customer_requested = Signal(object)
    # My promises was read: carries how many open promises the user has.
    worklist_loaded = Signal(int)
    # The user's colleagues were read with My promises (whom a case can be handed to): carries the list.
    colleagues_read = Signal(object)
    # The My promises tab's text changed (counts move with the clock): carries the text.
    worklist_title = Signal(str)
    # Promises newly due soon (or found overdue) were announced: carries the list of PromiseRecord.
    promises_announced = Signal(object)

    def __init__(
        self,
        jobs: Jobs,
        workbench: Workbench | None,
        clock: Clock,
        zone: ZoneInfo,
        notices: DesktopNotices,
        profile: Callable[[], CustomerProfile | None],
        can_act: Callable[[], CustomerProfile | None],
        selected_case: Callable[[], CaseSummary | None],
        parent: QObject | None = None,
        *,
        in_call: Callable[[], bool | None] = lambda: False,
    ) -> None:
        """`in_call`: whether a call is in hand (then other customers' promises are a quiet count)."""
        super().__init__(parent)
        self._jobs, self._workbench, self._clock, self._zone = jobs, workbench, clock, zone
        self._profile, self._can_act = profile, can_act
        self._selected_case = selected_case
        self._hours = workbench.promises.working_hours if workbench is not None else WorkingHours()
        self._cases: list[CaseSummary] = []
        self._needing_update: list[CaseSummary] = []
        self._worklist_title = self.tr("My promises")
        self._escalating = False
        self._last_escalation: datetime | None = None
        now = clock.now()
        due_soon = workbench.promises.due_soon if workbench is not None else DEFAULT_DUE_SOON
        self.model = CustomerPromiseModel(now, due_soon, zone, self)
        self.panel = PromisePanel(self.model)
        self.worklist_model = WorklistModel(now, due_soon, zone, self)
        self.worklist_panel = WorklistPanel(self.worklist_model)
        self.notice = DueNotice(self.worklist_model, notices, profile, in_call, self)
        self.banner = self.notice.banner
        self.panel.make_button.clicked.connect(self.make_promise)
        self.panel.outcome_button.clicked.connect(self.record_outcome)
        self.panel.view.activated.connect(self.record_outcome)
        self.panel.view.selectionModel().currentRowChanged.connect(self.update_actions)
        self.model.modelReset.connect(self.update_actions)
        self.worklist_panel.view.activated.connect(self._open_from_worklist)
        self.notice.open_customer_requested.connect(self.open_customer_requested)
        self.notice.promises_announced.connect(self.promises_announced)
        jobs.changed.connect(self._changed)

    def show_work(self, work: CustomerWork) -> None:
        self._cases = list(work.cases)
        self._needing_update = list(work.needing_update)
        now = self._clock.now()
        self.model.set_promises(work.promises, now)
        self.update_titles()
        self.notice.refresh(now)

    def call_changed(self, *_: object) -> None:
        """A call was taken and its number looked up: the banner's words follow now, not at the tick."""
        self.notice.refresh(self._clock.now())

    def selected(self) -> PromiseRecord | None:
        index = self.panel.view.currentIndex()
        return self.model.promise_at(index.row()) if index.isValid() else None

    def show_state(self, off: str | None) -> None:
        """Titles, empty texts and the acts enabled; `off`: why promises are not available, else None."""
        self.update_titles()
        self.update_empty_texts(off)
        self.update_actions()

    def update_actions(self, *_: object) -> None:
        acting = self._workbench is not None and self._profile() is not None
        promise = self.selected()
        self.panel.make_button.setEnabled(acting)
        self.panel.outcome_button.setEnabled(acting and promise is not None and promise.is_open)

    def update_empty_texts(self, off: str | None) -> None:
        """`off`: why promises are not available (no user signed in), else None."""
        view, worklist = self.panel.view, self.worklist_panel
        if off is not None:
            view.set_empty_text(off)
            worklist.view.set_empty_text(off)
            worklist.hint.setText(self.tr("Promises need a signed-in user."))
            return
        if self._profile() is None:
            view.set_empty_text(self.tr("Open a customer to see the promises made to them."))
        else:
            view.set_empty_text(self.tr("No promises made to this customer. Make one with Ctrl+B."))
        worklist.view.set_empty_text(self.tr("No open promises: every one you made has an outcome."))
        worklist.hint.setText(self.tr("Every open promise you own, soonest first. Enter opens the customer."))

    # -- titles that move with the clock ----------------------------------------------------------

    def update_titles(self) -> None:
        title = self.panel.title
        if self._profile() is None:
            set_text(title, self.tr("Promises"))
        else:
            open_count, overdue = self.model.open_counts()
            if open_count == 0:
                text = self.tr("Promises: none open")
            elif overdue:
                text = (
                    self.tr("Promises: %1 open, %2 overdue")
                    .replace("%1", str(open_count))
                    .replace("%2", str(overdue))
                )
            else:
                text = self.tr("Promises: %1 open").replace("%1", str(open_count))
            set_text(title, text)
            set_alert(title, bool(overdue))
        text = self._worklist_text()
        if text != self._worklist_title:  # counts move with the clock: tell only when they do
            self._worklist_title = text
            self.worklist_title.emit(text)

    def _worklist_text(self) -> str:
        total = self.worklist_model.rowCount()
        if self._workbench is None or total == 0:
            return self.tr("My promises")
        overdue = self.worklist_model.overdue_count(self.worklist_model.now)
        if overdue:
            return (
                self.tr("My promises (%1, %2 overdue)").replace("%1", str(total)).replace("%2", str(overdue))
            )
        return self.tr("My promises (%1)").replace("%1", str(total))

    # -- the shared ticker ------------------------------------------------------------------------

    def tick(self, now: datetime) -> None:
        self.update_titles()
        self.notice.tick(now)
        self._maybe_escalate(now)

    def _maybe_escalate(self, now: datetime) -> None:
        workbench = self._workbench
        if workbench is None or self._escalating:
            return
        if self._last_escalation is not None and now - self._last_escalation < ESCALATE_EVERY:
            return
        self._last_escalation = now
        self._escalating = True
        job = self._jobs.change(workbench.promises.escalate_overdue, announce=self._escalated)
        if job.failed(self._escalate_failed).run() is None:
            self._escalating = False

    def _escalated(self, promises: list[PromiseRecord]) -> Change | None:
        self._escalating = False
        if not promises:
            return None
        count = len(promises)
        text = (
            self.tr("1 overdue promise escalated to your supervisor")
            if count == 1
            else self.tr("%1 overdue promises escalated to your supervisor").replace("%1", str(count))
        )
        customers = {p.customer_id for p in promises}
        return Change(ChangeKind.PROMISE, customers.pop() if len(customers) == 1 else None, text, here=False)

    def _escalate_failed(self, error: BaseException) -> None:
        self._escalating = False
        log.warning("escalating overdue promises failed: %s", error)

    # -- my promises ------------------------------------------------------------------------------

    def _changed(self, change: Change) -> None:
        if change.kind in WORKLIST_CHANGES:
            self.refresh_worklist()

    def refresh_worklist(self) -> None:
        workbench = self._workbench
        if workbench is not None:
            self._jobs.read(lambda: load_worklist(workbench), self._show_worklist).failed(
                self._worklist_failed
            ).latest(WORKLIST).run()

    def load_worklist_now(self) -> None:
        """Read the worklist on the calling thread: for screenshots."""
        workbench = self._workbench
        if workbench is not None:
            self._jobs.read(lambda: load_worklist(workbench), self._show_worklist).latest(WORKLIST).run_now()

    def _show_worklist(self, worklist: Worklist) -> None:
        now = self._clock.now()
        self.worklist_model.set_promises(worklist.promises, now)
        self.colleagues_read.emit(list(worklist.colleagues))
        self.update_titles()
        self.notice.tick(now)
        self.worklist_loaded.emit(self.worklist_model.rowCount())

    def _worklist_failed(self, error: BaseException) -> None:
        log.warning("reading the worklist failed: %s", error)
        self.say(self.tr("Could not read your promises: %1").replace("%1", first_line(error)), 0)

    def focus_worklist(self) -> None:
        view = self.worklist_panel.view
        view.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not view.currentIndex().isValid() and self.worklist_model.rowCount():
            view.setCurrentIndex(self.worklist_model.index(0, 0))

    def _open_from_worklist(self, index: QModelIndex | QPersistentModelIndex) -> None:
        promise = self.worklist_model.promise_at(index.row()) if index.isValid() else None
        if promise is not None:
            self.open_customer_requested.emit(promise.customer_id)

    # -- making a promise -------------------------------------------------------------------------

    def make_promise(self) -> PromiseDialog | None:
        """Open the dialog to promise the open customer something (Ctrl+B)."""
        profile = self._can_act()
        if profile is None:
            return None
        kind = PromiseKind.CALLBACK
        case_id = default_case(self._cases, self._selected_case())
        if self._needing_update:
            kind, case_id = PromiseKind.PROGRESS_UPDATE, self._needing_update[0].id
        dialog = PromiseDialog(
            profile.id,
            profile.full_name,
            profile.phones[0] if profile.phones else None,
            self._cases,
            self._clock,
            self._zone,
            kind=kind,
            case_id=case_id,
            parent=self.panel.window(),
            hours=self._hours,
        )
        self.open_dialog(dialog, self._save_promise)
        return dialog

    def _save_promise(self, request: PromiseRequest) -> None:
        workbench, dialog = self._workbench, self.dialog
        if workbench is None or not isinstance(dialog, PromiseDialog):
            return
        customer_id = dialog.customer_id

        def job() -> PromiseRecord:
            return workbench.promises.make(
                customer_id,
                request.kind,
                request.due_at,
                window_end_at=request.window_end_at,
                phone=request.phone or None,
                note=request.note,
                case_id=request.case_id,
            )

        def made(promise: PromiseRecord) -> Change:
            text = (
                self.tr("Promise made: %1 for %2, due %3")
                .replace("%1", kind_label(promise.kind))
                .replace("%2", promise.customer_name)
                .replace("%3", short_time(promise.due_at, self._zone))
            )
            return Change(ChangeKind.PROMISE, promise.customer_id, text)

        self._jobs.change(job, lambda _p: self.saved_in(dialog), announce=made).failed(
            lambda error: self.refuse(
                dialog, error, (PromiseRuleError,), self.tr("the promise could not be saved: %1")
            )
        ).run()

    # -- ending a promise -------------------------------------------------------------------------

    def record_outcome(self) -> OutcomeDialog | None:
        """Open the outcome dialog for the promise selected in the promise list (Enter)."""
        if self._can_act() is None:
            return None
        promise = self.selected()
        if promise is None:
            self.say(self.tr("Choose a promise in the list first."))
            return None
        if not promise.is_open:
            self.say(self.tr("That promise has already ended."))
            return None
        dialog = OutcomeDialog(promise, self._clock, self._zone, self.panel.window(), self._hours)
        self.open_dialog(dialog, self._save_outcome)
        return dialog

    def _save_outcome(self, outcome: Outcome) -> None:
        workbench, dialog = self._workbench, self.dialog
        if workbench is None or not isinstance(dialog, OutcomeDialog):
            return
        promise = dialog.promise

        def ended(promise: PromiseRecord) -> Change:
            text = (
                self.tr("Promise ended: %1 for %2")
                .replace("%1", kind_label(promise.kind))
                .replace("%2", promise.customer_name)
            )
            return Change(ChangeKind.PROMISE, promise.customer_id, text)

        self._jobs.change(
            lambda: workbench.promises.close(promise, outcome),
            lambda _p: self.saved_in(dialog),
            announce=ended,
        ).failed(lambda error: self._outcome_refused(dialog, error)).run()

    def _outcome_refused(self, dialog: OutcomeDialog, error: BaseException) -> None:
        if isinstance(error, PromiseConflictError):
            text = self.tr("Someone else got there first: %1").replace("%1", str(error))
            self._jobs.announce(Change(ChangeKind.PROMISE, dialog.promise.customer_id, "", here=False))
            if self.dialog is dialog:
                dialog.show_error(text)
            else:
                self.say(text)
            return
        self.refuse(dialog, error, (PromiseRuleError,), self.tr("the outcome could not be saved: %1"))
