"""Store work off the UI thread, configured then run: a read delivers its result, a change also
announces one `Change` notice that every feature controller listens to. Built on the one worker
(BackgroundReader), so all store work stays serialised on one thread.

    jobs.read(lambda: service.worklist(), show).failed(tell).latest("worklist").run()
    jobs.change(lambda: service.make(...), made, announce=lambda p: Change(...)).failed(refused).run()
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, Signal

from widgets.background import BackgroundReader

T = TypeVar("T")

log = logging.getLogger(__name__)


class ChangeKind(StrEnum):
    """What kind of thing a saved change touched: each controller refreshes only what concerns it."""

    PROMISE = "promise"
    HANDOFF = "handoff"
    CASE = "case"
    CONTACT = "contact"  # a contact written down (a call's wrap-up, one logged by hand)
    GOODWILL = "goodwill"
    SERVICE_DATES = "service dates"
    DETAILS = "details"  # a customer's phones, email, address… changed or brought back
    TEAM = "team"  # the supervisor board moved work between people
    ARRIVED = "arrived"  # the sync engine brought others' changes from the server


@dataclass(frozen=True)
class Change:
    """One change: its kind, the customer it concerns (None: several or unknown), one line for the
    status bar ("" for none). `here`: saved by this window's user (False: found changed by someone
    else, or by the system, e.g. an escalation): only the user's own changes are `change_saved`."""

    kind: ChangeKind
    customer_id: uuid.UUID | None
    text: str
    here: bool = True

    def concerns(self, customer_id: uuid.UUID | None) -> bool:
        """Whether the customer `customer_id` (the open one) may have changed."""
        return customer_id is not None and self.customer_id in (None, customer_id)


def _ignore(_value: object) -> None:
    return None


class Job(Generic[T]):
    """One job, configured by chaining (`failed`, `latest`), started by `run`."""

    def __init__(
        self,
        jobs: Jobs,
        work: Callable[[], T],
        done: Callable[[T], None],
        announce: Callable[[T], Change | None] | None,
    ) -> None:
        self._jobs = jobs
        self._work = work
        self._done = done
        self._announce = announce
        self._failed: Callable[[BaseException], None] = self._log
        self._key: Hashable | None = None

    def failed(self, on_error: Callable[[BaseException], None]) -> Job[T]:
        """Call `on_error` on the UI thread if the job raises (by default the error is only logged)."""
        self._failed = on_error
        return self

    def latest(self, key: Hashable) -> Job[T]:
        """Latest wins: a result (or error) of an older job under the same key is dropped."""
        self._key = key
        return self

    def run(self) -> Future[T] | None:
        """Submit to the worker; None once the worker is shut down (the window is closing)."""
        ticket = self._jobs.stamp(self._key) if self._key is not None else 0
        return self._jobs.reader.submit(
            self._work,
            lambda result: self._deliver(ticket, result),
            lambda error: self._fail(ticket, error),
        )

    def run_after_paint(self) -> None:
        """Submit once this turn's layout and paint are done: follow-up work of what was just shown."""
        ticket = self._jobs.stamp(self._key) if self._key is not None else 0
        self._jobs.reader.submit_after_paint(
            self._work,
            lambda result: self._deliver(ticket, result),
            lambda error: self._fail(ticket, error),
        )

    def run_now(self) -> None:
        """Run on the calling thread (screenshots, start-up with a known account): same deliveries."""
        ticket = self._jobs.stamp(self._key) if self._key is not None else 0
        try:
            result = self._work()
        except Exception as error:  # said where the job says, as when run on the worker
            self._fail(ticket, error)
        else:
            self._deliver(ticket, result)

    def _current(self, ticket: int) -> bool:
        return self._key is None or self._jobs.is_latest(self._key, ticket)

    def _deliver(self, ticket: int, result: T) -> None:
        if not self._current(ticket):
            return
        self._done(result)
        change = self._announce(result) if self._announce is not None else None
        if change is not None:
            self._jobs.changed.emit(change)

    def _fail(self, ticket: int, error: BaseException) -> None:
        if self._current(ticket):
            self._failed(error)

    @staticmethod
    def _log(error: BaseException) -> None:
        log.warning("a background job failed: %s", error)


class Jobs(QObject):
    """The window's one job runner, shared by every controller."""

    # A change was saved: carries the Change (every controller listens, the window shows its text).
    changed = Signal(object)

    def __init__(self, reader: BackgroundReader, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.reader = reader
        self._stamps: dict[Hashable, int] = {}

    def read(self, work: Callable[[], T], done: Callable[[T], None] = _ignore) -> Job[T]:
        """A job that only reads: `done` gets its result on the UI thread."""
        return Job(self, work, done, None)

    def change(
        self,
        work: Callable[[], T],
        done: Callable[[T], None] = _ignore,
        *,
        announce: Callable[[T], Change | None],
    ) -> Job[T]:
        """A job that writes: after `done`, the Change `announce` makes of the result (if any) goes out."""
        return Job(self, work, done, announce)

    def stamp(self, key: Hashable) -> int:
        """A new ticket under `key`: every job under it from before is now stale."""
        ticket = self._stamps.get(key, 0) + 1
        self._stamps[key] = ticket
        return ticket

    def current(self, key: Hashable) -> int:
        """The ticket of the latest job under `key` (without making a new one)."""
        return self._stamps.get(key, 0)

    def is_latest(self, key: Hashable, ticket: int) -> bool:
        return self._stamps.get(key, 0) == ticket

    def announce(self, change: Change) -> None:
        """Tell every controller of a change saved elsewhere (the board, the sync engine)."""
        self.changed.emit(change)

    @property
    def busy(self) -> bool:
        return self.reader.busy

    def shutdown(self) -> None:
        self.reader.shutdown()
