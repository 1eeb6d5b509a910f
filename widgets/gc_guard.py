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

    def check(self) -> None:
        """Collect the generations whose allocation counts are over their thresholds, youngest first."""
        young, middle, old = gc.get_count()
        if young > self._threshold[0]:
            gc.collect(0)
            if middle > self._threshold[1]:
                gc.collect(1)
                if old > self._threshold[2] and time.monotonic() - self._last_full >= self.FULL_EVERY_S:
                    gc.collect(2)
                    self._last_full = time.monotonic()
