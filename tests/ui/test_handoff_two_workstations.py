"""A handoff between two workstations through the real central server, at the window: Alex (sales) hands
a case's work to billing from the pane's hand-off dialog; after a sync Bea, in billing on her own
workstation, finds it in `teamHandoffs`, acknowledges it and completes it with what was done; after each
sync Alex's pane and decision banner say so. No sleeps: every wait is on a signal."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

import pytest
from PySide6.QtWidgets import QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from console.services.cases import CaseService
from domain.vocabulary import CaseKind, Role, Severity, Team
from tests.helpers.central import Central
from tests.helpers.workstations import Workstation, shared_customer, workstation
from tests.ui.sync_support import Links, sync
from tests.ui.work_support import at, cell, open_account, settle
from widgets.handoffs.done_dialog import HandoffDoneDialog
from widgets.handoffs.model import HandoffColumn
from widgets.main_window import MainWindow
from widgets.team_handoffs.dialogs import HandOffDialog

pytestmark = pytest.mark.postgres

ACCOUNT = "41000007"
NEEDED = "Refund the second October charge"


class Pair(NamedTuple):
    sales: Workstation
    billing: Workstation
    customer_id: uuid.UUID


@pytest.fixture
def pair(central: Central, tmp_path: Path) -> Iterator[Pair]:
    alex = central.add_user(Role.ADVISOR, 5_000, hint="alex", display_name="Alex Sales", team=Team.SALES)
    bea = central.add_user(Role.ADVISOR, 5_000, hint="bea", display_name="Bea Billing", team=Team.BILLING)
    sales = workstation(central, tmp_path, alex, [alex, bea])
    billing = workstation(central, tmp_path, bea, [alex, bea])
    customer_id = shared_customer(central, [sales.store, billing.store], account=ACCOUNT)
    try:
        yield Pair(sales, billing, customer_id)
    finally:
        sales.store.close()
        billing.store.close()


@pytest.fixture
def links(qtbot: QtBot, qloop: asyncio.AbstractEventLoop) -> Iterator[Links]:
    made = Links(qtbot)
    try:
        yield made
    finally:
        made.stop_all()


def pane_state(window: MainWindow) -> str:
    return str(cell(window.handoffs.model, 0, HandoffColumn.STATE))


def test_a_handoff_crosses_to_the_other_team_and_its_acknowledgement_and_completion_come_back(
    pair: Pair, qtbot: QtBot, links: Links
) -> None:
    sender, sender_link = links.window(pair.sales)
    receiver, receiver_link = links.window(pair.billing)
    case = CaseService(pair.sales.store, pair.sales.clock, pair.sales.user).open(
        pair.customer_id, CaseKind.BILLING, "Charged twice in October", Severity.MEDIUM
    )
    open_account(qtbot, sender, ACCOUNT)

    sender.cases.panel.view.setCurrentIndex(sender.cases.model.index(0, 0))  # the case on the pane
    button = sender.findChild(QPushButton, "handOffButton")
    assert button is not None and button.isEnabled()
    button.click()
    dialog = sender.team_handoffs.dialog
    assert isinstance(dialog, HandOffDialog) and dialog.objectName() == "handOffDialog"
    assert dialog.case_combo.currentData() == str(case.id)  # the case chosen on the pane
    dialog.choose_team(Team.BILLING)  # 8 working hours from Wednesday 10:00
    assert dialog.ack_by.text() == "Wed 25 Nov 18:00"
    dialog.findChild(QPlainTextEdit, "handoffNeeded").setPlainText(NEEDED)  # type: ignore[union-attr]
    with qtbot.waitSignal(sender.change_saved, timeout=5000):
        dialog.submit()
    settle(qtbot, sender)
    assert pane_state(sender).startswith("Awaiting acknowledgement")
    sync(qtbot, sender, sender_link)  # the handoff goes to the server, accepted
    assert [entry.state for entry in pair.sales.outbox()] == ["accepted", "accepted"]

    listed = receiver.team_handoffs
    assert listed.model.rowCount() == 0
    sync(qtbot, receiver, receiver_link)  # Bea's workstation pulls it
    qtbot.waitUntil(lambda: listed.model.rowCount() == 1, timeout=5000)
    assert listed.panel.view.objectName() == "teamHandoffs"
    assert cell(listed.model, 0, HandoffColumn.SUMMARY) == NEEDED
    assert cell(listed.model, 0, HandoffColumn.TEAMS) == "Sales"  # every row is to billing: the sender
    assert cell(listed.model, 0, HandoffColumn.ACKNOWLEDGE_BY) == "Wed 25 Nov 18:00"
    assert case.id == listed.model.handoff_at(0).case_id

    pair.billing.clock.advance(timedelta(minutes=20))
    listed.panel.view.setCurrentIndex(listed.model.index(0, 0))
    with qtbot.waitSignal(receiver.change_saved, timeout=5000):
        listed.panel.acknowledge_button.click()
    settle(qtbot, receiver)
    acknowledged_at = pair.billing.clock.now()
    sync(qtbot, receiver, receiver_link)

    banner = sender.team_handoffs.banner
    assert not banner.isVisible()
    sync(qtbot, sender, sender_link)  # the acknowledgement reaches Alex
    qtbot.waitUntil(banner.isVisible, timeout=5000)
    assert banner.text.text() == f"Billing acknowledged your handoff: {NEEDED}"
    qtbot.waitUntil(
        lambda: pane_state(sender) == f"Acknowledged by Bea Billing, {at(acknowledged_at)}", timeout=5000
    )

    pair.billing.clock.advance(timedelta(hours=1))
    listed.panel.view.setCurrentIndex(listed.model.index(0, 0))
    listed.panel.complete_button.click()
    done = listed.dialog
    assert isinstance(done, HandoffDoneDialog)
    done.findChild(QPlainTextEdit, "handoffDoneNote").setPlainText("Refunded £42.50")  # type: ignore[union-attr]
    with qtbot.waitSignal(receiver.change_saved, timeout=5000):
        done.submit()
    settle(qtbot, receiver)
    assert listed.model.rowCount() == 0
    done_at = pair.billing.clock.now()
    sync(qtbot, receiver, receiver_link)

    sync(qtbot, sender, sender_link)  # and the completion
    qtbot.waitUntil(lambda: banner.text.text() == f"Billing completed your handoff: {NEEDED}", timeout=5000)
    qtbot.waitUntil(lambda: pane_state(sender) == f"Done {at(done_at)}", timeout=5000)
    subjects = [sender.pane.history_model.entry_at(row).subject for row in range(3)]  # type: ignore[union-attr]
    assert subjects == ["Completed by billing", "Acknowledged by billing", "Handed to billing"]
    with pair.sales.central.admin.connect() as connection:
        row = connection.execute(
            text("SELECT status, acknowledged_by, done_at FROM handoffs WHERE case_id = :c"), {"c": case.id}
        ).one()
    assert (row.status, row.acknowledged_by, row.done_at) == ("done", pair.billing.user.id, done_at)
