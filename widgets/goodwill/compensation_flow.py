"""The compensation work of the window: opening "Service dates…" for a case and saving it, and answering
the goodwill dialog's question of what the scheme owes on a case. Store work goes through the job
runner; rules stay in console/."""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from console.clock import Clock
from console.compensation import FactsError, SchemeError, ServiceFacts, Suggestion
from domain.errors import first_line
from domain.records import CaseServiceDates, CaseSummary
from widgets.cases.service_dates_dialog import ServiceDatesDialog
from widgets.controller import Controller
from widgets.goodwill.dialogs import GoodwillDialog
from widgets.jobs import Change, ChangeKind, Jobs

if TYPE_CHECKING:
    from widgets.workbench import Workbench

log = logging.getLogger(__name__)


class CompensationFlow(Controller):
    """Owned by the goodwill controller, which forwards its dialogs and status lines to the window."""

    # A suggestion (or None) reached a goodwill dialog: carries the case id (for tests).
    suggestion_shown = Signal(object)

    def __init__(
        self,
        jobs: Jobs,
        workbench: Workbench | None,
        clock: Clock,
        zone: ZoneInfo,
        dialog_parent: QWidget,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._workbench = workbench
        self._clock = clock
        self._zone = zone
        self._dialog_parent = dialog_parent
        self.goodwill_dialog: GoodwillDialog | None = None

    # -- Service dates… ---------------------------------------------------------------------------

    def edit_dates(self, case: CaseSummary | None) -> None:
        """Read the case's service dates off the UI thread, then open the dialog on them."""
        workbench = self._workbench
        if workbench is None or case is None:
            self.say(self.tr("Choose a case first."))
            return
        self._jobs.read(lambda: workbench.compensation.dates(case.id), self._open_dates).failed(
            self._read_failed
        ).run()

    def _open_dates(self, dates: CaseServiceDates) -> None:
        dialog = ServiceDatesDialog(dates, self._zone, self._clock.now(), self._dialog_parent.window())
        self.open_dialog(dialog, self._save_dates)

    def _read_failed(self, error: BaseException) -> None:
        log.warning("reading service dates failed: %s", error)
        self.say(self.tr("Could not read the case's service dates: %1").replace("%1", first_line(error)))

    def _save_dates(self, facts: ServiceFacts) -> None:
        dialog, workbench = self.dialog, self._workbench
        if not isinstance(dialog, ServiceDatesDialog) or workbench is None:
            return
        dates = dialog.dates
        self._jobs.change(
            lambda: workbench.compensation.record(dates, facts),
            lambda _d: self.saved_in(dialog),
            announce=self._recorded,
        ).failed(
            lambda error: self.refuse(
                dialog, error, (FactsError,), self.tr("the dates could not be saved: %1")
            )
        ).run()

    def _recorded(self, dates: CaseServiceDates) -> Change:
        text = self.tr("Service dates recorded on %1").replace("%1", dates.reference)
        return Change(ChangeKind.SERVICE_DATES, dates.customer_id, text)

    # -- suggestions in the goodwill dialog -------------------------------------------------------

    def attach(self, dialog: GoodwillDialog) -> None:
        """Answer `dialog`'s questions about what the scheme owes, and ask the first one now."""
        self.goodwill_dialog = dialog
        dialog.suggestion_requested.connect(self._suggest)
        dialog.finished.connect(self._goodwill_closed)
        dialog.request_suggestion()

    def _goodwill_closed(self) -> None:
        self.goodwill_dialog = None

    def _suggest(self, case_id: uuid.UUID) -> None:
        workbench = self._workbench
        if workbench is None:
            return

        def shown(suggestion: Suggestion | None) -> None:
            if self.goodwill_dialog is not None:
                self.goodwill_dialog.show_suggestion(case_id, suggestion)
                self.suggestion_shown.emit(case_id)

        def failed(error: BaseException) -> None:
            if not isinstance(error, SchemeError | FactsError):
                log.warning("working out compensation failed: %s", error)
            if self.goodwill_dialog is not None:
                self.goodwill_dialog.show_suggestion_problem(case_id, first_line(error))
                self.suggestion_shown.emit(case_id)

        self._jobs.read(lambda: workbench.compensation.suggestion(case_id), shown).failed(failed).run()
