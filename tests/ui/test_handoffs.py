"""Handoffs on the customer's pane: a dropped one is red and says so; acknowledging and completing it."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from console.clock import ManualClock
from domain.vocabulary import Team
from storage.models import User
from storage.store import Store
from tests.ui.support import NOW, STORY_ACCOUNT
from tests.ui.work_support import HANDOFF_SUMMARY, at, cell, open_account, settle, work_window
from widgets.handoffs.model import HandoffColumn
from widgets.main_window import MainWindow
from widgets.promise_text import GREEN, RED


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
    with qtbot.waitSignal(window.change_saved, timeout=5000):
        window.handoffs.panel.complete_button.click()
    settle(qtbot, window)
    assert state(window) == f"Done {at(clock.now())}"


def test_an_awaiting_handoff_turns_red_when_its_deadline_passes_on_a_tick(
    qtbot: QtBot, work_store: Store, clock: ManualClock
) -> None:
    clock.set(NOW - timedelta(days=2, hours=1))  # an hour before its deadline
    window = work_window(qtbot, work_store, clock)
    open_account(qtbot, window, STORY_ACCOUNT)
    assert state(window) == "Awaiting acknowledgement (1 hour left)"
    clock.advance(timedelta(hours=1, minutes=1))
    window.tick()
    assert state(window) == "Not acknowledged — 1 minute late"
    assert window.handoffs.panel.title.property("alert") is True
