"""The window's compensation work, kept out of the main window: opening "Service dates…" for a case
and saving it, and answering the goodwill dialog's question of what the scheme owes on a case. Reads
and writes go through the background reader; rules stay in console/."""

from __future__ import annotations

import logging
import uuid
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from console.clock import Clock
from console.compensation import FactsError, SchemeError, ServiceFacts, Suggestion
from domain.errors import first_line
from domain.records import CaseServiceDates, CaseSummary
from widgets.background import BackgroundReader
from widgets.cases.service_dates_dialog import ServiceDatesDialog
from widgets.goodwill.dialogs import GoodwillDialog
from widgets.workbench import Workbench

log = logging.getLogger(__name__)


class CompensationFlow(QObject):
    """A child of the goodwill panel. It holds no reference to the window (that would be a cycle only
    the collector frees); it asks the window through signals, which the goodwill controller forwards."""

    # A suggestion (or None) reached a goodwill dialog: carries the case id (for tests).
    suggestion_shown = Signal(object)
    # The Service dates dialog is ready for the window to open (one dialog at a time): carries it.
    dialog_requested = Signal(object)
    # The service dates were recorded: carries a one-line description for the status bar.
    dates_saved = Signal(str)
    # The flow cannot go on: carries a one-line message for the status bar.
    refused = Signal(str)

    def __init__(
        self,
        parent: QWidget,
        reader: BackgroundReader,
        workbench: Workbench | None,
        clock: Clock,
        zone: ZoneInfo,
    ) -> None:
        super().__init__(parent)
        self._reader = reader
        self._workbench = workbench
        self._clock = clock
        self._zone = zone
        self.dialog: ServiceDatesDialog | None = None
        self.goodwill_dialog: GoodwillDialog | None = None

    # -- Service dates… ---------------------------------------------------------------------------

    def edit_dates(self, case: CaseSummary | None) -> None:
        """Read the case's service dates off the UI thread, then open the dialog on them."""
        workbench = self._workbench
        if workbench is None or case is None:
            self.refused.emit(self.tr("Choose a case first."))
            return
        self._reader.submit(
            lambda: workbench.compensation.dates(case.id), self._open_dates, self._read_failed
        )

    def _open_dates(self, dates: CaseServiceDates) -> None:
        parent = self.parent()
        assert isinstance(parent, QWidget)
        dialog = ServiceDatesDialog(dates, self._zone, self._clock.now(), parent.window())
        dialog.save_requested.connect(self._save_dates)
        self.dialog = dialog
        dialog.finished.connect(self._closed)
        self.dialog_requested.emit(dialog)

    def _closed(self) -> None:
        self.dialog = None

    def _read_failed(self, error: BaseException) -> None:
        log.warning("reading service dates failed: %s", error)
        self.refused.emit(
            self.tr("Could not read the case's service dates: %1").replace("%1", first_line(error))
        )

    def _save_dates(self, facts: ServiceFacts) -> None:
        dialog, workbench = self.dialog, self._workbench
        if dialog is None or workbench is None:
            return
        dates = dialog.dates
        self._reader.submit(
            lambda: workbench.compensation.record(dates, facts), self._dates_saved, self._dates_refused
        )

    def _dates_saved(self, dates: CaseServiceDates) -> None:
        if self.dialog is not None:
            self.dialog.saved()
        self.dates_saved.emit(self.tr("Service dates recorded on %1").replace("%1", dates.reference))

    def _dates_refused(self, error: BaseException) -> None:
        if isinstance(error, FactsError):
            text = str(error)
        else:
            log.warning("recording service dates failed: %s", error)
            text = self.tr("the dates could not be saved: %1").replace("%1", first_line(error))
        if self.dialog is not None:
            self.dialog.show_error(text)
        else:
            self.refused.emit(text)

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

        self._reader.submit(lambda: workbench.compensation.suggestion(case_id), shown, failed)
