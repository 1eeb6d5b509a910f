"""Cases: the open customer's case list, its acts enabled from what the case rules allow, ownership
(take over, hand over), the update prompt, and asking for a case's service dates."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Signal

from console.case_rules import CaseAction, CaseRuleError, allowed_actions
from console.clock import Clock
from domain.records import CaseSummary, CustomerProfile, UserRecord
from widgets.cases.actions import CaseActions, CaseHost
from widgets.cases.model import CaseModel
from widgets.cases.ownership_dialog import OwnershipDialog, OwnershipRequest
from widgets.cases.panel import CasePanel
from widgets.controller import Controller, weak
from widgets.jobs import Change, ChangeKind, Jobs
from widgets.pane.loading import CustomerWork

if TYPE_CHECKING:
    from widgets.workbench import Workbench

log = logging.getLogger(__name__)


class CasesController(Controller):
    """Owns the case panel and the case acts."""

    # "Service dates…" for a case (the compensation flow reads and edits them): carries the case.
    service_dates_requested = Signal(object)

    def __init__(
        self,
        jobs: Jobs,
        workbench: Workbench | None,
        clock: Clock,
        zone: ZoneInfo,
        profile: Callable[[], CustomerProfile | None],
        can_act: Callable[[], CustomerProfile | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._jobs, self._workbench, self._clock = jobs, workbench, clock
        self._profile, self._can_act = profile, can_act
        self._colleagues: list[UserRecord] = []
        self.model = CaseModel(clock, self)
        self.panel = CasePanel(self.model)
        self.view = self.panel.view
        self.actions = CaseActions(
            CaseHost(
                jobs,
                clock,
                zone,
                workbench,
                weak(self.selected),
                can_act,
                weak(self.allowing),
                weak(self.select),
            ),
            self.panel,
        )
        self.actions.dialog_requested.connect(self.dialog_requested)
        self.actions.message.connect(self.message)
        self.panel.add_acts(self.actions.menu_actions, self.actions.buttons(self.panel))
        self.panel.take_over_action.triggered.connect(self.take_over)
        self.panel.hand_over_action.triggered.connect(self.hand_over)
        self.panel.service_dates_action.triggered.connect(self.edit_service_dates)
        self.view.selectionModel().currentRowChanged.connect(self.update_actions)
        self.model.modelReset.connect(self.update_actions)

    def show_work(self, work: CustomerWork) -> None:
        self.model.set_cases(work.cases)
        self._show_update_prompt(work.needing_update)
        self.update_title()

    def set_colleagues(self, colleagues: list[UserRecord]) -> None:
        self._colleagues = list(colleagues)

    @property
    def cases(self) -> list[CaseSummary]:
        return self.model.cases

    def with_selection(self) -> tuple[list[CaseSummary], CaseSummary | None]:
        """The customer's cases and the one selected (what a goodwill dialog starts from)."""
        return self.model.cases, self.selected()

    def selected(self) -> CaseSummary | None:
        index = self.view.currentIndex()
        return self.model.case_at(index.row()) if index.isValid() else None

    def allowing(self, act: CaseAction) -> list[CaseSummary]:
        """The customer's cases the rules allow `act` on now (for a key pressed with none selected)."""
        workbench = self._workbench
        if workbench is None or self._profile() is None:
            return []
        now = self._clock.now()
        return [case for case in self.model.cases if act in allowed_actions(case, now, workbench.user.id)]

    def select(self, case: CaseSummary) -> None:
        rows = [row for row, shown in enumerate(self.model.cases) if shown.id == case.id]
        if rows:
            self.view.setCurrentIndex(self.model.index(rows[0], 0))

    def show_state(self, _off: str | None = None) -> None:
        """Title, empty text and the acts enabled, for the customer shown (or nobody)."""
        self.update_title()
        self.update_empty_text()
        self.update_actions()

    def update_actions(self, *_: object) -> None:
        """Enable only what the rules allow on the selected case now (the service checks again)."""
        case, workbench = self.selected(), self._workbench
        acting = workbench is not None and self._profile() is not None
        allowed = (
            allowed_actions(case, self._clock.now(), workbench.user.id)
            if acting and case is not None and workbench is not None
            else frozenset[CaseAction]()
        )
        self.panel.take_over_action.setEnabled(CaseAction.TAKE_OVER in allowed)
        self.panel.hand_over_action.setEnabled(CaseAction.HAND_OVER in allowed)
        self.panel.service_dates_action.setEnabled(CaseAction.SERVICE_DATES in allowed)
        keyed = frozenset(
            act for act in (CaseAction.RESOLVE, CaseAction.CONFIRM) if case is None and self.allowing(act)
        )
        self.actions.update(allowed, keyed)

    def update_title(self) -> None:
        total, open_cases, awaiting = self.model.rowCount(), self.model.open_count, self.model.awaiting_count
        waiting = self.tr("%1 awaiting confirmation").replace("%1", str(awaiting))
        if total == 0:
            text = self.tr("Cases")
        elif open_cases == 0:  # a fix not yet confirmed is still work: never "none open" then
            text = self.tr("Cases: %1").replace("%1", waiting) if awaiting else self.tr("Cases: none open")
        else:
            text = self.tr("Cases: %1 open").replace("%1", str(open_cases))
            if awaiting:
                text = self.tr("%1, %2").replace("%1", text).replace("%2", waiting)
        self.panel.title.setText(text)

    def update_empty_text(self) -> None:
        opened = self._profile() is not None
        self.view.set_empty_text(self.tr("No cases recorded for this customer.") if opened else "")

    def _show_update_prompt(self, needing_update: list[CaseSummary]) -> None:
        prompt = self.panel.update_prompt
        if not needing_update:
            self.panel.hide_prompt()
            return
        references = ", ".join(case.reference for case in needing_update)
        prompt.setText(
            self.tr(
                "%1: past target with no update — promise the customer a progress update (Ctrl+B)"
            ).replace("%1", references)
        )
        prompt.show()

    def edit_service_dates(self) -> None:
        """Service dates… for the selected case: the dates the compensation scheme is worked out from."""
        if self._can_act() is not None:
            self.service_dates_requested.emit(self.selected())

    # -- ownership --------------------------------------------------------------------------------

    def take_over(self) -> OwnershipDialog | None:
        return self._ownership_dialog(taking=True)

    def hand_over(self) -> OwnershipDialog | None:
        return self._ownership_dialog(taking=False)

    def _ownership_dialog(self, *, taking: bool) -> OwnershipDialog | None:
        if self._can_act() is None:
            return None
        case = self.selected()
        if case is None:
            self.say(self.tr("Choose a case in the list first."))
            return None
        parent = self.panel.window()
        dialog = OwnershipDialog(case, taking=taking, colleagues=self._colleagues, parent=parent)
        self.open_dialog(dialog, self._save_ownership)
        return dialog

    def _save_ownership(self, request: OwnershipRequest) -> None:
        workbench, dialog = self._workbench, self.dialog
        if workbench is None or not isinstance(dialog, OwnershipDialog):
            return
        case, note, to_user = dialog.case, request.note, request.to_user_id
        if dialog.taking or to_user is None:
            job = lambda: workbench.cases.take_over(case, note)  # noqa: E731
        else:
            job = lambda: workbench.cases.hand_over(case, to_user, note)  # noqa: E731

        def moved(case: CaseSummary) -> Change:
            text = (
                self.tr("%1 is now owned by %2")
                .replace("%1", case.reference)
                .replace("%2", case.owner_name or "")
            )
            return Change(ChangeKind.CASE, case.customer_id, text)

        self._jobs.change(job, lambda _case: self.saved_in(dialog), announce=moved).failed(
            lambda error: self.refuse(
                dialog, error, (CaseRuleError,), self.tr("the case owner was not changed: %1")
            )
        ).run()
