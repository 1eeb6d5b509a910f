"""RecordController: opens the record dialogs for the customer in hand, keeps the wrap-up's draft on
every edit, runs the services through the window's job runner, and announces what was saved."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, QPoint
from PySide6.QtWidgets import QDialog, QWidget

from console.calls import CallRecord
from console.clock import Clock
from console.contact_reasons import ReasonList
from console.contact_rules import ContactEntry, WrapUp
from console.ids import new_id
from domain.records import CaseSummary, CustomerProfile, WrapUpDraftRecord
from widgets.jobs import ChangeKind, Jobs
from widgets.record.actions import RecordActions
from widgets.record.dialogs import (
    CaseUpdateDialog,
    LogContactDialog,
    NewCaseDialog,
    NewCasePrefill,
    NewCaseRequest,
    ProgressRequest,
    WrapUpDialog,
)
from widgets.record.drafts import DraftKeeper
from widgets.record.work import RecordWork, alive

if TYPE_CHECKING:
    from console.services.contacts import ContactService
    from widgets.workbench import Workbench

log = logging.getLogger(__name__)


def _contacts(workbench: Workbench, reasons: ReasonList) -> ContactService:
    """The contact service with its own list of reasons (tests give one)."""
    from console.services.contacts import ContactService

    return ContactService(workbench.store, workbench.clock, workbench.user, reasons)


WRAP_UP_STEP = 32  # pixels
T = TypeVar("T")
D = TypeVar("D", bound=QDialog)


class RecordController(RecordWork):
    """Writing down the call in hand. Tell it the customer in the pane (`set_customer`) and the case
    chosen (`set_case`, or `selected_case`: the case list's selection, asked when it is needed).
    Its dialogs go out as `dialog_requested` (the window opens them), what it saves is announced
    through `jobs` (a `Change` of the customer: the pane, cases and offers re-read)."""

    def __init__(
        self,
        jobs: Jobs,
        workbench: Workbench,
        clock: Clock,
        zone: ZoneInfo,
        *,
        reasons: ReasonList | None = None,
        selected_case: Callable[[], CaseSummary | None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(jobs, parent)
        self._selected_case = selected_case
        self._clock = clock
        self._zone = zone
        self._cases = workbench.cases
        self._customers = workbench.customers
        self._contacts = workbench.contacts if reasons is None else _contacts(workbench, reasons)
        self._customer_id: uuid.UUID | None = None
        self._customer_name = ""
        self._case_id: uuid.UUID | None = None
        self._actions: RecordActions | None = None
        self._dialogs: set[QDialog] = set()
        self._wrap_ups: dict[uuid.UUID, WrapUpDialog] = {}
        self._drafts = DraftKeeper(jobs, self._contacts, self)
        self._drafts.failed.connect(self._draft_failed)

    @property
    def busy(self) -> bool:
        """A draft or a save is still being written (tests wait for it)."""
        return self._drafts.busy

    @property
    def reasons(self) -> ReasonList:
        return self._contacts.reasons

    # -- what the window tells it ------------------------------------------------------------------

    def attach(self, actions: RecordActions) -> None:
        """Connect the pane's buttons (logContactButton, newCaseButton, caseUpdateButton)."""
        self._actions = actions
        actions.log_contact_button.clicked.connect(self._log_contact_clicked)
        actions.new_case_button.clicked.connect(self._new_case_clicked)
        actions.case_update_button.clicked.connect(self._case_update_clicked)
        actions.set_customer_open(self._customer_id is not None)

    def set_customer(self, customer_id: uuid.UUID | None, name: str = "") -> None:
        """The customer now in the pane (None: none)."""
        if customer_id != self._customer_id:
            self._case_id = None
        self._customer_id = customer_id
        self._customer_name = name
        if self._actions is not None:
            self._actions.set_customer_open(customer_id is not None)

    def set_case(self, case: CaseSummary | None) -> None:
        """The case chosen in the pane: the one a logged contact or progress is about by default."""
        self._case_id = case.id if case is not None else None

    def customer_opened(self, profile: CustomerProfile) -> None:
        """The pane opened `profile`: the buttons act on them; their unsaved wrap-ups come back (looked
        for once the customer is painted)."""
        self.set_customer(profile.id, profile.full_name)
        self.offer_drafts(profile.id, after_paint=True)

    def call_ended(self, call: CallRecord) -> None:
        """The call strip's `call_ended`: its wrap-up."""
        self.wrap_up(call.customer_id, call.started_at, call.ended_at, call.number)

    def _chosen_case(self) -> uuid.UUID | None:
        case = self._selected_case() if self._selected_case is not None else None
        return case.id if case is not None else self._case_id

    # -- the acts ----------------------------------------------------------------------------------

    def wrap_up(
        self, customer_id: uuid.UUID | None, started_at: datetime, ended_at: datetime, number: str | None
    ) -> None:
        """A call ended (the call strip's `call_ended`): open its wrap-up, kept as a draft from now on."""
        if customer_id is None:
            self._say_refused(
                self.tr("the call matched no customer: open the customer, then use Log contact")
            )
            return
        draft = WrapUpDraftRecord(
            id=new_id(),
            customer_id=customer_id,
            number=number,
            started_at=started_at,
            ended_at=ended_at,
            reason_code=None,
            note="",
            case_id=None,
        )

        def job() -> list[CaseSummary]:
            self._contacts.save_draft(draft)
            return self._customers.cases(customer_id)

        self._run(job, lambda cases: self._open_wrap_up(draft, cases, restored=False))

    def offer_drafts(self, customer_id: uuid.UUID | None = None, *, after_paint: bool = False) -> None:
        """Open the oldest wrap-up not saved yet (of this customer when given): at start, and when a
        customer is opened (looked for `after_paint`: once the customer is painted)."""

        def job() -> tuple[WrapUpDraftRecord, list[CaseSummary]] | None:
            waiting = [d for d in self._contacts.drafts(customer_id) if d.id not in self._wrap_ups]
            if not waiting:
                return None
            return waiting[0], self._customers.cases(waiting[0].customer_id)

        def found(result: tuple[WrapUpDraftRecord, list[CaseSummary]] | None) -> None:
            if result is not None and result[0].id not in self._wrap_ups:
                self._open_wrap_up(result[0], result[1], restored=True)

        self._run(job, found, after_paint=after_paint)

    def log_contact(self) -> None:
        customer_id = self._need_customer()
        if customer_id is None:
            return

        def opened(cases: list[CaseSummary]) -> None:
            dialog = LogContactDialog(
                customer_id,
                cases,
                case_id=self._chosen_case(),
                customer_name=self._customer_name,
                parent=self._host(),
            )
            dialog.save_requested.connect(self._log)
            self._show(dialog)

        self._run(lambda: self._customers.cases(customer_id), opened)

    def new_case(
        self, prefill: NewCasePrefill | None = None, *, from_wrap_up: WrapUpDialog | None = None
    ) -> None:
        customer_id = from_wrap_up.draft.customer_id if from_wrap_up is not None else self._need_customer()
        if customer_id is None:
            return
        dialog = NewCaseDialog(
            customer_id,
            self._clock.now(),
            self._zone,
            prefill=prefill,
            customer_name=self._customer_name,
            parent=from_wrap_up or self._host(),
        )
        dialog.save_requested.connect(self._open_case)
        if from_wrap_up is not None:
            dialog.rejected.connect(from_wrap_up.new_case_cancelled)
        self._show(dialog)
        if from_wrap_up is not None:  # a step down and right: the wrap-up's call line stays in sight
            dialog.move(from_wrap_up.frameGeometry().topLeft() + QPoint(WRAP_UP_STEP, 2 * WRAP_UP_STEP))

    def update_case(self, case: CaseSummary | None = None) -> None:
        customer_id = self._need_customer()
        if customer_id is None:
            return
        chosen = case.id if case is not None else self._chosen_case()

        def job() -> list[CaseSummary]:
            late = self._cases.needing_update(customer_id)
            late_ids = {c.id for c in late}
            return late + [c for c in self._customers.cases(customer_id) if c.id not in late_ids]

        def opened(cases: list[CaseSummary]) -> None:
            first = chosen if chosen is not None else (cases[0].id if cases else None)
            dialog = CaseUpdateDialog(cases, chosen=first, parent=self._host())
            dialog.save_requested.connect(self._progress)
            self._show(dialog)

        self._run(job, opened)

    # -- the parts ---------------------------------------------------------------------------------

    def _open_wrap_up(
        self, draft: WrapUpDraftRecord, cases: Sequence[CaseSummary], *, restored: bool
    ) -> None:
        name = self._customer_name if draft.customer_id == self._customer_id else ""
        dialog = WrapUpDialog(
            draft, self.reasons, cases, self._zone, customer_name=name, restored=restored, parent=self._host()
        )
        self._wrap_ups[draft.id] = dialog
        dialog.edited.connect(self._drafts.keep)
        dialog.new_case_requested.connect(self._new_case_from_wrap_up)
        dialog.save_requested.connect(self._save_wrap_up)
        dialog.finished.connect(self._wrap_up_closed)
        self._show(dialog)

    def _draft_failed(self, words: str) -> None:
        self._say_refused(self.tr("the wrap-up draft could not be kept: %1").replace("%1", words))

    # Slots of the dialogs' signals find their dialog with sender(): a lambda holding the dialog,
    # connected to the dialog's own signal, would be a reference cycle through Qt.

    def _sender(self, kind: type[D]) -> D:
        dialog = self.sender()
        assert isinstance(dialog, kind)
        return dialog

    def _log_contact_clicked(self) -> None:
        self.log_contact()

    def _new_case_clicked(self) -> None:
        self.new_case()

    def _case_update_clicked(self) -> None:
        self.update_case()

    def _new_case_from_wrap_up(self, prefill: NewCasePrefill) -> None:
        self.new_case(prefill, from_wrap_up=self._sender(WrapUpDialog))

    def _wrap_up_closed(self, _result: int) -> None:
        self._wrap_ups.pop(self._sender(WrapUpDialog).draft.id, None)

    def _closed(self, _result: int) -> None:
        self._dialogs.discard(self._sender(QDialog))

    def _save_wrap_up(self, wrap: WrapUp) -> None:
        dialog = self._sender(WrapUpDialog)
        assert wrap.draft_id is not None
        draft_id = wrap.draft_id
        self._drafts.saving(draft_id)

        def failed(error: BaseException) -> None:
            self._drafts.save_ended(draft_id)
            if alive(dialog):
                self._drafts.keep(dialog.current())
            self._refuse(dialog, error)

        def done(_event_id: uuid.UUID) -> None:
            self._drafts.save_ended(draft_id)
            if alive(dialog):
                dialog.saved()

        words = self.reasons.words_for(wrap.reason_code) or self.tr("Call")
        text = self.tr("Call wrapped up: %1").replace("%1", words)
        job = partial(self._contacts.wrap_up, wrap)
        self._save(job, done, failed, ChangeKind.CONTACT, wrap.customer_id, text)

    def _log(self, entry: ContactEntry) -> None:
        dialog = self._sender(LogContactDialog)

        def done(_event_id: uuid.UUID) -> None:
            if alive(dialog):
                dialog.saved()

        self._save(
            lambda: self._contacts.log(entry),
            done,
            lambda error: self._refuse(dialog, error),
            ChangeKind.CONTACT,
            entry.customer_id,
            self.tr("Contact logged"),
        )

    def _open_case(self, request: NewCaseRequest) -> None:
        dialog = self._sender(NewCaseDialog)
        host = dialog.parent()
        wrap = host if isinstance(host, WrapUpDialog) else None

        def job() -> CaseSummary:
            return self._cases.open(
                request.customer_id,
                request.kind,
                request.title,
                target_at=request.target_at,
                reported_text=request.reported,
                next_step=request.next_step,
            )

        def done(case: CaseSummary) -> None:
            if wrap is not None and alive(wrap):
                wrap.add_case(case)
            if alive(dialog):
                if wrap is not None and alive(wrap):
                    dialog.rejected.disconnect(wrap.new_case_cancelled)
                dialog.saved()

        def said(case: CaseSummary) -> str:
            return self.tr("%1 opened: %2").replace("%1", case.reference).replace("%2", case.title)

        fail = partial(self._refuse, dialog)
        self._save(job, done, fail, ChangeKind.CASE, request.customer_id, said)

    def _progress(self, request: ProgressRequest) -> None:
        dialog = self._sender(CaseUpdateDialog)

        def job() -> CaseSummary:
            return self._cases.update_progress(
                request.case, request.next_step, request.done, request.customer_told
            )

        def done(_case: CaseSummary) -> None:
            if alive(dialog):
                dialog.saved()

        def said(case: CaseSummary) -> str:
            return self.tr("Progress recorded on %1").replace("%1", case.reference)

        fail = partial(self._refuse, dialog)
        self._save(job, done, fail, ChangeKind.CASE, self._customer_id, said)

    def _need_customer(self) -> uuid.UUID | None:
        if self._customer_id is None:
            self._say_refused(self.tr("open a customer first"))
        return self._customer_id

    def _host(self) -> QWidget | None:
        parent = self.parent()
        return parent if isinstance(parent, QWidget) else None

    def _show(self, dialog: QDialog) -> None:
        self._dialogs.add(dialog)
        dialog.finished.connect(self._closed)
        self.dialog_requested.emit(dialog)  # the base's one-dialog tracking is not used: several may be open

    def open_dialogs(self) -> list[QDialog]:
        """The record dialogs shown and not closed yet (tests, and the window when it closes)."""
        return list(self._dialogs)
