"""The first sync in the window, against a real central server: `firstSyncProgress` shows rows done of
the total while it runs, `firstSyncCancel` stops it after the page being written (what was taken
stays), F5 carries on from there; a new store's first sync runs in `firstSyncDialog` before the window.
No sleeps: every wait is on a signal or a condition."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProgressBar, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from console.auth import Connectivity, Session
from console.clock import ManualClock
from console.server_address import parse_server_url
from console.sync.engine import Mode, SyncEngine, SyncState, SyncSummary
from domain.vocabulary import Role
from storage.location import parse_location
from storage.models import Customer
from storage.queries import first_sync as places
from storage.server_login import ServerIdentity
from storage.store import open_store
from tests.helpers.central import NOW, Central
from tests.helpers.workstations import Workstation
from tests.ui.work_support import LONDON, settle
from widgets.app import attach_sync, build_window, first_sync_first
from widgets.sync.first_sync_progress import FirstSyncDialog
from widgets.sync.link import SyncLink

pytestmark = pytest.mark.postgres

CUSTOMERS = 30
PAGE = 3
SERVER = "central test server"


class Office(NamedTuple):
    alex: Workstation
    customers: int


@pytest.fixture
def office(central: Central, tmp_path: Path) -> Iterator[Office]:
    advisor = central.add_user(Role.ADVISOR, 5_000, hint="adv", display_name="Alex Advisor")
    central.add_user(Role.SUPERVISOR, 50_000, hint="sup", display_name="Sam Supervisor")
    for _ in range(CUSTOMERS):  # each with a case of Alex's: all of them in Alex's working set
        central.case(central.customer(), owner_id=advisor.id)
    store = open_store(parse_location(str(tmp_path / "new.db")))
    try:
        yield Office(Workstation(store, advisor, ManualClock(NOW), central), CUSTOMERS)
    finally:
        store.close()


def customers_held(station: Workstation) -> int:
    with station.store.read() as session:
        return int(session.execute(select(func.count()).select_from(Customer)).scalar_one())


def place_done(station: Workstation) -> int:
    with station.store.read() as session:
        place = places.state(session)
    return place.done if place is not None else 0


def first_sync_ended(summary: SyncSummary) -> bool:
    return summary.first_sync is not None


def test_a_new_store_syncs_first_in_a_dialog_that_can_be_cancelled(
    office: Office, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    alex = office.alex
    engine = alex.engine(first_sync_page_size=PAGE, first_sync_customers=PAGE)
    dialog = FirstSyncDialog(engine, SERVER)
    qtbot.addWidget(dialog)
    bar = dialog.findChild(QProgressBar, "firstSyncProgress")
    cancel = dialog.findChild(QPushButton, "firstSyncCancel")
    assert bar is not None and cancel is not None
    assert bar.accessibleName() == "First sync progress"
    assert cancel.accessibleName() == "Cancel the first sync" and cancel.text() == "Cancel"
    shown: list[tuple[int, int]] = []

    def cancel_after_two_pages(state: SyncState) -> None:
        if state.first_sync and state.done:
            shown.append((bar.value(), bar.maximum()))
            if len(shown) == 2:
                qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)

    engine.add_listener(cancel_after_two_pages)
    with qtbot.waitSignal(dialog.ended, timeout=20_000) as ended:
        running = asyncio.ensure_future(dialog.run())
    qtbot.waitUntil(running.done, timeout=5000)
    summary = ended.args[0]
    assert summary.first_sync.cancelled and summary.first_sync.pages == 2
    assert not dialog.isVisible()
    assert shown[0][1] >= CUSTOMERS + 2 and shown[0][0] < shown[1][0]
    assert "records" in bar.format() and not cancel.isEnabled()
    assert 0 < place_done(alex) < CUSTOMERS + 2  # kept: the users and what else was written


def test_the_bar_follows_a_resumed_first_sync_cancel_stops_it_and_f5_carries_on(
    office: Office, qtbot: QtBot, qloop: asyncio.AbstractEventLoop
) -> None:
    alex = office.alex
    # An earlier start took the users' page and was cancelled: the window can act as Alex.
    first = alex.engine(first_sync_page_size=PAGE, first_sync_customers=PAGE)
    first.add_listener(lambda state: first.cancel_first_sync() if state.first_sync and state.done else None)
    earlier = asyncio.ensure_future(first.sync_once())
    qtbot.waitUntil(earlier.done, timeout=20_000)
    assert earlier.result().first_sync.cancelled  # type: ignore[union-attr]
    taken = place_done(alex)

    window = build_window(
        alex.store, "advisor", alex.clock, username=alex.user.username, zone=LONDON, auto_tick=False
    )
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    settle(qtbot, window)
    engine = alex.engine(first_sync_page_size=PAGE, first_sync_customers=PAGE)
    link = SyncLink(window, engine, server=SERVER)
    panel = link.first_sync_panel
    bar = window.findChild(QProgressBar, "firstSyncProgress")
    cancel = window.findChild(QPushButton, "firstSyncCancel")
    assert bar is not None and cancel is not None and panel.isHidden()
    seen: list[tuple[bool, int, str]] = []

    def watch(state: SyncState) -> None:
        if state.first_sync:
            seen.append((bar.isVisible(), bar.value(), bar.format()))
            if state.done >= taken + 2 * PAGE and cancel.isEnabled():
                qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)

    link.state_shown.connect(watch)
    try:
        with qtbot.waitSignal(link.synced, timeout=20_000, check_params_cb=first_sync_ended) as synced:
            link.sync_now()
        stopped = synced.args[0]
        assert stopped.first_sync.cancelled
        assert seen and all(visible for visible, _, _ in seen)
        assert seen[0][2] == f"{taken:,} of {CUSTOMERS + 2:,} records"  # from its place, not zero
        assert panel.isHidden()  # gone once it stopped
        assert window.connectivity_status.text() == "Online"
        held = customers_held(alex)
        assert 0 < held < CUSTOMERS

        # F5: carries on from the place; the bar shows again and goes away at the end.
        link.state_shown.disconnect(watch)
        with qtbot.waitSignal(link.synced, timeout=20_000, check_params_cb=first_sync_ended) as synced:
            link.start()
            window.sync_requested.emit()
        finished = synced.args[0]
        assert finished.first_sync.finished
        assert finished.first_sync.customers == CUSTOMERS - held
        qtbot.waitUntil(lambda: engine.state.mode is Mode.ONLINE, timeout=10_000)
        assert panel.isHidden()
        assert customers_held(alex) == CUSTOMERS
    finally:
        stopping = asyncio.ensure_future(link.stop(timeout=5))
        qtbot.waitUntil(stopping.done, timeout=10_000)


def test_the_start_path_of_a_new_store_syncs_first_then_opens_as_the_person(
    office: Office, central: Central, qtbot: QtBot, qapp: QApplication
) -> None:
    """What run_window does after the login dialog on a new store: firstSyncDialog on the qasync loop
    until the first sync ends, then the window acting as the person, syncing on the same engine."""
    import qasync

    alex = office.alex
    url = central.location.url
    server = parse_server_url(f"postgresql:///{url.database}?host={url.query['host']}")
    user = alex.user
    session = Session(
        ServerIdentity(user.id, user.username, user.display_name, user.role), Connectivity.ONLINE, server
    )
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    dialogs: list[FirstSyncDialog] = []
    engine: SyncEngine | None = None
    try:
        engine = first_sync_first(alex.store, session, central.passwords[user.username], loop, alex.clock)
        assert engine is not None
        window = build_window(
            alex.store, "advisor", alex.clock, username=user.username, zone=LONDON, auto_tick=False
        )
        qtbot.addWidget(window)
        assert window.user is not None and window.user.id == user.id
        link = attach_sync(window, alex.store, session, central.passwords[user.username], engine=engine)
        assert link is not None and link.engine is engine
        dialogs = [w for w in qapp.topLevelWidgets() if isinstance(w, FirstSyncDialog) and w.isVisible()]
        assert customers_held(alex) == CUSTOMERS
        assert not loop.run_until_complete(engine.first_sync_needed())  # a second start goes straight in
        assert first_sync_first(alex.store, session, central.passwords[user.username], loop) is None
    finally:
        if engine is not None:
            loop.run_until_complete(engine.close())
        asyncio.set_event_loop(None)
        loop.close()
    assert dialogs == []  # the dialog closed when the first sync ended
