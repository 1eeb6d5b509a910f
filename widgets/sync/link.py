"""The sync engine in the window: runs its loop on the qasync loop, shows its state on
`connectivityStatus` (and a first sync's bar with Cancel), refreshes what is on screen after a pull,
and lists rejected changes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.money import format_pence
from console.sync.engine import Mode, SyncEngine, SyncState, SyncSummary
from console.sync.on_demand import ServerReads
from domain import mutation_kinds
from domain.records import OutboxRecord
from domain.vocabulary import MutationState
from widgets.sync.audit_warning import show_audit_problems
from widgets.sync.first_sync_progress import FirstSyncProgress

if TYPE_CHECKING:  # only its type: a feature package never imports the window when it runs
    from widgets.main_window import MainWindow

log = logging.getLogger(__name__)

# Below this many changes a sync is quick: the label stays as it was rather than flicker every turn.
LONG_RUN = 50

# What the author reads for each kind: its words in the table of mutation kinds.
KIND_WORDS = {row.name: row.words for row in mutation_kinds.TABLE}

WHAT_TO_DO = {
    MutationState.REJECTED: (
        "Nothing was changed on the server: check it and make the change again if it is still needed."
    ),
    MutationState.CONFLICT: (
        "Someone changed this first: the console now shows the server's version. Look at it and decide again."
    ),
}


def problem_text(record: OutboxRecord, zone: ZoneInfo | None = None) -> str:
    """One line for the author: what (amount and when made), why, and what to do."""
    what = mutation_kinds.words_for(record.kind)
    amount = record.payload.get("amount_pence")
    if isinstance(amount, int):
        what = f"{what} of {format_pence(amount)}"
    if zone is not None:
        what = f"{what} made {record.occurred_at.astimezone(zone):%a %d %b %H:%M}"
    verdict = "refused" if record.state is MutationState.REJECTED else "in conflict"
    reason = record.reason or "no reason given"
    return f"{what} {verdict}: {reason}. {WHAT_TO_DO.get(record.state, '')}".strip()


class SyncProblemsDialog(QDialog):
    """`syncProblemsDialog`: the rejected and conflicting changes, newest first."""

    def __init__(
        self, problems: list[OutboxRecord], zone: ZoneInfo | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("syncProblemsDialog")
        self.setWindowTitle(self.tr("Sync problems"))
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("The server did not accept these changes:"), self)
        layout.addWidget(intro)
        self.list = QListWidget(self)
        self.list.setObjectName("syncProblemsList")
        self.list.setAccessibleName(self.tr("Changes the server did not accept"))
        self.list.setWordWrap(True)
        for record in problems:
            self.list.addItem(problem_text(record, zone))
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 320)


class SyncProblemsButton(QToolButton):
    """`syncProblems`: "Sync problems (2)" on the status bar, hidden while there are none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncProblems")
        self.setAccessibleName(self.tr("Show the changes the server did not accept"))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.problems: list[OutboxRecord] = []
        self.hide()

    def show_problems(self, problems: list[OutboxRecord]) -> None:
        self.problems = problems
        self.setText(self.tr("Sync problems (%1)").replace("%1", f"{len(problems):,}"))
        self.setToolTip(problem_text(problems[0]) if problems else "")
        self.setVisible(bool(problems))


class SyncLink(QObject):
    """Owned by the window. `start()` runs the engine's loop on the running asyncio (qasync) loop."""

    # The engine's state was shown: carries the SyncState.
    state_shown = Signal(object)
    # A sync finished and what it changed is being re-read: carries the SyncSummary.
    synced = Signal(object)
    # The list of rejected and conflicting changes was read: carries how many there are.
    problems_loaded = Signal(int)
    # The problems dialog was opened: carries the dialog (for tests).
    dialog_opened = Signal(object)

    def __init__(self, window: MainWindow, engine: SyncEngine, *, server: str) -> None:
        super().__init__(window)
        self.setObjectName("syncLink")
        self._window = window
        self.engine = engine
        self._server = server
        self._task: asyncio.Future[None] | None = None
        self._tasks: set[asyncio.Future[None]] = set()
        # The window's own connection for search and fetch (console.sync.on_demand), closed by stop().
        self.server_reads: ServerReads | None = None
        self.problems_button = SyncProblemsButton()
        window.statusBar().addPermanentWidget(self.problems_button)
        self.problems_button.clicked.connect(self.open_problems)
        self.first_sync_panel = FirstSyncProgress()
        self.first_sync_panel.hide()
        window.statusBar().addWidget(self.first_sync_panel, 1)
        self.first_sync_panel.cancel_requested.connect(engine.cancel_first_sync)
        engine.add_listener(self._show_state)
        engine.add_summary_listener(self._synced)
        window.sync_requested.connect(self.request_sync)
        window.change_saved.connect(self._local_change)

    # -- running ----------------------------------------------------------------------------------

    def start(self) -> None:
        """Run the engine's loop (call with the qasync loop set); reads the standing problems first."""
        self._spawn(self._load_problems())
        self._task = asyncio.ensure_future(self.engine.run())

    def sync_now(self) -> None:
        """One push and pull, without the loop (tests, and windows that do not run it)."""
        self._spawn(self._sync_once())

    async def _sync_once(self) -> None:
        await self.engine.sync_once()

    async def stop(self, timeout: float = 5.0) -> None:
        """End the loop and wait (bounded) for it and any read in flight."""
        self.engine.stop()
        pending = [task for task in (self._task, *self._tasks) if task is not None and not task.done()]
        if pending:
            _done, late = await asyncio.wait(pending, timeout=timeout)
            for task in late:
                task.cancel()
        with contextlib.suppress(Exception):
            await self.engine.close()
        if self.server_reads is not None:
            self.server_reads.close()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Future[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("sync task failed: %s", task.exception())

    def request_sync(self) -> None:
        """F5: sync now (and carry on with a first sync that was cancelled)."""
        if self.engine.first_sync_cancelled:
            self.engine.resume_first_sync()
        else:
            self.engine.request_sync()

    def _local_change(self, _text: str) -> None:
        """A local write queued a mutation: push it now rather than at the next turn."""
        self.engine.request_sync()

    # -- showing ----------------------------------------------------------------------------------

    def _show_state(self, state: SyncState) -> None:
        self._show_first_sync(state)
        status = self._window.connectivity_status
        if state.mode is Mode.ONLINE:
            status.show_online(self._server)
        elif state.mode is Mode.OFFLINE:
            status.show_offline(state.waiting)
            if state.problem:
                status.show_reason(state.problem)
        elif state.total >= LONG_RUN:
            status.show_syncing(state.done, state.total)
        else:  # a short sync begins: while offline, its count of changes waiting shows at once
            status.show_waiting(state.waiting)
        self.state_shown.emit(state)

    def _show_first_sync(self, state: SyncState) -> None:
        panel = self.first_sync_panel
        running = state.mode is Mode.SYNCING and state.first_sync
        if running:
            if panel.isHidden():
                panel.reset()
                panel.show()
            panel.show_progress(state.done, state.total)
        elif not panel.isHidden():
            panel.hide()

    def _synced(self, summary: SyncSummary) -> None:
        if summary.pulled or summary.accepted or summary.rejected or summary.conflicts:
            self._window.data_arrived()
        if summary.rejected or summary.conflicts:
            self._spawn(self._load_problems())
        if summary.offline is None:  # an unreachable server says nothing of its audit log
            show_audit_problems(self._window.statusBar(), summary.audit_problems)
        self.synced.emit(summary)

    async def _load_problems(self) -> None:
        everyone = await self.engine.problems()
        user = self._window.user  # a workstation may be shared: each person sees their own
        problems = [p for p in everyone if user is None or p.actor == user.username]
        self.problems_button.show_problems(problems)
        self.problems_loaded.emit(len(problems))

    def open_problems(self) -> None:
        dialog = SyncProblemsDialog(self.problems_button.problems, self._window.zone, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.dialog_opened.emit(dialog)
