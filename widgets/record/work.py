"""What the record controller runs its work through: reads and saves on the window's job runner
(a save announces a `Change` of the customer), and a refusal said at the dialog and the status bar."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal
from shiboken6 import Shiboken

from widgets.controller import Controller
from widgets.dialog_parts import SaveDialog, sentence
from widgets.jobs import Change, ChangeKind, Jobs

log = logging.getLogger(__name__)
T = TypeVar("T")


class RecordWork(Controller):
    # Something was written down: one line (also announced as a Change through the jobs).
    saved = Signal(str)
    # Something could not be done or saved (one line, also said in the status bar); a dialog also
    # shows it at its fields.
    refused = Signal(str)

    def __init__(self, jobs: Jobs, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs

    def _run(self, job: Callable[[], T], on_done: Callable[[T], None], *, after_paint: bool = False) -> None:
        """Read on the worker (`after_paint`: once this turn's layout and paint are done)."""
        reading = self._jobs.read(job, on_done).failed(self._read_failed)
        if after_paint:
            reading.run_after_paint()
        else:
            reading.run()

    def _save(
        self,
        job: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None],
        kind: ChangeKind,
        customer_id: uuid.UUID | None,
        text: str | Callable[[T], str],
    ) -> None:
        """A write: once done, `saved` and a Change of `customer_id` (the pane, cases, offers re-read)."""

        def announce(result: T) -> Change:
            words = text(result) if callable(text) else text
            self.saved.emit(words)
            return Change(kind, customer_id, words)

        self._jobs.change(job, on_done, announce=announce).failed(on_error).run()

    def _refuse(self, dialog: SaveDialog, error: BaseException) -> None:
        if isinstance(error, ValueError):
            words = str(error)
        else:
            log.error("saving from %s failed", dialog.objectName(), exc_info=error)
            words = self.tr("could not save (%1): try again").replace("%1", type(error).__name__)
        if alive(dialog):
            dialog.show_error(words)
        self._say_refused(words)

    def _say_refused(self, words: str) -> None:
        self.refused.emit(sentence(words))
        self.say(sentence(words))

    def _read_failed(self, error: BaseException) -> None:
        log.error("reading for a record dialog failed", exc_info=error)
        self._say_refused(self.tr("could not read the customer's cases (%1)").replace("%1", str(error)))


def alive(widget: QObject) -> bool:
    """Still there: the window deletes a dialog on close, and a save may finish after that."""
    return Shiboken.isValid(widget)
