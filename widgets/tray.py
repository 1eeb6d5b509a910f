"""Desktop notices (the system tray's balloon) for promises falling due and goodwill decisions."""

from __future__ import annotations

import weakref

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from widgets.icons import icon_path


class DesktopNotices:
    """The tray icon is made on the first notice, and only where the desktop has a tray."""

    def __init__(self, window: QWidget) -> None:
        self._window = weakref.ref(window)  # the window holds this: no cycle back to it
        self._tray: QSystemTrayIcon | None = None

    def tell(self, title: str, text: str) -> None:
        window = self._window()
        if window is None or not QSystemTrayIcon.isSystemTrayAvailable():
            return
        if self._tray is None:
            self._tray = QSystemTrayIcon(QIcon(str(icon_path("phone"))), window)
            self._tray.setToolTip(window.windowTitle())
            self._tray.show()
        self._tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Warning, 15000)

    def hide(self) -> None:
        if self._tray is not None:
            self._tray.hide()
