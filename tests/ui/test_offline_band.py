"""Offline is a band across the window, in words, with the count of changes waiting: the count comes
with the band (not at the end of a five-second attempt to reach the server), and moves at once when
a change is saved offline."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from console.sync.engine import Mode, SyncEngine, SyncState
from storage.store import Store
from tests.ui.support import STORY_ACCOUNT
from tests.ui.work_support import TOM_ACCOUNT, make_promise, work_window
from widgets.sync.link import SyncLink
from widgets.sync.offline_band import OfflineBand


async def never_answers() -> Any:
    """A server that does not answer (the link dropped): the attempt would end in a timeout."""
    await asyncio.Event().wait()


def band_of(window: Any) -> OfflineBand:
    band = window.findChild(OfflineBand, "offlineBand")
    assert band is not None
    return band


def test_the_band_says_offline_in_words_with_the_count(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    window = work_window(qtbot, work_store, clock)
    band = band_of(window)
    assert band.isHidden()
    window.connectivity_status.show_offline(3)
    assert band.isVisible()
    assert band.text.text().startswith("OFFLINE — 3 changes waiting.")
    assert band.geometry().top() < window.pane.header.mapTo(window, window.pane.header.rect().topLeft()).y()
    window.connectivity_status.show_online("central")
    assert band.isHidden()


def test_the_count_comes_with_the_band_when_unlocked_offline(
    qtbot: QtBot, work_store: Store, clock: ManualClock, qloop: asyncio.AbstractEventLoop
) -> None:
    for account in (STORY_ACCOUNT, TOM_ACCOUNT):  # two changes made before, waiting in the outbox
        make_promise(work_store, clock, account, timedelta(hours=3))
    window = work_window(qtbot, work_store, clock)
    window.show_sign_in(online=False, server="central")
    engine = SyncEngine(work_store, never_answers, clock=clock, listen=False)
    link = SyncLink(window, engine, server="central")
    band = band_of(window)
    try:
        link.start()
        qtbot.waitUntil(lambda: band.waiting == 2, timeout=1000)  # within a second, not after a timeout
        assert "OFFLINE (unlocked locally) — 2 changes waiting." in band.text.text()
        # A change saved offline: the sync it asks for starts by counting, and the band shows it at once.
        link._show_state(SyncState(Mode.SYNCING, waiting=3))
        assert band.waiting == 3 and "3 changes waiting" in band.text.text()
    finally:
        stopping = asyncio.ensure_future(link.stop(timeout=1))
        qtbot.waitUntil(stopping.done, timeout=5000)
