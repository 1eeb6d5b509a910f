"""After sign-in: the window shows online or unlocked offline, and F5 rechecks the server (until the
sync engine takes F5 over)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from console.auth import Authenticator, Session

if TYPE_CHECKING:  # only its type: a feature package never imports the window when it runs
    from widgets.main_window import MainWindow


class ConnectivityCheck(QObject):
    """Owned by the window: puts the session on its status bar and answers `sync_requested`."""

    # A recheck finished: carries whether the server answered.
    checked = Signal(bool)

    def __init__(self, window: MainWindow, authenticator: Authenticator, session: Session) -> None:
        super().__init__(window)
        self.setObjectName("connectivityCheck")
        self._window = window
        self._auth = authenticator
        self._session = session
        window.show_sign_in(online=session.online, server=authenticator.server.describe())
        window.sync_requested.connect(self.recheck)

    def recheck(self) -> None:
        self._window.reader.submit(self._auth.server_reachable, self._show, self._failed)

    def _show(self, reachable: bool) -> None:
        status = self._window.connectivity_status
        if reachable and self._session.online:
            status.show_online(self._auth.server.describe())
        elif reachable:
            status.show_offline(status.waiting, unlocked_locally=True)
            self._window.statusBar().showMessage(
                self.tr("The server is reachable again: sign in online (restart the console) to sync.")
            )
        else:
            status.show_offline(status.waiting)
        self.checked.emit(reachable)

    def _failed(self, _error: BaseException) -> None:
        self._show(False)
