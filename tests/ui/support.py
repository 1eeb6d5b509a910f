"""Widget-test support: a small known store (three customers, one with 300 contacts) and a shown window."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QModelIndex
from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from console.ids import new_id
from console.normalise import email_key, name_key, phone_e164, postcode_key
from console.services.customers import CustomerService
from domain.vocabulary import CaseKind, CaseStatus, Channel, Direction, PhoneKind, Role, Severity, Team
from storage.location import parse_location
from storage.models import AccountOwnerChange, Case, ContactEvent, Customer, CustomerPhone, User
from storage.store import Store, open_store
from widgets.main_window import MainWindow
from widgets.pane.history_model import HistoryModel
from widgets.sync.status import connectivity_text

NOW = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)
STORY_ACCOUNT = "40000001"
STORY_PHONE = "+447700900123"
STORY_EVENTS = 300
CHANNELS = list(Channel)


@dataclass(frozen=True)
class UiData:
    """What the store holds, so tests can assert against known values."""

    store: Store
    story_name: str
    story_account: str
    open_case: str
    closed_case: str
    events: int
    events_by_channel: dict[Channel, int]


def _user(username: str, name: str, role: Role) -> User:
    return User(
        id=new_id(),
        username=username,
        display_name=name,
        role=role,
        team=Team.FRONT_LINE,
        goodwill_limit_pence=5000 if role is Role.ADVISOR else 50000,
        active=True,
        created_at=NOW - timedelta(days=900),
    )


def _customer(
    given: str,
    family: str,
    account: str,
    postcode: str,
    email: str | None,
    *,
    title: str | None = None,
    owner: User | None = None,
    vulnerable: bool = False,
    note: str | None = None,
) -> Customer:
    return Customer(
        id=new_id(),
        account_number=account,
        title=title,
        given_name=given,
        family_name=family,
        given_key=name_key(given),
        family_key=name_key(family),
        email=email,
        email_key=email_key(email) if email else None,
        address_line="14 Acacia Avenue",
        town="London",
        postcode=postcode,
        postcode_key=postcode_key(postcode),
        vulnerable=vulnerable,
        vulnerability_note=note,
        marketing_consent=False,
        preferred_channel=Channel.EMAIL,
        account_owner_id=owner.id if owner else None,
        customer_since=date(2015, 4, 1),
        created_at=NOW - timedelta(days=4000),
        updated_at=NOW - timedelta(days=3),
        version=1,
        deleted=False,
    )


def _phone(owner: Customer, number: str, kind: PhoneKind, primary: bool) -> CustomerPhone:
    e164 = phone_e164(number)
    assert e164 is not None, number
    return CustomerPhone(id=new_id(), customer_id=owner.id, kind=kind, e164=e164, is_primary=primary)


def _case(
    owner: Customer, reference: str, title: str, status: CaseStatus, opened: datetime, by: User
) -> Case:
    closed = None if status.is_open else opened + timedelta(days=4)
    return Case(
        id=new_id(),
        reference=reference,
        customer_id=owner.id,
        kind=CaseKind.BROADBAND_FAULT,
        title=title,
        status=status,
        severity=Severity.HIGH,
        owner_id=by.id,
        opened_at=opened,
        target_at=opened + timedelta(days=5),
        resolved_at=closed,
        closed_at=closed,
        updated_at=closed or opened,
        next_step="Engineer visit booked for Thursday morning" if status.is_open else None,
        root_cause_category=None if status.is_open else "line_fault",
        root_cause_text=None if status.is_open else "Corroded joint at the street cabinet",
        formal_complaint=False,
        complaint_deadline_at=None,
        reopened_count=0,
        version=1,
    )


def build_store(path: Path) -> UiData:
    store = open_store(parse_location(str(path)))
    alex = _user("alex", "Alex Morgan", Role.ADVISOR)
    jo = _user("jo", "Jo Okafor", Role.ADVISOR)
    sam = _user("sam", "Sam Patel", Role.SUPERVISOR)
    priya = _customer(
        "Priya",
        "Shah",
        STORY_ACCOUNT,
        "SW1A 1AA",
        "priya.shah@example.co.uk",
        title="Ms",
        owner=jo,
        vulnerable=True,
        note="Hearing loss: prefers email or text relay",
    )
    tom = _customer("Tom", "Jones", "40000002", "M1 1AE", "tom.jones@example.com")
    zoe = _customer("Zoë", "Ålander", "40000003", "EH1 1YZ", None)
    open_case = _case(
        priya,
        "CS-0000002",
        "Broadband drops every evening",
        CaseStatus.IN_PROGRESS,
        NOW - timedelta(days=3),
        alex,
    )
    closed_case = _case(
        priya, "CS-0000001", "Router not delivered", CaseStatus.CLOSED, NOW - timedelta(days=40), jo
    )
    events = []
    by_channel = dict.fromkeys(CHANNELS, 0)
    for n in range(STORY_EVENTS):
        channel = CHANNELS[n % len(CHANNELS)]
        by_channel[channel] += 1
        at = NOW - timedelta(hours=3 * n + 1)
        events.append(
            ContactEvent(
                id=new_id(),
                customer_id=priya.id,
                case_id=open_case.id if n % 5 == 0 else None,
                channel=channel,
                direction=Direction.INBOUND if n % 2 else Direction.OUTBOUND,
                advisor_id=alex.id if channel is not Channel.SYSTEM else None,
                occurred_at=at,
                recorded_at=at,
                subject=f"Contact {n}" if n % 3 == 0 else None,
                summary=f"Event number {n} about the broadband line",
            )
        )
    with store.write() as session:
        session.add_all([alex, jo, sam])
        session.flush()
        session.add_all([priya, tom, zoe])
        session.flush()
        session.add_all(
            [
                _phone(priya, STORY_PHONE, PhoneKind.MOBILE, True),
                _phone(priya, "020 7946 0000", PhoneKind.LANDLINE, False),
                _phone(tom, "07700 900456", PhoneKind.MOBILE, True),
                AccountOwnerChange(
                    id=new_id(),
                    customer_id=priya.id,
                    from_user_id=alex.id,
                    to_user_id=jo.id,
                    note="Alex moved to the business team",
                    changed_at=NOW - timedelta(days=60),
                ),
                open_case,
                closed_case,
            ]
        )
        session.flush()
        session.add_all(events)
    return UiData(
        store=store,
        story_name="Ms Priya Shah",
        story_account=STORY_ACCOUNT,
        open_case="CS-0000002",
        closed_case="CS-0000001",
        events=STORY_EVENTS,
        events_by_channel=by_channel,
    )


def make_window(qtbot: QtBot, store: Store, clock: ManualClock, role: str = "advisor") -> MainWindow:
    window = MainWindow(CustomerService(store), connectivity_text(store.location), role, clock)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    return window


def fetch_all(qtbot: QtBot, model: HistoryModel) -> None:
    """Page through the whole history as a view scrolled to the bottom would, waiting for each page."""
    root = QModelIndex()
    qtbot.waitUntil(lambda: not model.loading, timeout=5000)
    while model.canFetchMore(root):
        with qtbot.waitSignal(model.page_loaded, timeout=5000):
            model.fetchMore(root)


def qt_objects_left_in_cycles(use_and_close: Callable[[], None]) -> list[str]:
    """Run `use_and_close` with automatic collection off, then list the Qt wrappers that only the
    cycle collector could free: on a background reader's thread that would delete widgets off the
    GUI thread and crash."""
    from shiboken6 import Shiboken

    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        use_and_close()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        return [type(o).__name__ for o in gc.garbage if isinstance(o, Shiboken.Object)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()
