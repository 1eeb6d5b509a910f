"""The window's one shared ticker: a single one-second timer that moves every live countdown on."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from console.clock import Clock


class Tickable(Protocol):
    def tick(self, now: datetime) -> None:
        """The time is now `now`: announce what changed (cheaply: no reset, no per-row work)."""
        ...


class Ticker(QObject):
    """One QTimer for the whole window, whatever the number of promises; the time comes from the clock.

    Tests do not wait for the timer: they move a ManualClock and call `tick()` themselves.
    """

    # A tick ran: carries the clock's time it ran at (datetime, UTC).
    ticked = Signal(object)

    def __init__(self, clock: Clock, interval_ms: int = 1000, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._models: list[Tickable] = []
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.tick)

    def add(self, model: Tickable) -> None:
        if model not in self._models:
            self._models.append(model)

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def tick(self) -> datetime:
        """Read the clock once and hand that time to every model; returns it."""
        now = self._clock.now()
        for model in self._models:
            model.tick(now)
        self.ticked.emit(now)
        return now
