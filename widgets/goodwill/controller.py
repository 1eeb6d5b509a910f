"""Goodwill: the open customer's goodwill panel and giving some (with what the compensation scheme owes),
the supervisors' approval queue, and telling the user once of each decision on their requests."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut

from console.case_rules import default_case
from console.clock import Clock
from console.goodwill_rules import GoodwillConflictError, GoodwillRuleError
from console.goodwill_words import OVER_LIMIT_NEXT_STEP, decision_words, state_words
from console.money import AmountError, format_pence
from domain.errors import first_line
from domain.records import CaseSummary, CustomerProfile, GoodwillRecord
from domain.vocabulary import GoodwillState
from widgets.controller import Controller
from widgets.goodwill.compensation_flow import CompensationFlow
from widgets.goodwill.decision_banner import DecisionBanner
from widgets.goodwill.dialogs import GoodwillAsk, GoodwillDialog, RejectDialog
from widgets.goodwill.panel import ApprovalPanel, GoodwillPanel
from widgets.jobs import Change, ChangeKind, Jobs
from widgets.tray import DesktopNotices

if TYPE_CHECKING:
    from console.services.pane import GoodwillView
    from widgets.workbench import Workbench

log = logging.getLogger(__name__)

# Goodwill (the open customer's requests, the approval queue) is re-read from the ticker this often.
GOODWILL_REFRESH_EVERY = timedelta(seconds=5)
GOODWILL = "goodwill:read"  # job key: the latest read wins
# Changes after which the goodwill panel and the approval queue are read again.
GOODWILL_CHANGES = frozenset({ChangeKind.GOODWILL, ChangeKind.ARRIVED})


class GoodwillController(Controller):
    """Owns the goodwill panel, the decision banner, the approval queue (supervisors) and the
    compensation flow."""

    # A customer should be opened (from the decision banner or the queue): carries the customer id.
    open_customer_requested = Signal(object)
    # The goodwill panel (and the approval queue) was re-read: carries a GoodwillView.
    goodwill_loaded = Signal(object)
    # A supervisor decided one of the user's requests and the user was told: carries the words.
    decision_announced = Signal(str)

    def __init__(
        self,
        jobs: Jobs,
        workbench: Workbench | None,
        clock: Clock,
        zone: ZoneInfo,
        notices: DesktopNotices,
        user_problem: str,
        profile: Callable[[], CustomerProfile | None],
        can_act: Callable[[], CustomerProfile | None],
        cases: Callable[[], tuple[list[CaseSummary], CaseSummary | None]],
        *,
        supervisor: bool,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._jobs, self._workbench, self._clock = jobs, workbench, clock
        self._notices, self._user_problem = notices, user_problem
        self._profile, self._can_act, self._cases = profile, can_act, cases
        self._came_with_customer = False
        self._last_refresh: datetime | None = None
        # Decisions on the user's goodwill requests made from now on are told once each.
        self._decisions_since = clock.now()
        self._told: set[uuid.UUID] = set()
        self.panel = GoodwillPanel()
        self.decision_banner = DecisionBanner()
        self._supervisor = supervisor
        self.approval_panel = ApprovalPanel() if supervisor else None
        self.compensation = CompensationFlow(jobs, workbench, clock, zone, self.panel, self)
        self.compensation.dialog_requested.connect(self.dialog_requested)
        self.compensation.message.connect(self.message)
        self.panel.give_button.clicked.connect(self.give_goodwill)
        self.decision_banner.open_customer_requested.connect(self._open_from_decision)
        if self.approval_panel is not None:
            self._wire_approvals(self.approval_panel)
        jobs.changed.connect(self._changed)

    def _wire_approvals(self, panel: ApprovalPanel) -> None:
        panel.approve_button.clicked.connect(self.approve_selected)
        panel.reject_button.clicked.connect(self.reject_selected)
        panel.view.activated.connect(self._open_from_approvals)
        for keys, slot in (
            ("Ctrl+Return", self.approve_selected),
            ("Ctrl+Enter", self.approve_selected),
            ("Ctrl+Shift+R", self.reject_selected),
        ):
            shortcut = QShortcut(QKeySequence(keys), panel)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # -- reading ----------------------------------------------------------------------------------

    def read_options(self) -> tuple[bool, datetime | None]:
        """What a read of goodwill takes: the approval queue too (supervisors), decisions since when."""
        return self.approval_panel is not None, self._decisions_since

    def read_for(self, customer_id: uuid.UUID | None) -> Callable[[], GoodwillView]:
        """The read of goodwill for `customer_id`, to run on the worker (made on the UI thread)."""
        workbench = self._workbench
        assert workbench is not None
        with_queue, since = self.approval_panel is not None, self._decisions_since
        pane = workbench.pane

        def read() -> GoodwillView:
            view = pane.goodwill(customer_id, with_queue=with_queue, decisions_since=since)
            assert view is not None  # a workbench has a user
            return view

        return read

    def refresh(self) -> None:
        """Re-read the goodwill panel (and the approval queue) off the UI thread."""
        if self._workbench is None:
            self._show(None)
            return
        profile = self._profile()
        read = self.read_for(profile.id if profile is not None else None)
        self._last_refresh = self._clock.now()
        self._jobs.read(read, self._show).failed(self._failed).latest(GOODWILL).run()

    def load_now(self) -> None:
        """Read goodwill on the calling thread: for screenshots."""
        if self._workbench is None:
            self._show(None)
            return
        profile = self._profile()
        self._jobs.read(self.read_for(profile.id if profile is not None else None), self._show).latest(
            GOODWILL
        ).run_now()

    def came_with_customer(self, view: GoodwillView) -> None:
        """The goodwill read in the same trip as an opening."""
        self._jobs.stamp(GOODWILL)  # a read still on its way is older than this one
        self._last_refresh = self._clock.now()
        self._came_with_customer = True
        self._show(view)

    def customer_opened(self, _profile: object) -> None:
        self.panel.say("")
        if not self._came_with_customer:
            self.refresh()
        self._came_with_customer = False

    def _changed(self, change: Change) -> None:
        if change.kind in GOODWILL_CHANGES:
            self.refresh()

    def tick(self, now: datetime) -> None:
        last = self._last_refresh
        if last is None or now - last >= GOODWILL_REFRESH_EVERY:
            self.refresh()

    def _failed(self, error: BaseException) -> None:
        log.warning("reading goodwill failed: %s", error)
        self.say(self.tr("Could not read goodwill: %1").replace("%1", first_line(error)), 0)

    def _show(self, view: GoodwillView | None) -> None:
        panel = self.panel
        if view is None:
            panel.limit_label.setText(self.tr("Goodwill is off: %1").replace("%1", self._user_problem))
            panel.show_records([], self.tr("Not available: %1.").replace("%1", self._user_problem))
            panel.give_button.setEnabled(False)
            return
        panel.show_limits(view.limit_pence, view.month_pence)
        profile = self._profile()
        if profile is None or view.customer_id != profile.id:
            panel.show_records([], self.tr("Open a customer to see the goodwill given to them."))
        else:
            panel.show_records(
                view.records, self.tr("No goodwill given to this customer. Give some with Ctrl+G.")
            )
        panel.give_button.setEnabled(profile is not None)
        if self.approval_panel is not None and view.pending is not None:
            self.approval_panel.show_pending(view.pending)
        self._tell_decisions(view.decisions)
        self.goodwill_loaded.emit(view)

    def _tell_decisions(self, decisions: list[GoodwillRecord]) -> None:
        """Tell the user, once each, of supervisors' decisions on their requests: on the goodwill panel
        when that customer is open, else in the decision banner (and the desktop's tray)."""
        profile = self._profile()
        for record in decisions:
            if record.id in self._told:
                continue
            self._told.add(record.id)
            text = decision_words(record)
            if profile is not None and profile.id == record.customer_id:
                self.panel.say(text)
            else:
                self.decision_banner.tell(text, record.customer_id)
                self._notices.tell(self.tr("Goodwill decision"), text)
            self.decision_announced.emit(text)

    def _open_from_decision(self, customer_id: uuid.UUID) -> None:
        self.decision_banner.hide()
        self.open_customer_requested.emit(customer_id)

    # -- giving goodwill --------------------------------------------------------------------------

    def give_goodwill(self) -> GoodwillDialog | None:
        """Open the dialog to give the open customer goodwill or compensation (Ctrl+G)."""
        profile = self._can_act()
        if profile is None or self._workbench is None:
            return None
        cases, case = self._cases()
        case_id = default_case(cases, case)
        dialog = GoodwillDialog(
            profile.id,
            profile.full_name,
            cases,
            self._workbench.user.goodwill_limit_pence,
            case_id=case_id,
            parent=self.panel.window(),
            supervisor=self._supervisor,
        )
        self.open_dialog(dialog, self._save)
        self.compensation.attach(dialog)
        return dialog

    def _save(self, ask: GoodwillAsk) -> None:
        workbench, dialog = self._workbench, self.dialog
        if workbench is None or not isinstance(dialog, GoodwillDialog):
            return
        customer_id = dialog.customer_id

        def job() -> GoodwillRecord:
            return workbench.goodwill.request(
                customer_id, ask.kind, ask.amount_text, ask.reason_category, ask.reason_text, ask.case_id
            )

        self._jobs.change(job, lambda _record: self.saved_in(dialog), announce=self._given).failed(
            lambda error: self.refuse(
                dialog,
                error,
                (AmountError, GoodwillRuleError),
                self.tr("the goodwill could not be saved: %1"),
            )
        ).run()

    def _given(self, record: GoodwillRecord) -> Change:
        if record.state is GoodwillState.APPROVED:
            self.panel.say("")
            text = self.tr("Goodwill given: %1 to %2 — within your limit, it is done.")
        else:
            self.panel.say(self.tr(OVER_LIMIT_NEXT_STEP))
            text = self.tr("Goodwill of %1 for %2 sent to a supervisor for approval.")
        text = text.replace("%1", format_pence(record.amount_pence)).replace("%2", record.customer_name)
        return Change(ChangeKind.GOODWILL, record.customer_id, text)

    # -- the approval queue -----------------------------------------------------------------------

    def approve_selected(self) -> None:
        """Approve the request selected in the approval queue (Ctrl+Enter)."""
        panel, workbench = self.approval_panel, self._workbench
        if panel is None or workbench is None:
            return
        record = panel.selected()
        if record is None:
            panel.say(self.tr("Choose a request in the queue first."))
            return
        if record.requested_by == workbench.user.id:
            panel.say(self.tr("You cannot approve your own request: another supervisor must."))
            return
        self._jobs.change(lambda: workbench.goodwill.approve(record), announce=self._decided).failed(
            lambda error: self._decision_refused(None, error)
        ).run()

    def _open_from_approvals(self, index: QModelIndex | QPersistentModelIndex) -> None:
        """Enter on a request opens its customer: their history, cases and promises beside the queue."""
        panel = self.approval_panel
        record = panel.model.record_at(index.row()) if panel is not None and index.isValid() else None
        if record is not None:
            self.open_customer_requested.emit(record.customer_id)

    def reject_selected(self) -> RejectDialog | None:
        """Ask for a reason, then reject the request selected in the approval queue."""
        panel, workbench = self.approval_panel, self._workbench
        if panel is None or workbench is None:
            return None
        record = panel.selected()
        if record is None:
            panel.say(self.tr("Choose a request in the queue first."))
            return None
        dialog = RejectDialog(record, panel.window())
        self.open_dialog(dialog, self._save_rejection)
        return dialog

    def _save_rejection(self, reason: str) -> None:
        workbench, dialog = self._workbench, self.dialog
        if workbench is None or not isinstance(dialog, RejectDialog):
            return
        record = dialog.record
        self._jobs.change(
            lambda: workbench.goodwill.reject(record, reason),
            lambda _r: self.saved_in(dialog),
            announce=self._decided,
        ).failed(lambda error: self._decision_refused(dialog, error)).run()

    def _decided(self, record: GoodwillRecord) -> Change:
        text = f"{format_pence(record.amount_pence)} for {record.customer_name}: {state_words(record)}"
        if self.approval_panel is not None:
            self.approval_panel.say(text)
        return Change(ChangeKind.GOODWILL, record.customer_id, text)

    def _decision_refused(self, dialog: RejectDialog | None, error: BaseException) -> None:
        if isinstance(error, GoodwillConflictError):
            text = self.tr("Someone else got there first: %1").replace("%1", str(error))
            self.refresh()
        elif isinstance(error, GoodwillRuleError):
            text = str(error)
        else:
            log.warning("deciding goodwill failed: %s", error)
            text = self.tr("the decision could not be saved: %1").replace("%1", first_line(error))
        if dialog is not None and self.dialog is dialog:
            dialog.show_error(text)
        elif self.approval_panel is not None:
            self.approval_panel.say(text[:1].upper() + text[1:])
