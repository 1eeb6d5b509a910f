"""The status bar's warning that the server's audit log no longer holds an entry this workstation
saw (`auditWarning`): someone cut or rewrote it, and a person must be told, not only the log file."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QStatusBar


def show_audit_problems(status_bar: QStatusBar, problems: Sequence[str]) -> QLabel | None:
    """Show `auditWarning` naming the entries in `problems` (hidden again when there are none)."""
    label = status_bar.findChild(QLabel, "auditWarning")
    if not problems:
        if label is not None:
            label.hide()
        return label
    if label is None:
        label = QLabel(status_bar)
        label.setObjectName("auditWarning")
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setStyleSheet("color: #b00020; font-weight: bold;")
        status_bar.addPermanentWidget(label)
    text = QCoreApplication.translate("Status", "Audit log altered on the server: tell a supervisor")
    label.setText(text)
    detail = "\n".join(problems)
    label.setToolTip(detail)
    label.setAccessibleName(text)
    label.setAccessibleDescription(detail)
    label.show()
    return label
