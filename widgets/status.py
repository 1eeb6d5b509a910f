"""The status bar's connectivity label: which store this workstation is working on."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QWidget

from storage.location import StoreLocation


def connectivity_text(location: StoreLocation) -> str:
    """`Local store: /path/console.db`, or the server's URL with its password hidden."""
    if location.is_sqlite:
        return QCoreApplication.translate("Status", "Local store: %1").replace("%1", location.describe())
    return QCoreApplication.translate("Status", "Central database: %1").replace("%1", location.describe())


class ConnectivityStatus(QLabel):
    """Shows where data comes from; a data label, so it has no accessible name (that would hide its text)."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setObjectName("connectivityStatus")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setToolTip(text)
