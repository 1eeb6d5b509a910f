"""A new workstation against a seeded server opens a customer it does not hold: online, the search box
and the call strip ask the server, Enter (or the call) fetches and keeps the customer, and the pane
shows their cases and promises; offline, the results area says it is searching this workstation's
copy, and a call or an opening of a customer never held says they are not on this workstation and
goes on when the link is back."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from console.calls import parse_caller
from console.sync.engine import SyncEngine
from console.sync.on_demand import ServerReads, connector
from console.sync.remote import connector as async_connector
from console.sync.remote import conninfo
from domain.vocabulary import PromiseKind, PromiseStatus, Role
from storage.models import Customer, CustomerPhone, Promise
from tests.helpers import factories
from tests.helpers.central import NOW, Central
from tests.helpers.workstations import QUICK_RETRY, UNREACHABLE, Workstation, workstation
from tests.ui.sync_support import Links, sync
from tests.ui.work_support import settle
from widgets.app import find_on_server
from widgets.main_window import MainWindow

pytestmark = pytest.mark.postgres

ACCOUNT = "73000001"
PHONE = "07700 900777"


@pytest.fixture
def links(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[Links]:
    made = Links(qtbot)
    try:
        yield made
    finally:
        made.stop_all()


def seed(central: Central, owner_id: uuid.UUID) -> tuple[Customer, str]:
    """A customer on the server only, with a case and an open promise on it."""
    made = factories.customer(given="Nia", family="Okafor", account=ACCOUNT)
    values = {column.key: getattr(made, column.key) for column in Customer.__table__.columns}
    phone = factories.phone(made, PHONE)
    with central.admin.begin() as connection:
        connection.execute(Customer.__table__.insert().values(**values))
        connection.execute(
            CustomerPhone.__table__.insert().values(
                **{column.key: getattr(phone, column.key) for column in CustomerPhone.__table__.columns}
            )
        )
    case = central.case(made.id, owner_id=owner_id)
    with central.admin.begin() as connection:
        connection.execute(
            Promise.__table__.insert().values(
                id=uuid.uuid4(), customer_id=made.id, case_id=case["id"], kind=PromiseKind.CALLBACK,
                owner_id=owner_id, created_at=NOW, due_at=NOW + timedelta(days=1),
                status=PromiseStatus.OPEN, follow_up_id=None, version=1,
            )
        )  # fmt: skip
    return made, str(case["reference"])


def search(qtbot: QtBot, window: MainWindow, typed: str) -> int:
    panel = window.search_panel
    with qtbot.waitSignal(panel.search_finished, timeout=10_000) as finished:
        panel.search_box.setText(typed)
    found: int = finished.args[0]
    return found


def test_a_new_workstation_opens_a_customer_it_does_not_hold(
    central: Central, tmp_path: Path, qtbot: QtBot, links: Links
) -> None:
    advisor = central.add_user(Role.ADVISOR, 5_000, hint="adv", display_name="Alex Advisor")
    customer, reference = seed(central, advisor.id)
    station = workstation(central, tmp_path, advisor, [advisor])  # its own row only: no customers
    window, link = links.window(station)
    reads = ServerReads(connector(conninfo(central.login(advisor).url)))
    link.server_reads = find_on_server(window, station.store, reads, link.engine)
    sync(qtbot, window, link)  # online now; the pull brings no customer
    panel = window.search_panel

    assert search(qtbot, window, PHONE) == 1
    assert panel.model.match_at(0) is not None and panel.model.match_at(0).id == customer.id  # type: ignore[union-attr]
    assert panel.copy_note.isHidden()
    assert search(qtbot, window, ACCOUNT) == 1
    with qtbot.waitSignal(window.customer_opened, timeout=10_000) as opened:
        qtbot.keyClick(panel.search_box, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert opened.args[0].account_number == ACCOUNT
    cases = window.cases.view.model()
    qtbot.waitUntil(lambda: cases.rowCount() == 1, timeout=5_000)
    assert any(reference in str(cases.index(0, column).data()) for column in range(cases.columnCount()))
    promises = window.promises.panel.view.model()
    qtbot.waitUntil(lambda: promises.rowCount() == 1, timeout=5_000)


def test_offline_the_search_says_it_searches_this_workstations_copy(
    central: Central, tmp_path: Path, qtbot: QtBot, links: Links
) -> None:
    advisor = central.add_user(Role.ADVISOR, 5_000, hint="adv")
    seed(central, advisor.id)
    station = workstation(central, tmp_path, advisor, [advisor])
    window, link = links.window(station, station.engine(online=False))
    reads = ServerReads(connector(conninfo(central.login(advisor).url)))
    link.server_reads = find_on_server(window, station.store, reads, link.engine)
    sync(qtbot, window, link)  # offline: the server cannot be reached

    assert search(qtbot, window, ACCOUNT) == 0
    note = window.search_panel.copy_note
    assert not note.isHidden() and note.text() == "Searching this workstation's copy"
    assert note.objectName() == "searchLocalCopyNote"


def test_a_server_that_does_not_answer_falls_back_to_the_local_copy(
    central: Central, tmp_path: Path, qtbot: QtBot, links: Links
) -> None:
    advisor = central.add_user(Role.ADVISOR, 5_000, hint="adv")
    seed(central, advisor.id)
    station = workstation(central, tmp_path, advisor, [advisor])
    window, link = links.window(station)
    link.server_reads = find_on_server(
        window, station.store, ServerReads(connector(UNREACHABLE)), link.engine
    )
    sync(qtbot, window, link)  # the engine is online; the search's own connection is not

    assert search(qtbot, window, ACCOUNT) == 0
    note = window.search_panel.copy_note
    assert not note.isHidden()
    assert note.text() == "The server did not answer: searching this workstation's copy"


def test_a_call_from_a_customer_never_held_pops_their_pane_while_online(
    central: Central, tmp_path: Path, qtbot: QtBot, links: Links
) -> None:
    advisor = central.add_user(Role.ADVISOR, 5_000, hint="adv")
    customer, reference = seed(central, advisor.id)
    station = workstation(central, tmp_path, advisor, [advisor])  # holds no customer
    window, link = links.window(station)
    reads = ServerReads(connector(conninfo(central.login(advisor).url)))
    link.server_reads = find_on_server(window, station.store, reads, link.engine)
    sync(qtbot, window, link)

    with qtbot.waitSignal(window.customer_opened, timeout=10_000) as opened:
        window.call.take_call(parse_caller("+447700900777"))
    settle(qtbot, window)
    assert opened.args[0].id == customer.id
    cases = window.cases.view.model()
    qtbot.waitUntil(lambda: cases.rowCount() == 1, timeout=5_000)
    assert any(reference in str(cases.index(0, column).data()) for column in range(cases.columnCount()))


def link_that_comes_back(station: Workstation) -> tuple[SyncEngine, list[bool]]:
    """An engine whose link to the server is down until the test says it is back (`up[0] = True`)."""
    up = [False]
    real, down = station.connect(), async_connector(UNREACHABLE)

    async def connect() -> psycopg.AsyncConnection[Any]:
        return await (real if up[0] else down)()

    engine = SyncEngine(
        station.store,
        connect,
        clock=station.clock,
        sleep=station.sleeper,
        listen=False,
        retry=QUICK_RETRY,
    )
    return engine, up


def test_offline_a_customer_never_held_is_not_on_this_workstation_until_the_link_is_back(
    central: Central, tmp_path: Path, qtbot: QtBot, links: Links
) -> None:
    advisor = central.add_user(Role.ADVISOR, 5_000, hint="adv")
    customer, _ = seed(central, advisor.id)
    station = workstation(central, tmp_path, advisor, [advisor])
    engine, up = link_that_comes_back(station)
    window, link = links.window(station, engine)
    reads = ServerReads(connector(conninfo(central.login(advisor).url)))
    link.server_reads = find_on_server(window, station.store, reads, engine)
    sync(qtbot, window, link)  # offline

    # A call from their number: the strip says so in one line, and offers nothing wrong.
    with qtbot.waitSignal(window.call.lookup_finished, timeout=10_000):
        window.call.take_call(parse_caller("+447700900777"))
    said = window.call.strip.caller.text()
    assert "on this workstation" in said and "when the link is back" in said
    # Opening them by id: one line, no empty pane.
    with qtbot.waitSignal(window.pane.customer_open_failed, timeout=10_000) as failed:
        window.open_customer(customer.id)
    assert failed.args[0] == "This customer is not on this workstation: they open when the link is back."
    assert window.pane.profile is None

    # The link is back: the call is looked up again on the server and the customer opens.
    up[0] = True
    with qtbot.waitSignal(window.customer_opened, timeout=15_000) as opened:
        sync(qtbot, window, link)
    assert opened.args[0].id == customer.id
