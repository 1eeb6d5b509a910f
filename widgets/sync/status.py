"""The status bar's connectivity label: the local store, online, syncing (with progress), or offline.

The sync engine will drive it through `show_online`, `show_syncing` and `show_offline`; until then
the start-up path and the F5 recheck do.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QWidget

from widgets.sync.offline_band import OfflineBand, waiting_words

if TYPE_CHECKING:
    from storage.location import StoreLocation


def connectivity_text(location: StoreLocation) -> str:
    """`Local store: /path/console.db`, or the server's URL with its password hidden."""
    if location.is_sqlite:
        return local_store_text(location.sqlite_path)
    return QCoreApplication.translate("Status", "Central database: %1").replace("%1", location.describe())


def local_store_text(path: Path) -> str:
    """`Local store: /path/console.db`."""
    return QCoreApplication.translate("Status", "Local store: %1").replace("%1", str(path))


class ConnectivityState(StrEnum):
    LOCAL = "local"  # no central server configured: the store is all there is
    ONLINE = "online"
    SYNCING = "syncing"
    OFFLINE = "offline"


def _tr(text: str) -> str:
    return QCoreApplication.translate("Status", text)


class ConnectivityStatus(QLabel):
    """Shows where data comes from; a data label, so it has no accessible name (that would hide its text)."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectivityStatus")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._state = ConnectivityState.LOCAL
        self._waiting = 0
        self._progress: tuple[int, int] | None = None
        self._unlocked_locally = False
        self.band = OfflineBand()  # the window places it across its top
        self.show_local(text)

    @property
    def state(self) -> ConnectivityState:
        return self._state

    @property
    def waiting(self) -> int:
        """Changes waiting in the outbox (shown while offline)."""
        return self._waiting

    @property
    def progress(self) -> tuple[int, int] | None:
        """(done, total) while syncing, else None."""
        return self._progress

    @property
    def unlocked_locally(self) -> bool:
        return self._unlocked_locally

    def show_local(self, description: str) -> None:
        """No central server: which store the console works on."""
        self._set(ConnectivityState.LOCAL, description, description)

    def show_online(self, server: str) -> None:
        self._unlocked_locally = False
        self._set(ConnectivityState.ONLINE, _tr("Online"), _tr("Online: %1").replace("%1", server))

    def show_syncing(self, done: int, total: int) -> None:
        """`done` of `total` changes sent or received; a total of 0 means not known yet."""
        done, total = max(done, 0), max(total, 0)
        self._progress = (min(done, total) if total else done, total)
        if total:
            percent = 100 * min(done, total) // total
            text = (
                _tr("Syncing: %1 of %2 (%3%)")
                .replace("%1", f"{min(done, total):,}")
                .replace("%2", f"{total:,}")
                .replace("%3", str(percent))
            )
        else:
            text = _tr("Syncing…")
        self._set(ConnectivityState.SYNCING, text, text, keep_progress=True)

    def show_offline(self, waiting: int, *, unlocked_locally: bool | None = None) -> None:
        """Offline with `waiting` changes in the outbox; `unlocked_locally` when signed in offline."""
        if unlocked_locally is not None:
            self._unlocked_locally = unlocked_locally
        self._waiting = max(waiting, 0)
        head = _tr("Offline (unlocked locally)") if self._unlocked_locally else _tr("Offline")
        text = f"{head} · {waiting_words(self._waiting)}"
        self._set(ConnectivityState.OFFLINE, text, text)
        self.band.show_offline(self._waiting, unlocked_locally=self._unlocked_locally)

    def show_waiting(self, waiting: int) -> None:
        """A fresh count of the changes waiting: shown at once while offline, else kept for later."""
        if self._state is ConnectivityState.OFFLINE and waiting != self._waiting:
            self.show_offline(waiting)

    def show_reason(self, reason: str) -> None:
        """Why the server cannot be reached, in the tooltips."""
        self.setToolTip(f"{self.text()}: {reason}")
        self.band.setToolTip(reason)

    def _set(self, state: ConnectivityState, text: str, tip: str, *, keep_progress: bool = False) -> None:
        self._state = state
        if not keep_progress:
            self._progress = None
        if state is not ConnectivityState.OFFLINE:
            self._waiting = 0
            self.band.hide()
        self.setText(text)
        self.setToolTip(tip)


class UserStatus(QLabel):
    """`currentUser`: who is signed in (online or unlocked offline), or why nobody is."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("currentUser")
        self.setTextFormat(Qt.TextFormat.PlainText)

    def show_user(self, name: str | None, problem: str, *, unlocked_offline: bool = False) -> str:
        """Say who is signed in (`name`), or that promises and handoffs are off; returns the words."""
        if name is not None:
            template = _tr("Unlocked offline as %1") if unlocked_offline else _tr("Signed in as %1")
            text = template.replace("%1", name)
        else:
            text = _tr("Promises and handoffs are off: %1").replace("%1", problem)
        self.setText(text)
        self.setToolTip(text)
        return text
