"""Windows wired to a sync engine for the widget tests against the suite's real central server: a
window per workstation with its SyncLink, stopped (bounded) before the windows close; one sync at a
time, waited for on signals, never sleeping."""

from __future__ import annotations

import asyncio

from pytestqt.qtbot import QtBot

from console.sync.engine import SyncEngine
from tests.helpers.workstations import Workstation
from tests.ui.work_support import LONDON, settle
from widgets.app import build_window
from widgets.main_window import MainWindow
from widgets.sync.link import SyncLink

SERVER = "central test server"


class Links:
    """Makes windows with their SyncLink and stops every link (bounded) before the windows close."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.made: list[SyncLink] = []

    def window(self, station: Workstation, engine: SyncEngine | None = None) -> tuple[MainWindow, SyncLink]:
        role = station.user.role.value
        window = build_window(
            station.store, role, station.clock, username=station.user.username, zone=LONDON, auto_tick=False
        )
        self.qtbot.addWidget(window)
        window.resize(1366, 768)
        window.show()
        self.qtbot.waitExposed(window)
        settle(self.qtbot, window)
        link = SyncLink(window, engine or station.engine(), server=SERVER)
        self.made.append(link)
        return window, link

    def stop_all(self) -> None:
        for link in self.made:
            stopping = asyncio.ensure_future(link.stop(timeout=5))
            self.qtbot.waitUntil(stopping.done, timeout=10_000)


def sync(qtbot: QtBot, window: MainWindow, link: SyncLink) -> None:
    """One push and pull, then wait for the window to re-read what it shows."""
    with qtbot.waitSignal(link.synced, timeout=10_000):
        link.sync_now()
    settle(qtbot, window)
