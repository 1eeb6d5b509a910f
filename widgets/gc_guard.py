"""Run Python's cycle collector on the GUI thread only, so Qt objects are never freed on a worker thread.

CPython collects cycles on whichever thread happens to allocate when a threshold is crossed; our
background reader allocates a lot (SQLAlchemy rows). If a cycle that holds a Qt wrapper is freed
there, Qt deletes a widget off the GUI thread and the process crashes. With automatic collection
off and a timer collecting on the GUI thread (calibre does the same), that cannot happen.
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QObject, QTimer


class GuiThreadGarbageCollector(QObject):
    """While started, automatic collection is off and this collects on the GUI thread, by generation."""

    # A full collection walks every object (a 50,000-event history is a few hundred thousand): at most
    # this often. CPython's own collector also holds back full collections, until a quarter more
    # long-lived objects have piled up; calling gc.collect(2) by hand bypasses that.
    FULL_EVERY_S = 60.0
    # While the user scrolls a long list a full collection (about 0.1 s with a 50,000-event history
    # held) waits until they have paused this long, but never more than LONGEST_WAIT_S after it fell due.
    PAUSE_S = 2.0
    LONGEST_WAIT_S = 300.0
    _held_until = 0.0  # monotonic time; one collector per process, like the collection itself

    def __init__(self, parent: QObject | None = None, interval_ms: int = 1000) -> None:
        super().__init__(parent)
        self._last_full = time.monotonic()
        self._threshold = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()

    @classmethod
    def hold_full_collection(cls) -> None:
        """The user is scrolling: put a full collection off until they pause (see PAUSE_S)."""
        cls._held_until = time.monotonic() + cls.PAUSE_S

    def _full_collection_due(self) -> bool:
        since = time.monotonic() - self._last_full
        if since < self.FULL_EVERY_S:
            return False
        return time.monotonic() >= self._held_until or since >= self.LONGEST_WAIT_S

    def check(self) -> None:
        """Collect the generations whose allocation counts are over their thresholds, youngest first."""
        young, middle, old = gc.get_count()
        if young > self._threshold[0]:
            gc.collect(0)
            if middle > self._threshold[1]:
                gc.collect(1)
                if old > self._threshold[2] and self._full_collection_due():
                    gc.collect(2)
                    self._last_full = time.monotonic()
