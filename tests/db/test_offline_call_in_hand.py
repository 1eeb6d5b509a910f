"""The call in hand offline, then synced, nothing lost: a team leader's workstation with the server out
of reach records a wrap-up, logs a contact, opens a case and updates it, hands work to billing,
acknowledges and completes what billing handed to sales, changes a detail and restores it, makes a
customer, and reassigns a promise. The link comes back, one sync pushes it all, and each change is on
the server exactly once and on billing's workstation exactly once.

The kinds come from domain/mutation_kinds.py: every kind is either written here or named in
EARLIER_KINDS with the test that takes it offline and through sync, so a new kind fails this test until
it is covered."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from sqlalchemy import func, select, text

from console.details_rules import NewCustomer
from console.services.cases import CaseService
from console.services.contacts import ContactEntry, ContactService, WrapUp
from console.services.customer_details import DetailsService
from console.services.customers import CustomerService
from console.services.handoffs import HandoffService
from console.services.promises import PromiseService
from domain import mutation_kinds
from domain.vocabulary import (
    CaseKind,
    Channel,
    Direction,
    HandoffKind,
    MutationState,
    PromiseKind,
    Role,
    Team,
)
from storage import replica
from tests.helpers.central import Central
from tests.helpers.workstations import Workstation, shared_customer, workstation

pytestmark = pytest.mark.postgres

# Kinds older than the call in hand, each taken offline and through sync by another test.
EARLIER_KINDS = {
    "goodwill.request": "tests/faults/test_sync_faults.py",
    "goodwill.approve": "tests/db/test_sync_engine.py",
    "goodwill.reject": "tests/db/test_sync_engine.py",
    "promise.complete": "tests/faults/test_sync_faults.py",
    "case.resolve": "tests/db/test_sync_engine.py",
    "case.confirm": "tests/db/test_server_cases.py",
    "case.close_in_writing": "tests/db/test_server_cases.py",
    "case.reopen": "tests/db/test_server_cases.py",
    "case.formal_complaint": "tests/db/test_server_cases.py",
    "case.deadlock": "tests/db/test_server_cases.py",
    "case.adr_letter": "tests/db/test_server_cases.py",
    "case.feedback": "tests/db/test_server_cases.py",
    "case.service_dates": "tests/db/test_server_cases.py",
    "case.take": "tests/db/test_server_cases.py",
    "case.hand_over": "tests/db/test_server_cases.py",
    "offer.impression": "tests/db/test_sync_engine.py",
}


class Floor(NamedTuple):
    lead: Workstation  # a supervisor in sales: the workstation that goes offline
    billing: Workstation  # an advisor in billing, online: the second workstation
    customer_id: uuid.UUID


@pytest.fixture
def floor(central: Central, tmp_path: Path) -> Iterator[Floor]:
    lead = central.add_user(Role.SUPERVISOR, 50_000, hint="lead", display_name="Lee Lead", team=Team.SALES)
    bea = central.add_user(Role.ADVISOR, 5_000, hint="bea", display_name="Bea Billing", team=Team.BILLING)
    stations = (
        workstation(central, tmp_path, lead, [lead, bea]),
        workstation(central, tmp_path, bea, [lead, bea]),
    )
    customer_id = shared_customer(central, [station.store for station in stations], account="41000042")
    try:
        yield Floor(*stations, customer_id)
    finally:
        for station in stations:
            station.store.close()


def sync(station: Workstation, *, online: bool = True) -> Any:
    return asyncio.run(station.engine(online=online).sync_once())


def the_call_offline(floor: Floor) -> None:
    """Every write of the call in hand, through the services, on the workstation with the link down."""
    lead, clock, customer_id = floor.lead, floor.lead.clock, floor.customer_id
    store, user = lead.store, lead.user
    contacts = ContactService(store, clock, user)
    cases = CaseService(store, clock, user)
    details = DetailsService(store, clock, user)
    handoffs = HandoffService(store, clock, user)
    promises = PromiseService(store, clock, user)

    started = clock.now()
    clock.advance(timedelta(minutes=6))
    case = cases.open(
        customer_id,
        CaseKind.BROADBAND_FAULT,
        "Wi-Fi weak upstairs",
        reported_text="The signal drops in the back bedroom",
        next_step="Send a booster",
    )
    contacts.wrap_up(WrapUp(customer_id, started, clock.now(), "fault", "Booster agreed", case_id=case.id))
    clock.advance(timedelta(minutes=1))
    contacts.log(
        ContactEntry(customer_id, Channel.EMAIL, Direction.OUTBOUND, "Sent the booster guide", case.id)
    )
    [summary] = [c for c in CustomerService(store).cases(customer_id) if c.id == case.id]
    cases.update_progress(summary, "Check the booster arrived", "Booster dispatched", customer_told=True)
    handoffs.hand_off(customer_id, HandoffKind.ORDER, Team.BILLING, "Credit the booster", case_id=case.id)
    [incoming] = handoffs.for_my_team()
    acknowledged = handoffs.acknowledge(incoming)
    clock.advance(timedelta(minutes=5))
    handoffs.complete(acknowledged, "Upgrade placed")
    [removed] = details.change(customer_id, {"email": ""}, "customer asked us to stop emailing")
    details.restore(removed.id, "customer gave it again")
    details.create(
        NewCustomer(
            "Ada", "Lovelace", "", "3 Mill Lane", "Leeds", "LS1 4AP", "phone", False, "07700 900777", "new"
        )
    )
    promise = promises.make(customer_id, PromiseKind.PROGRESS_UPDATE, clock.now() + timedelta(days=1))
    promises.reassign(promise, floor.billing.user.id, "Bea has the credit: tell the customer when it lands")


def count(connection: Any, entity: str, entity_id: uuid.UUID) -> int:
    table = replica.table_for(entity)
    assert table is not None, entity
    return int(
        connection.execute(select(func.count()).select_from(table).where(table.c.id == entity_id)).scalar()
    )


def test_the_call_in_hand_made_offline_lands_once_on_the_server_and_the_other_workstation(
    floor: Floor, central: Central
) -> None:
    lead, billing = floor.lead, floor.billing
    # Before the link drops: billing hands an order to sales, and the lead's workstation has it.
    HandoffService(billing.store, billing.clock, billing.user).hand_off(
        floor.customer_id, HandoffKind.ORDER, Team.SALES, "Place the speed upgrade"
    )
    assert sync(billing).accepted == 1
    assert sync(lead).pulled > 0

    the_call_offline(floor)
    waiting = lead.outbox()
    offline = sync(lead, online=False)
    assert offline.offline is not None and offline.pushed == 0 and offline.waiting == len(waiting)

    written = Counter(entry.kind for entry in waiting)
    assert written == {
        "case.open": 1,
        "contact.add": 2,  # the wrap-up and the logged email
        "case.update": 1,
        "handoff.create": 1,
        "handoff.acknowledge": 1,
        "handoff.complete": 1,
        "customer.change_details": 1,
        "customer.restore_detail": 1,
        "customer.create": 1,
        "promise.create": 1,
        "promise.reassign": 1,
    }
    uncovered = set(mutation_kinds.KINDS) - set(written) - set(EARLIER_KINDS)
    assert not uncovered, f"kinds neither written offline here nor in EARLIER_KINDS: {sorted(uncovered)}"
    root = Path(__file__).resolve().parents[2]
    for kind, path in EARLIER_KINDS.items():
        constant = kind.replace(".", "_").upper()
        assert kind in (root / path).read_text(encoding="utf-8") or constant in (root / path).read_text(
            encoding="utf-8"
        ), (kind, path)

    synced = sync(lead)  # the link is back
    assert (synced.accepted, synced.rejected, synced.conflicts, synced.waiting) == (len(waiting), 0, 0, 0)
    assert all(entry.state is MutationState.ACCEPTED for entry in lead.outbox())
    sync(billing)

    ids = [entry.mutation_id for entry in waiting]
    events = [uuid.UUID(entry.payload["event_id"]) for entry in waiting if entry.payload.get("event_id")]
    events += [entry.entity_id for entry in waiting if entry.kind == mutation_kinds.CONTACT_ADD]
    records = {(mutation_kinds.entity_of(entry.kind), entry.entity_id) for entry in waiting}
    with central.admin.connect() as connection:
        logged = connection.execute(
            text("SELECT mutation_id, state FROM mutation_log WHERE mutation_id = ANY(:ids)"), {"ids": ids}
        ).all()
        assert Counter(row.mutation_id for row in logged) == Counter(ids)  # each once
        assert {row.state for row in logged} == {"accepted"}
        twice = connection.execute(
            text(
                "SELECT mutation_id, entity, entity_id FROM change_log WHERE mutation_id = ANY(:ids)"
                " GROUP BY 1, 2, 3 HAVING count(*) > 1"
            ),
            {"ids": ids},
        ).all()
        assert twice == []
        on_server = {
            (entity, entity_id): count(connection, str(entity), entity_id) for entity, entity_id in records
        }
        lines = {event: count(connection, "contact_event", event) for event in events}
    assert set(on_server.values()) == {1}, on_server
    assert set(lines.values()) == {1}, lines

    with billing.store.read() as session:
        there = {(entity, entity_id): count(session, str(entity), entity_id) for entity, entity_id in records}
        their_lines = {event: count(session, "contact_event", event) for event in events}
    assert set(there.values()) == {1}, there
    assert set(their_lines.values()) == {1}, their_lines
    mine = PromiseService(billing.store, billing.clock, billing.user).for_customer(floor.customer_id)
    assert [p.owner_id for p in mine] == [billing.user.id]  # the reassigned promise is Bea's there too
    [ada] = CustomerService(billing.store).search("07700 900777")
    assert CustomerService(billing.store).profile(ada.id).account_number.isdigit()  # the server's number
