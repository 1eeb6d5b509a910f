"""Support for the promise, handoff and ownership tests: a writable store per test and a window acting
as a known user, in a known time zone, with the ticker driven by hand (no timer, no sleeping)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from console.ids import new_id
from console.services.customers import CustomerService
from console.services.people import PeopleService
from console.services.promises import PromiseService
from domain.records import CustomerProfile, PromiseRecord
from domain.vocabulary import (
    CaseKind,
    CaseStatus,
    HandoffKind,
    HandoffStatus,
    PromiseKind,
    Severity,
    Team,
)
from storage.models import Case, Handoff
from storage.store import Store
from tests.ui.support import NOW, STORY_ACCOUNT, build_store
from widgets.app import build_window
from widgets.main_window import MainWindow

LONDON = ZoneInfo("Europe/London")  # GMT in November: local times read like the UTC ones
TOM_ACCOUNT = "40000002"
ZOE_ACCOUNT = "40000003"
LATE_CASE = "CS-0000003"
HANDOFF_SUMMARY = "Move the broadband to the new flat on the 30th"


@dataclass(frozen=True)
class WorkData:
    store: Store
    late_case: str
    handoff_summary: str


def build_work_store(path: Path) -> WorkData:
    """The widget-test store, plus Tom's case past its target with no news, and a dropped handoff."""
    data = build_store(path)
    store = data.store
    customers = CustomerService(store)
    priya = customers.find_account(STORY_ACCOUNT)
    tom = customers.find_account(TOM_ACCOUNT)
    people = PeopleService(store)
    alex, jo = people.current_user("alex"), people.current_user("jo")
    opened = NOW - timedelta(days=10)
    with store.write() as session:
        session.add(
            Case(
                id=new_id(),
                reference=LATE_CASE,
                customer_id=tom.id,
                kind=CaseKind.BILLING,
                title="Charged twice for October",
                status=CaseStatus.OPEN,
                severity=Severity.MEDIUM,
                owner_id=jo.id,
                opened_at=opened,
                target_at=opened + timedelta(days=5),
                resolved_at=None,
                closed_at=None,
                updated_at=opened,
                next_step="Billing to refund the second charge",
                root_cause_category=None,
                root_cause_text=None,
                formal_complaint=False,
                complaint_deadline_at=None,
                reopened_count=0,
                version=1,
            )
        )
        session.add(
            Handoff(
                id=new_id(),
                customer_id=priya.id,
                case_id=None,
                kind=HandoffKind.ORDER,
                summary=HANDOFF_SUMMARY,
                from_team=Team.SALES,
                to_team=Team.PROVISIONING,
                created_by=alex.id,
                created_at=NOW - timedelta(days=3),
                acknowledge_by=NOW - timedelta(days=2),
                acknowledged_by=None,
                acknowledged_at=None,
                done_by=None,
                done_at=None,
                status=HandoffStatus.AWAITING_ACK,
                version=1,
            )
        )
    return WorkData(store, LATE_CASE, HANDOFF_SUMMARY)


def promise_service(store: Store, clock: ManualClock, username: str = "alex") -> PromiseService:
    return PromiseService(store, clock, PeopleService(store).current_user(username))


def make_promise(
    store: Store,
    clock: ManualClock,
    account: str,
    due_in: timedelta,
    *,
    kind: PromiseKind = PromiseKind.PROGRESS_UPDATE,
    username: str = "alex",
) -> PromiseRecord:
    """A promise made outside the window (as another workstation would)."""
    customer = CustomerService(store).find_account(account)
    return promise_service(store, clock, username).make(customer.id, kind, clock.now() + due_in)


def work_window(qtbot: QtBot, store: Store, clock: ManualClock, username: str = "alex") -> MainWindow:
    window = build_window(store, "advisor", clock, username=username, zone=LONDON, auto_tick=False)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    settle(qtbot, window)
    return window


def settle(qtbot: QtBot, window: MainWindow) -> None:
    """Wait (on signals, never sleeping) until the background worker has delivered everything."""
    qtbot.waitUntil(lambda: not window.reader.busy and not window.pane.history_model.loading, timeout=5000)


def open_account(qtbot: QtBot, window: MainWindow, account: str) -> CustomerProfile:
    with qtbot.waitSignal(window.customer_opened, timeout=5000) as opened:
        window.search_panel.search_box.setText(account)
        qtbot.keyClick(window.search_panel.search_box, Qt.Key.Key_Return)
    settle(qtbot, window)
    found: CustomerProfile = opened.args[0]
    return found


def cell(model: QAbstractItemModel, row: int, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> object:
    return model.index(row, column, QModelIndex()).data(role)


def at(moment: datetime) -> str:
    return moment.astimezone(LONDON).strftime("%a %d %b %H:%M")
