"""For the cold-start bench only: with ADVISOR_CONSOLE_STARTUP_PROBE set in the environment, the moment the
search box is first painted holding the focus goes to stderr (`time.monotonic()`) and the console quits."""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget
from typing_extensions import override

PROBE = "ADVISOR_CONSOLE_STARTUP_PROBE"
SHOWN = "search box shown at"


class _FirstFocusedPaint(QObject):
    @override
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and isinstance(watched, QWidget) and watched.hasFocus():
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._shown)  # once this paint is done
        return False

    @staticmethod
    def _shown() -> None:
        print(f"{SHOWN} {time.monotonic():.6f}", file=sys.stderr, flush=True)
        QCoreApplication.quit()


def watch_start(search_box: QWidget) -> None:
    """Report and quit once `search_box` is painted with the focus, when the probe is asked for."""
    if os.environ.get(PROBE):
        probe = _FirstFocusedPaint(search_box)
        search_box.installEventFilter(probe)
