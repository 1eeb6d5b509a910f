"""Ctrl+C in the terminal reaches a console whose Qt event loop is running (demo-team ignored it)."""

from __future__ import annotations

import os
import signal
import threading
import time

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from widgets.interrupt import on_interrupt


def test_sigint_during_the_qt_event_loop_runs_the_handler_within_a_second(qapp: QApplication) -> None:
    loop = QEventLoop()
    interrupted: list[float] = []

    def stop() -> None:
        interrupted.append(time.monotonic())
        loop.quit()

    undo = on_interrupt(stop, qapp)
    failsafe = QTimer()
    failsafe.setSingleShot(True)
    failsafe.timeout.connect(loop.quit)
    failsafe.start(5000)
    sent = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
    try:
        started = time.monotonic()
        sent.start()
        loop.exec()  # Qt's own loop: Python runs only when Qt calls into it
    finally:
        sent.join()
        failsafe.stop()
        undo()
    assert interrupted, "Ctrl+C was not noticed"
    assert interrupted[0] - started < 1.0
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
