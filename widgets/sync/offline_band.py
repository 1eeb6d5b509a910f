"""`offlineBand`: a band across the top of the window while the server cannot be reached, saying so in
words with the count of changes waiting (the status bar's grey text alone was easy to miss)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget


def waiting_words(waiting: int) -> str:
    """`no changes waiting`, `1 change waiting`, `1,204 changes waiting`."""

    def tr(text: str) -> str:
        return QCoreApplication.translate("Status", text)

    if waiting <= 0:
        return tr("no changes waiting")
    if waiting == 1:
        return tr("1 change waiting")
    return tr("%1 changes waiting").replace("%1", f"{waiting:,}")


class OfflineBand(QFrame):
    """Hidden while online; `show_offline` shows it with the count, which comes with the band."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("offlineBand")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.text = QLabel(self)
        self.text.setObjectName("offlineBandText")
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.addWidget(self.text, 1)
        self.waiting = 0
        self._unlocked_locally = False
        self.hide()

    def show_offline(self, waiting: int, *, unlocked_locally: bool = False, reason: str = "") -> None:
        self._unlocked_locally = unlocked_locally
        self.setToolTip(reason)
        self._show(waiting)
        self.show()

    def show_waiting(self, waiting: int) -> None:
        """A new count while offline (a change saved, a sync attempt starting): at once, not at the
        end of the attempt to reach the server."""
        if not self.isHidden() and waiting != self.waiting:
            self._show(waiting)

    def _show(self, waiting: int) -> None:
        self.waiting = max(waiting, 0)
        head = self.tr("OFFLINE (unlocked locally)") if self._unlocked_locally else self.tr("OFFLINE")
        text = self.tr("%1 — %2. Keep working: changes are sent when the server can be reached again.")
        self.text.setText(text.replace("%1", head).replace("%2", waiting_words(self.waiting)))
