"""Ctrl+C in the terminal that started the console closes it cleanly. While Qt's event loop runs, the
interpreter only gets control when Qt calls back into Python, so a short timer hands it back often
enough for Python's SIGINT handler to run."""

from __future__ import annotations

import signal
from collections.abc import Callable
from types import FrameType

from PySide6.QtCore import QObject, QTimer

# How often the event loop hands the interpreter a turn to notice Ctrl+C (ms): quick to the eye.
WAKE_EVERY = 200


def on_interrupt(then: Callable[[], None], parent: QObject) -> Callable[[], None]:
    """Call `then` (on the GUI thread) when SIGINT arrives; returns how to undo it."""
    timer = QTimer(parent)
    timer.setInterval(WAKE_EVERY)
    timer.timeout.connect(_nothing)
    timer.start()

    def handler(_number: int, _frame: FrameType | None) -> None:
        then()

    previous = signal.signal(signal.SIGINT, handler)

    def undo() -> None:
        timer.stop()
        timer.deleteLater()
        signal.signal(signal.SIGINT, previous)

    return undo


def _nothing() -> None:
    """A Python slot: calling it is what lets the interpreter run a pending signal handler."""
