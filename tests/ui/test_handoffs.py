"""Handoffs on the customer's pane: a dropped one is red and says so; acknowledging and completing it."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from console.clock import ManualClock
from console.teams import parse_teams
from console.working_time import LONDON
from domain.vocabulary import Team
from storage.models import User
from storage.store import Store
from tests.ui.support import NOW, STORY_ACCOUNT
from tests.ui.work_support import HANDOFF_SUMMARY, at, cell, open_account, settle, work_window
from widgets.handoffs.done_dialog import HandoffDoneDialog
from widgets.handoffs.model import HandoffColumn
from widgets.main_window import MainWindow
from widgets.promise_text import GREEN, RED
from widgets.team_handoffs.dialogs import HandOffDialog


def state(window: MainWindow, role: int = Qt.ItemDataRole.DisplayRole) -> object:
    return cell(window.handoffs.model, 0, HandoffColumn.STATE, role)


def test_a_dropped_handoff_is_red_then_acknowledged_then_done(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    with work_store.write() as session:  # Alex works in provisioning, the team the order went to
        session.execute(update(User).where(User.username == "alex").values(team=Team.PROVISIONING))
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, STORY_ACCOUNT)
    assert window.handoffs.model.rowCount() == 1
    assert state(window) == "Not acknowledged — 2 days late"
    assert state(window, Qt.ItemDataRole.ForegroundRole).color() == RED  # type: ignore[attr-defined]
    assert cell(window.handoffs.model, 0, HandoffColumn.SUMMARY) == HANDOFF_SUMMARY
    assert cell(window.handoffs.model, 0, HandoffColumn.TEAMS) == "Sales → Provisioning"
    assert cell(window.handoffs.model, 0, HandoffColumn.ACKNOWLEDGE_BY) == at(NOW - timedelta(days=2))
    title = window.handoffs.panel.title
    assert title.text() == "Handoffs: 1 not acknowledged in time — do not say it is being dealt with"
    assert title.property("alert") is True

    assert not window.handoffs.panel.acknowledge_button.isEnabled()  # nothing selected yet
    window.handoffs.panel.view.setCurrentIndex(window.handoffs.model.index(0, 0))
    assert window.handoffs.panel.acknowledge_button.isEnabled()
    assert not window.handoffs.panel.complete_button.isEnabled()
    clock.advance(timedelta(minutes=3))
    with qtbot.waitSignal(window.change_saved, timeout=5000):
        window.handoffs.panel.acknowledge_button.click()
    settle(qtbot, window)
    assert state(window) == f"Acknowledged by Alex Morgan, {at(clock.now())}"
    assert state(window, Qt.ItemDataRole.ForegroundRole).color() == GREEN  # type: ignore[attr-defined]
    assert window.handoffs.panel.title.text() == "Handoffs: acknowledged — being dealt with"
    assert window.handoffs.panel.title.property("alert") is False
    assert window.pane.history_model.entry_at(0).subject == "Acknowledged by provisioning"  # type: ignore[union-attr]

    window.handoffs.panel.view.setCurrentIndex(window.handoffs.model.index(0, 0))
    window.handoffs.panel.complete_button.click()
    done = window.dialog
    assert isinstance(done, HandoffDoneDialog)  # what was done is asked, and goes on the timeline
    done.findChild(QPlainTextEdit, "handoffDoneNote").setPlainText("Order placed")  # type: ignore[union-attr]
    with qtbot.waitSignal(window.change_saved, timeout=5000):
        done.submit()
    settle(qtbot, window)
    assert state(window) == f"Done {at(clock.now())}"
    assert window.dialog is None


def test_an_awaiting_handoff_turns_red_when_its_deadline_passes_on_a_tick(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    clock.set(NOW - timedelta(days=2, hours=1))  # an hour before its deadline
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, STORY_ACCOUNT)
    assert state(window) == "Awaiting acknowledgement (1 h left)"
    clock.advance(timedelta(hours=1, minutes=1))
    window.tick()
    assert state(window) == "Not acknowledged — 1 min late"
    assert window.handoffs.panel.title.property("alert") is True


def test_a_handoff_made_on_the_pane_reaches_the_receiving_team_and_its_acknowledgement_the_sender(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    with work_store.write() as session:  # Alex in sales hands to Jo in billing
        session.execute(update(User).where(User.username == "alex").values(team=Team.SALES))
        session.execute(update(User).where(User.username == "jo").values(team=Team.BILLING))
    sender = work_window(qtbot, work_store, clock)
    button = sender.findChild(QPushButton, "handOffButton")
    assert button is not None and not button.isEnabled()  # no customer open yet
    open_account(qtbot, sender, STORY_ACCOUNT)
    assert button.isEnabled()
    button.click()
    dialog = sender.team_handoffs.dialog
    assert isinstance(dialog, HandOffDialog) and dialog.objectName() == "handOffDialog"
    ack_by = dialog.findChild(QLineEdit, "handoffAckBy")
    assert ack_by is not None and ack_by.isReadOnly()
    teams = [dialog.team_combo.itemData(i) for i in range(dialog.team_combo.count())]
    assert "sales" not in teams and "billing" in teams  # never to one's own team
    dialog.choose_team(Team.TECHNICAL)  # 2 working hours from Tuesday 14:05
    assert ack_by.text() == "Tue 24 Nov 16:05"
    dialog.choose_team(Team.BILLING)  # 8: 3 h 55 min on Tuesday, the rest on Wednesday morning
    assert ack_by.text() == "Wed 25 Nov 12:05"
    dialog.submit()
    assert dialog.error.text() == "Say what the other team must do."
    dialog.findChild(QPlainTextEdit, "handoffNeeded").setPlainText("Refund the second October charge")  # type: ignore[union-attr]
    with qtbot.waitSignal(sender.change_saved, timeout=5000):
        dialog.submit()
    settle(qtbot, sender)
    summaries = [cell(sender.handoffs.model, row, HandoffColumn.SUMMARY) for row in range(2)]
    assert "Refund the second October charge" in summaries

    receiver = work_window(qtbot, work_store, clock, username="jo")
    listed = receiver.team_handoffs
    assert listed.panel.view.objectName() == "teamHandoffs"
    assert listed.model.rowCount() == 1  # the provisioning handoff is not billing's
    assert cell(listed.model, 0, HandoffColumn.SUMMARY) == "Refund the second October charge"
    assert cell(listed.model, 0, HandoffColumn.ACKNOWLEDGE_BY) == "Wed 25 Nov 12:05"
    listed.panel.view.setCurrentIndex(listed.model.index(0, 0))
    clock.advance(timedelta(minutes=10))
    with qtbot.waitSignal(receiver.change_saved, timeout=5000):
        listed.panel.acknowledge_button.click()
    settle(qtbot, receiver)
    assert str(cell(listed.model, 0, HandoffColumn.STATE)).startswith("Acknowledged by")

    sender.team_handoffs.refresh()  # what the sync link's arrival notice does
    settle(qtbot, sender)
    banner = sender.team_handoffs.banner
    assert banner.objectName() == "handoffNewsBanner" and banner.isVisible()
    assert banner.text.text() == "Billing acknowledged your handoff: Refund the second October charge"

    listed.panel.view.setCurrentIndex(listed.model.index(0, 0))
    listed.panel.complete_button.click()
    done = listed.dialog
    assert isinstance(done, HandoffDoneDialog)
    done.findChild(QPlainTextEdit, "handoffDoneNote").setPlainText("Refunded £42.50")  # type: ignore[union-attr]
    with qtbot.waitSignal(receiver.change_saved, timeout=5000):
        done.submit()
    settle(qtbot, receiver)
    assert listed.model.rowCount() == 0
    sender.team_handoffs.refresh()
    settle(qtbot, sender)
    assert banner.text.text() == "Billing completed your handoff: Refund the second October charge"


def test_the_hand_off_dialog_names_a_bad_teams_file_and_keeps_working(qtbot: QtBot) -> None:
    teams = parse_teams("[teams]\nsales = { words = 'Sales', acknowledge_hours = 'soon' }\n")
    dialog = HandOffDialog(teams, Team.SALES, lambda _team: NOW + timedelta(hours=2), LONDON)
    qtbot.addWidget(dialog)
    problem = dialog.findChild(QLabel, "handoffTeamsProblem")
    assert problem is not None and not problem.isHidden()
    assert problem.text() == (
        "teams.toml line 2: acknowledge_hours for 'sales' must be a whole number from 1 to 40"
    )
    assert dialog.team_combo.count() == len(Team) - 1  # the built-in teams and times
    assert dialog.ack_by.text() == at(NOW + timedelta(hours=2))
    dialog.needed_edit.setPlainText("x" * 2_001)
    dialog.submit()
    assert dialog.error.text() == "The summary is too long (at most 2,000 characters)."
