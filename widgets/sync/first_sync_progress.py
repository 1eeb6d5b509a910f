"""The first sync's progress: a bar (`firstSyncProgress`) with a Cancel button (`firstSyncCancel`), on the
status bar while a resumed first sync runs, or in a small dialog before the window of a new store."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from console.sync.engine import SyncEngine, SyncState, SyncSummary


class FirstSyncProgress(QWidget):
    """`firstSyncPanel`: "First sync" + the bar (rows done of the total) + Cancel. Hidden when idle."""

    # The person pressed Cancel: the sync stops after the page being written; what was taken stays.
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstSyncPanel")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel(self.tr("First sync"), self)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("firstSyncProgress")
        self.bar.setAccessibleName(self.tr("First sync progress"))
        self.bar.setMinimumWidth(220)
        self.bar.setRange(0, 0)  # busy until the server tells the total
        self.bar.setTextVisible(True)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setObjectName("firstSyncCancel")
        self.cancel_button.setAccessibleName(self.tr("Cancel the first sync"))
        self.cancel_button.setToolTip(
            self.tr("Stop after the records being saved; the next start continues from there")
        )
        self.cancel_button.clicked.connect(self._cancel)
        layout.addWidget(self.title)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.cancel_button)

    def show_progress(self, done: int, total: int) -> None:
        """`done` of `total` records taken (the total as the server announced it at the start)."""
        total = max(total, done, 0)
        if total:
            # QProgressBar holds an int: scale large totals into its range, keep the words exact.
            scale = max(1, total // 1_000_000)
            self.bar.setRange(0, total // scale)
            self.bar.setValue(min(done, total) // scale)
        words = self.tr("%1 of %2 records").replace("%1", f"{done:,}").replace("%2", f"{total:,}")
        self.bar.setFormat(words)
        self.bar.setToolTip(words)

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.title.setText(self.tr("Stopping the first sync…"))
        self.cancel_requested.emit()

    def reset(self) -> None:
        """Ready for a new run: Cancel enabled, the bar busy until the total is known."""
        self.cancel_button.setEnabled(True)
        self.title.setText(self.tr("First sync"))
        self.bar.setRange(0, 0)
        self.bar.resetFormat()


class FirstSyncDialog(QDialog):
    """`firstSyncDialog`: a new store's first sync before its window opens, on the running qasync loop
    (the dialog stays responsive). Closing it is Cancel."""

    # The first sync ended (finished, cancelled or offline): carries the SyncSummary.
    ended = Signal(object)

    def __init__(self, engine: SyncEngine, server: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstSyncDialog")
        self.setWindowTitle(self.tr("First sync"))
        self.engine = engine
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "This workstation is new: it is fetching the people and customers you work with from %1. "
                "You can cancel and carry on later; what is fetched stays."
            ).replace("%1", server),
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.progress = FirstSyncProgress(self)
        layout.addWidget(self.progress)
        self.progress.cancel_requested.connect(engine.cancel_first_sync)
        engine.add_listener(self._show_state)
        self.summary: SyncSummary | None = None
        self.resize(520, 140)

    def _show_state(self, state: SyncState) -> None:
        if state.first_sync:
            self.progress.show_progress(state.done, state.total)

    async def run(self) -> SyncSummary:
        """Show the dialog, run one sync (the first sync, then the pull after it), close."""
        self.show()
        try:
            self.summary = await self.engine.sync_once()
        finally:
            self.done(QDialog.DialogCode.Accepted)
        self.ended.emit(self.summary)
        return self.summary

    def reject(self) -> None:
        """Escape or the close box: cancel (the dialog closes when the page being written is saved)."""
        if self.summary is None:
            self.progress.cancel_button.click()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.summary is None:
            self.progress.cancel_button.click()
            event.ignore()
            return
        super().closeEvent(event)


def run_first_sync(dialog: FirstSyncDialog, loop: asyncio.AbstractEventLoop) -> SyncSummary:
    """Run the dialog's first sync to its end on `loop` (a qasync loop: Qt events keep flowing)."""
    return loop.run_until_complete(dialog.run())
