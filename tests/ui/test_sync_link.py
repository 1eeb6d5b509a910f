"""The sync engine wired into two windows (an advisor and a supervisor, each its own SQLite store and
login role) against one real central server: an over-limit request crosses to the supervisor, the
approval crosses back (also through LISTEN with the loop's timer never firing), offline with changes
waiting, and a rejected change listed under syncProblems. No sleeps: every wait is on a signal."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from console.auth import Connectivity, Session
from console.server_address import parse_server_url
from console.sync import sync_mark
from console.sync.engine import Mode, SyncEngine
from domain import mutation_kinds
from domain.vocabulary import GoodwillKind, Role
from storage.server_login import ServerIdentity
from tests.helpers import factories
from tests.helpers.central import Central
from tests.helpers.workstations import QUICK_RETRY, Workstation, add_everywhere, shared_customer, workstation
from tests.ui.sync_support import Links, sync
from tests.ui.work_support import LONDON, open_account, settle
from widgets.app import attach_sync, build_window
from widgets.goodwill.panel import GoodwillColumn
from widgets.main_window import MainWindow
from widgets.sync.link import KIND_WORDS, LONG_RUN, SyncProblemsDialog
from widgets.sync.status import ConnectivityState

pytestmark = pytest.mark.postgres

ACCOUNT = "41000001"


class Team(NamedTuple):
    advisor: Workstation
    supervisor: Workstation
    customer_id: uuid.UUID


@pytest.fixture
def team(central: Central, tmp_path: Path) -> Iterator[Team]:
    advisor = central.add_user(Role.ADVISOR, 5_000, hint="adv", display_name="Alex Advisor")
    supervisor = central.add_user(Role.SUPERVISOR, 50_000, hint="sup", display_name="Sam Supervisor")
    alex = workstation(central, tmp_path, advisor, [advisor, supervisor])
    sam = workstation(central, tmp_path, supervisor, [advisor, supervisor])
    customer_id = shared_customer(central, [alex.store, sam.store], account=ACCOUNT)
    try:
        yield Team(alex, sam, customer_id)
    finally:
        alex.store.close()
        sam.store.close()


@pytest.fixture
def links(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[Links]:
    made = Links(qtbot)
    try:
        yield made
    finally:
        made.stop_all()


def goodwill_states(window: MainWindow) -> list[str]:
    model = window.goodwill.panel.model
    return [str(model.index(row, GoodwillColumn.STATE).data()) for row in range(model.rowCount())]


def queue_size(window: MainWindow) -> Callable[[], int]:
    panel = window.approval_panel
    assert panel is not None
    return panel.model.rowCount


def approve_first(qtbot: QtBot, supervisor: MainWindow) -> None:
    panel = supervisor.approval_panel
    assert panel is not None
    panel.view.setCurrentIndex(panel.model.index(0, 0))
    with qtbot.waitSignal(supervisor.goodwill_loaded, timeout=5000):
        panel.approve_button.click()
    settle(qtbot, supervisor)


def request_over_limit(team: Team) -> Any:
    return team.advisor.goodwill.request(
        team.customer_id, GoodwillKind.GOODWILL_CREDIT, "75.00", "service outage", "no signal for a week"
    )


def test_an_approval_crosses_from_the_supervisors_window_to_the_advisors_pane(
    team: Team, qtbot: QtBot, links: Links
) -> None:
    advisor, advisor_link = links.window(team.advisor)
    supervisor, supervisor_link = links.window(team.supervisor)
    open_account(qtbot, advisor, ACCOUNT)
    request_over_limit(team)
    sync(qtbot, advisor, advisor_link)
    assert goodwill_states(advisor) == ["Awaiting approval"]
    assert advisor.connectivity_status.state is ConnectivityState.ONLINE
    assert advisor.connectivity_status.text() == "Online"

    assert queue_size(supervisor)() == 0
    sync(qtbot, supervisor, supervisor_link)
    assert queue_size(supervisor)() == 1

    approve_first(qtbot, supervisor)
    sync(qtbot, supervisor, supervisor_link)  # the approval goes to the server
    assert queue_size(supervisor)() == 0

    sync(qtbot, advisor, advisor_link)
    assert goodwill_states(advisor) == ["Approved by Sam Supervisor"]


def test_a_change_notice_brings_the_approval_to_the_advisor_with_no_timer(
    team: Team, qtbot: QtBot, links: Links
) -> None:
    """The advisor's loop runs with a sleep that never ends: only LISTEN/NOTIFY can wake it (the
    pacing's floor since the last pull, shorter than the loop's interval, passes at once)."""
    forever = asyncio.Event()
    station = team.advisor

    async def never(seconds: float) -> None:
        if seconds < engine.interval:
            station.clock.advance(timedelta(seconds=seconds))
            return
        await forever.wait()

    engine = SyncEngine(station.store, station.connect(), clock=station.clock, sleep=never, retry=QUICK_RETRY)
    advisor, advisor_link = links.window(team.advisor, engine)
    supervisor, supervisor_link = links.window(team.supervisor)
    open_account(qtbot, advisor, ACCOUNT)
    request_over_limit(team)
    with qtbot.waitSignal(advisor_link.synced, timeout=10_000):
        advisor_link.start()  # the first turn pushes the request
    qtbot.waitUntil(lambda: engine.listening, timeout=10_000)
    settle(qtbot, advisor)
    assert goodwill_states(advisor) == ["Awaiting approval"]

    sync(qtbot, supervisor, supervisor_link)
    approve_first(qtbot, supervisor)
    with qtbot.waitSignal(advisor_link.synced, timeout=5000):  # woken by the server's notice
        sync(qtbot, supervisor, supervisor_link)
    qtbot.waitUntil(lambda: goodwill_states(advisor) == ["Approved by Sam Supervisor"], timeout=5000)


def test_offline_shows_the_changes_waiting(team: Team, qtbot: QtBot, links: Links) -> None:
    advisor, link = links.window(team.advisor, team.advisor.engine(online=False))
    request_over_limit(team)
    with qtbot.waitSignal(link.state_shown, check_params_cb=lambda s: s.mode is Mode.OFFLINE, timeout=10_000):
        link.sync_now()
    status = advisor.connectivity_status
    assert status.state is ConnectivityState.OFFLINE
    assert status.text() == "Offline · 1 change waiting"
    assert status.waiting == 1


def test_a_rejected_change_is_listed_under_sync_problems(team: Team, qtbot: QtBot, links: Links) -> None:
    advisor, link = links.window(team.advisor)
    stranger = factories.customer(account="49999999")  # only this workstation holds it
    add_everywhere(None, [team.advisor.store], stranger)
    team.advisor.goodwill.request(stranger.id, GoodwillKind.REFUND, "7.00", "billing error", "double charge")
    assert not link.problems_button.isVisible()
    with qtbot.waitSignal(link.problems_loaded, timeout=10_000) as loaded:
        link.sync_now()
    assert loaded.args == [1]
    button = advisor.findChild(type(link.problems_button), "syncProblems")
    assert button is link.problems_button and button.isVisible()
    assert button.text() == "Sync problems (1)"
    with qtbot.waitSignal(link.dialog_opened, timeout=2000) as opened:
        button.click()
    dialog = opened.args[0]
    assert isinstance(dialog, SyncProblemsDialog)
    assert (
        dialog.list.item(0)
        .text()
        .startswith("Goodwill request of £7.00 made Wed 25 Nov 10:00 refused: no such")
    )
    dialog.close()


def test_f5_and_a_local_change_ask_for_a_sync(team: Team, qtbot: QtBot, links: Links) -> None:
    advisor, link = links.window(team.advisor)
    woken: list[bool] = []
    link.engine.request_sync = lambda: woken.append(True)  # type: ignore[method-assign]
    advisor.sync_requested.emit()
    advisor.change_saved.emit("Promise made")
    assert woken == [True, True]


def test_a_long_push_shows_its_progress(team: Team, qtbot: QtBot, links: Links) -> None:
    # Progress moves once a page of the push: two pages of half the run each.
    advisor, link = links.window(team.advisor, team.advisor.engine(push_batch=LONG_RUN // 2))
    for number in range(LONG_RUN):
        team.advisor.goodwill.request(
            team.customer_id, GoodwillKind.FEE_WAIVER, "1.00", "fee charged in error", f"fee {number}"
        )
    shown: list[str] = []
    link.state_shown.connect(lambda _state: shown.append(advisor.connectivity_status.text()))
    with qtbot.waitSignal(link.synced, timeout=30_000):
        link.sync_now()
    assert f"Syncing: 25 of {LONG_RUN} (50%)" in shown
    assert shown[-1] == "Online"


def test_the_start_path_syncs_as_the_person_who_signed_in(
    team: Team, central: Central, qtbot: QtBot, links: Links
) -> None:
    """`attach_sync` (what run_window calls after the login dialog): the server address from the
    settings, the signed-in login and the password kept in memory."""
    url = central.location.url
    server = parse_server_url(f"postgresql:///{url.database}?host={url.query['host']}")
    user = team.advisor.user
    session = Session(
        ServerIdentity(user.id, user.username, user.display_name, user.role), Connectivity.ONLINE, server
    )
    store, clock = team.advisor.store, team.advisor.clock
    window = build_window(store, "advisor", clock, username=user.username, zone=LONDON, auto_tick=False)
    qtbot.addWidget(window)
    link = attach_sync(window, store, session, central.passwords[user.username])
    assert link is not None
    links.made.append(link)
    request_over_limit(team)
    with qtbot.waitSignal(link.synced, timeout=10_000) as synced:
        link.sync_now()
    assert synced.args[0].accepted == 1
    assert window.connectivity_status.text() == "Online"


def test_every_mutation_kind_has_words_for_its_author() -> None:
    assert set(KIND_WORDS) == set(mutation_kinds.KINDS)


def test_a_cut_audit_log_is_told_on_the_status_bar(
    central: Central, team: Team, qtbot: QtBot, links: Links
) -> None:
    """The witness's finding reaches a person, not only the log file: `auditWarning` names it."""
    supervisor, supervisor_link = links.window(team.supervisor)
    request_over_limit(team)
    sync(qtbot, *links.window(team.advisor))
    sync(qtbot, supervisor, supervisor_link)
    approve_first(qtbot, supervisor)
    sync(qtbot, supervisor, supervisor_link)  # the approval is audited; this sync sees its head
    sync(qtbot, supervisor, supervisor_link)
    assert supervisor.statusBar().findChild(QLabel, "auditWarning") is None

    with central.admin.begin() as connection:
        connection.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        connection.execute(text("DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)"))
    team.supervisor.clock.advance(sync_mark.EVERY)  # the next witness (console/sync/sync_mark.py)
    sync(qtbot, supervisor, supervisor_link)
    warning = supervisor.statusBar().findChild(QLabel, "auditWarning")
    assert warning is not None and not warning.isHidden()
    assert warning.text() == "Audit log altered on the server: tell a supervisor"
    assert "missing" in warning.toolTip()
