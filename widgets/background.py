"""Reads off the UI thread: one worker thread runs service calls, results come back as Qt signals.

Everything that touches the store runs on the same single worker, so reads are serialised and the
UI thread only ever sees finished, frozen records. Results are delivered through a queued signal,
so they always arrive on the UI thread in a later turn of the event loop (never re-entrantly),
whatever loop drives Qt: `QApplication.exec`, qasync, or `qtbot.waitUntil` in a test.

The worker thread never holds the reader itself, only a weak reference, and it signals through a
mailbox that lives as long as the process: a window deleted while its read runs is then neither
signalled from the worker (a deleted QObject) nor freed there (its widgets off the GUI thread).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal

T = TypeVar("T")


class _Delivery:
    """What a finished job hands back: its result or its exception, and who wants to know."""

    __slots__ = ("cancelled", "error", "key", "reader", "result")

    def __init__(
        self,
        reader: weakref.ref[BackgroundReader],
        key: int,
        result: Any = None,
        error: BaseException | None = None,
        *,
        cancelled: bool = False,
    ) -> None:
        self.reader = reader
        self.key = key
        self.result = result
        self.error = error
        self.cancelled = cancelled


class _Mailbox(QObject):
    """Carries finished jobs to the UI thread; made there once and never deleted, so a worker thread
    can always signal it, whatever has become of the reader that started the job."""

    arrived = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.arrived.connect(self._hand_over, Qt.ConnectionType.QueuedConnection)

    def _hand_over(self, delivery: _Delivery) -> None:
        reader = delivery.reader()
        if reader is not None and shiboken6.isValid(reader):
            reader._deliver(delivery)


_mailbox: _Mailbox | None = None


def _the_mailbox() -> _Mailbox:
    """The mailbox, made on first use: a reader is made on the UI thread, so the mailbox lives there."""
    global _mailbox
    if _mailbox is None:
        _mailbox = _Mailbox()
    return _mailbox


class BackgroundReader(QObject):
    """Runs blocking reads on one worker thread; `submit` callbacks run on the UI thread."""

    # Number of jobs submitted and not yet delivered changed (tests and busy indicators watch it).
    busy_changed = Signal(bool)

    def __init__(self, executor: Executor | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._owns_executor = executor is None
        self._executor = executor or ThreadPoolExecutor(max_workers=1, thread_name_prefix="console-read")
        self._pending = 0
        self._closed = False
        self._serial = 0
        self._callbacks: dict[int, tuple[Callable[[Any], None], Callable[[BaseException], None]]] = {}
        self._mailbox = _the_mailbox()

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def submit(
        self,
        job: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None],
    ) -> Future[T] | None:
        """Start `job` on the worker; None once the reader is shut down (the window is closing)."""
        if self._closed:
            return None
        # The callbacks (which usually hold the window) stay with the reader, on the UI thread: if the
        # worker thread held the last reference to them, dropping it there would delete Qt widgets
        # off the GUI thread once the window has gone.
        self._serial += 1
        key = self._serial
        self._callbacks[key] = (on_done, on_error)
        future = self._executor.submit(job)
        self._set_pending(self._pending + 1)
        future.add_done_callback(partial(_finished, self._mailbox, weakref.ref(self), key))
        return future

    def submit_after_paint(
        self,
        job: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        """`submit` once this turn's layout and paint are done (Qt paints before its timers fire), so
        the job does not hold the GIL while the UI paints; the reader is busy from now."""
        self._set_pending(self._pending + 1)

        def start() -> None:
            self.submit(job, on_done, on_error)
            self._set_pending(max(self._pending - 1, 0))

        QTimer.singleShot(0, self, start)

    def _deliver(self, delivery: _Delivery) -> None:
        self._set_pending(max(self._pending - 1, 0))
        callbacks = self._callbacks.pop(delivery.key, None)
        if self._closed or delivery.cancelled or callbacks is None:
            return
        on_done, on_error = callbacks
        if delivery.error is not None:
            on_error(delivery.error)
        else:
            on_done(delivery.result)

    def cancel(self, future: Future[Any] | None) -> None:
        """Drop a job that has not started yet; one already running finishes and is ignored by its caller."""
        if future is not None:
            future.cancel()

    def _set_pending(self, value: int) -> None:
        was_busy = self.busy
        self._pending = value
        if self.busy != was_busy:
            self.busy_changed.emit(self.busy)

    def shutdown(self) -> None:
        """Stop taking jobs, drop queued ones, wait for the running one: then nothing reads the store."""
        if self._closed:
            return
        self._closed = True
        if self._owns_executor:
            self._executor.shutdown(wait=True, cancel_futures=True)
        self._callbacks.clear()


def _finished(
    mailbox: _Mailbox, reader: weakref.ref[BackgroundReader], key: int, future: Future[Any]
) -> None:
    """Runs on the worker thread (or on the UI thread for a future cancelled before it started):
    hands the outcome to the mailbox, touching neither the reader nor any widget."""
    if future.cancelled():
        delivery = _Delivery(reader, key, cancelled=True)
    else:
        error = future.exception()
        delivery = _Delivery(reader, key, None if error else future.result(), error)
    mailbox.arrived.emit(delivery)
