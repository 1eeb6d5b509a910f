"""The wrap-up's draft kept on every edit: one write at a time on the window's worker, the newest edit
of each draft winning, none while that wrap-up is being saved."""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from domain.records import WrapUpDraftRecord
from widgets.jobs import Jobs

if TYPE_CHECKING:
    from console.services.contacts import ContactService

log = logging.getLogger(__name__)


class DraftKeeper(QObject):
    # A draft could not be written: carries the error's words.
    failed = Signal(str)

    def __init__(self, jobs: Jobs, contacts: ContactService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._contacts = contacts
        self._next: dict[uuid.UUID, WrapUpDraftRecord] = {}
        self._busy = False
        self._saving: set[uuid.UUID] = set()

    @property
    def busy(self) -> bool:
        """A draft or a save is still being written (tests wait for it)."""
        return self._busy or bool(self._saving)

    def keep(self, draft: WrapUpDraftRecord) -> None:
        if draft.id in self._saving:
            return
        self._next[draft.id] = draft
        if not self._busy:
            self._write_next()

    def saving(self, draft_id: uuid.UUID) -> None:
        """The wrap-up is being saved (its draft goes with the save): no more draft writes for it."""
        self._saving.add(draft_id)
        self._next.pop(draft_id, None)

    def save_ended(self, draft_id: uuid.UUID) -> None:
        self._saving.discard(draft_id)

    def _write_next(self, _done: object = None) -> None:
        self._busy = False
        if not self._next:
            return
        _, draft = self._next.popitem()
        job = self._jobs.read(lambda: self._contacts.save_draft(draft), self._write_next)
        self._busy = job.failed(self._write_failed).run() is not None

    def _write_failed(self, error: BaseException) -> None:
        log.error("wrap-up draft not kept", exc_info=error)
        self.failed.emit(str(error))
        self._write_next()
