"""The status bar's warning that the link to the central server is not encrypted (`insecureLink`),
shown only when settings accept an sslmode without TLS to a host on the network."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QStatusBar

from console.server_address import ServerAddress


def show_unencrypted_link(status_bar: QStatusBar, server: ServerAddress) -> QLabel | None:
    """Add `insecureLink` to `status_bar` when `server` is reached without TLS; None when it is not."""
    if not server.unencrypted:
        return None
    label = status_bar.findChild(QLabel, "insecureLink")
    if label is None:
        label = QLabel(status_bar)
        label.setObjectName("insecureLink")
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setStyleSheet("color: #b00020; font-weight: bold;")
        status_bar.addPermanentWidget(label)
    label.setText(QCoreApplication.translate("Status", "Not encrypted"))
    label.setToolTip(
        QCoreApplication.translate(
            "Status",
            "The link to %1 is not encrypted (sslmode=%2, allowed by allow_insecure in settings): "
            "passwords and customer data can be read on the network.",
        )
        .replace("%1", server.describe())
        .replace("%2", server.sslmode)
    )
    return label
