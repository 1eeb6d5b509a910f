"""The window's compensation work, kept out of the main window: opening "Service dates…" for a case
and saving it, and answering the goodwill dialog's question of what the scheme owes on a case. Reads
and writes go through the background reader; rules stay in console/."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QWidget

from console.clock import Clock
from console.compensation import FactsError, SchemeError, ServiceFacts, Suggestion
from storage.records import CaseServiceDates, CaseSummary
from widgets.background import BackgroundReader
from widgets.goodwill_dialogs import GoodwillDialog
from widgets.service_dates_dialog import ServiceDatesDialog
from widgets.workbench import Workbench

log = logging.getLogger(__name__)


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


class CompensationFlow(QObject):
    """Built by the window with what it needs; the window keeps one dialog open at a time."""

    # A suggestion (or None) reached a goodwill dialog: carries the case id (for tests).
    suggestion_shown = Signal(object)

    def __init__(
        self,
        window: QWidget,
        reader: BackgroundReader,
        workbench: Workbench | None,
        clock: Clock,
        zone: ZoneInfo,
        open_dialog: Callable[[QDialog], None],
        changed: Callable[[str], None],
        cannot: Callable[[str], None],
    ) -> None:
        super().__init__(window)
        self._window = window
        self._reader = reader
        self._workbench = workbench
        self._clock = clock
        self._zone = zone
        self._open_dialog = open_dialog
        self._changed = changed
        self._cannot = cannot
        self.dialog: ServiceDatesDialog | None = None
        self.goodwill_dialog: GoodwillDialog | None = None

    # -- Service dates… ---------------------------------------------------------------------------

    def edit_dates(self, case: CaseSummary | None) -> None:
        """Read the case's service dates off the UI thread, then open the dialog on them."""
        workbench = self._workbench
        if workbench is None or case is None:
            self._cannot(self.tr("Choose a case first."))
            return
        self._reader.submit(
            lambda: workbench.compensation.dates(case.id), self._open_dates, self._read_failed
        )

    def _open_dates(self, dates: CaseServiceDates) -> None:
        dialog = ServiceDatesDialog(dates, self._zone, self._clock.now(), self._window)
        dialog.save_requested.connect(self._save_dates)
        self.dialog = dialog
        dialog.finished.connect(self._closed)
        self._open_dialog(dialog)

    def _closed(self) -> None:
        self.dialog = None

    def _read_failed(self, error: BaseException) -> None:
        log.warning("reading service dates failed: %s", error)
        self._cannot(self.tr("Could not read the case's service dates: %1").replace("%1", _first_line(error)))

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
        self._changed(self.tr("Service dates recorded on %1").replace("%1", dates.reference))

    def _dates_refused(self, error: BaseException) -> None:
        if isinstance(error, FactsError):
            text = str(error)
        else:
            log.warning("recording service dates failed: %s", error)
            text = self.tr("the dates could not be saved: %1").replace("%1", _first_line(error))
        if self.dialog is not None:
            self.dialog.show_error(text)
        else:
            self._cannot(text)

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
                self.goodwill_dialog.show_suggestion_problem(case_id, _first_line(error))
                self.suggestion_shown.emit(case_id)

        self._reader.submit(lambda: workbench.compensation.suggestion(case_id), shown, failed)
