"""Handoffs must be acknowledged in working hours; case ownership changes only with a note."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import pytest
from sqlalchemy import select

from console.case_rules import CaseRuleError
from console.clock import ManualClock
from console.handoff_rules import HandoffRuleError, HandoffState, handoff_state, may_say_being_dealt_with
from console.services.cases import CaseService
from console.services.customers import CustomerService
from console.services.handoffs import HandoffService
from console.services.promises import PromiseService
from domain.records import UserRecord
from domain.vocabulary import CaseStatus, HandoffKind, PromiseKind, Role, Team
from storage.models import ContactEvent
from storage.queries import board, users
from storage.store import Store
from tests.helpers import factories

# Wednesday 25 November 2026, 16:00 in London (GMT).
NOW = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)


class World(NamedTuple):
    store: Store
    clock: ManualClock
    sales: UserRecord
    provisioning: UserRecord
    customers: CustomerService


@pytest.fixture
def world(sqlite_store: Store) -> World:
    someone = factories.customer()
    with sqlite_store.write() as session:
        session.add_all(
            [
                factories.user("sally", team=Team.SALES),
                factories.user("pete", team=Team.PROVISIONING),
                factories.user("sue", role=Role.SUPERVISOR),
                someone,
            ]
        )
        session.flush()
        session.add(
            factories.case(
                someone,
                "CS-9",
                CaseStatus.IN_PROGRESS,
                target_at=NOW - timedelta(days=1),
                updated_at=NOW - timedelta(days=2),
            )
        )
    with sqlite_store.read() as session:
        sales, provisioning = users.by_username(session, "sally"), users.by_username(session, "pete")
    assert sales and provisioning
    return World(sqlite_store, ManualClock(NOW), sales, provisioning, CustomerService(sqlite_store))


def test_unacknowledged_handoff_turns_red_after_working_hours_deadline(world: World) -> None:
    sales = HandoffService(world.store, world.clock, world.sales)
    customer = world.customers.find_account("40000001")
    handoff = sales.hand_off(
        customer.id, HandoffKind.ORDER, Team.PROVISIONING, "Office move order: 14 Wellington St"
    )
    # 4 working hours from Wednesday 16:00: 2 today, 2 on Thursday morning.
    assert handoff.acknowledge_by == datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    assert handoff_state(handoff, world.clock.now()) is HandoffState.AWAITING
    assert not may_say_being_dealt_with([handoff])
    world.clock.advance(timedelta(hours=18, minutes=1))
    assert handoff_state(handoff, world.clock.now()) is HandoffState.DROPPED
    assert [h.id for h in sales.dropped()] == [handoff.id]

    with pytest.raises(HandoffRuleError, match="only the provisioning team or a supervisor"):
        sales.acknowledge(handoff)
    provisioning = HandoffService(world.store, world.clock, world.provisioning)
    acknowledged = provisioning.acknowledge(handoff)
    assert acknowledged.acknowledged_by_name == "Pete"
    assert may_say_being_dealt_with([acknowledged])
    assert sales.dropped() == []
    with pytest.raises(HandoffRuleError, match="moved on meanwhile"):
        provisioning.acknowledge(handoff)
    done = provisioning.complete(acknowledged)
    assert handoff_state(done, world.clock.now()) is HandoffState.DONE
    subjects = [e.subject for e in world.customers.history(customer.id)]
    assert subjects[:3] == [
        "Completed by provisioning",
        "Acknowledged by provisioning",
        "Handed to provisioning",
    ]


def test_handoff_to_own_team_or_without_summary(world: World) -> None:
    sales = HandoffService(world.store, world.clock, world.sales)
    customer = world.customers.find_account("40000001")
    with pytest.raises(HandoffRuleError, match="another team"):
        sales.hand_off(customer.id, HandoffKind.TASK, Team.SALES, "x")
    with pytest.raises(HandoffRuleError, match="what the other team must do"):
        sales.hand_off(customer.id, HandoffKind.TASK, Team.BILLING, "  ")


def test_take_over_and_hand_over_with_a_note(world: World) -> None:
    customer = world.customers.find_account("40000001")
    (case,) = world.customers.cases(customer.id)
    pete = CaseService(world.store, world.clock, world.provisioning)
    with pytest.raises(CaseRuleError, match="needs a note"):
        pete.take_over(case, " ")
    taken = pete.take_over(case, "I'll chase the engineer")
    assert taken.owner_name == "Pete"
    with pytest.raises(CaseRuleError, match="changed owner meanwhile"):
        pete.take_over(case, "again")  # stale view: the case had no owner when it was read
    handed = pete.hand_over(taken, world.sales.id, "Sally has the order details; engineer booked Friday")
    assert handed.owner_name == "Sally"
    subjects = [e.subject for e in world.customers.history(customer.id)]
    assert subjects[0] == "CS-9 handed over by Pete to Sally"
    assert subjects[1] == "CS-9 taken over by Pete"


def test_case_past_target_prompts_a_progress_update_until_one_is_promised(world: World) -> None:
    customer = world.customers.find_account("40000001")
    cases = CaseService(world.store, world.clock, world.provisioning)
    (stale,) = cases.needing_update(customer.id)
    PromiseService(world.store, world.clock, world.provisioning).make(
        customer.id, PromiseKind.PROGRESS_UPDATE, NOW + timedelta(hours=2), case_id=stale.id
    )
    assert cases.needing_update(customer.id) == []


def test_the_receiving_team_lists_acknowledges_and_completes_with_what_was_done(world: World) -> None:
    sales = HandoffService(world.store, world.clock, world.sales)
    customer = world.customers.find_account("40000001")
    assert sales.acknowledge_by(Team.PROVISIONING) == datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    later = sales.hand_off(customer.id, HandoffKind.TASK, Team.PROVISIONING, "Check the line")
    world.clock.advance(timedelta(minutes=5))
    sooner = sales.hand_off(customer.id, HandoffKind.TASK, Team.BILLING, "Refund the fee")
    provisioning = HandoffService(world.store, world.clock, world.provisioning)
    assert [h.id for h in provisioning.for_my_team()] == [later.id]
    assert [h.id for h in HandoffService(world.store, world.clock, world.sales).for_my_team()] == []
    with pytest.raises(HandoffRuleError, match="only the billing team or a supervisor moves this handoff on"):
        provisioning.acknowledge(sooner)

    with world.store.read() as session:  # the supervisor board counts the late one against its team
        world.clock.advance(timedelta(days=1))
        assert board.late_handoff_counts(session, world.clock.now()) == {
            Team.PROVISIONING: 1,
            Team.BILLING: 1,
        }
    acknowledged = provisioning.acknowledge(later)
    assert [h.status for h in provisioning.for_my_team()] == [acknowledged.status]
    with pytest.raises(HandoffRuleError, match="too long"):
        provisioning.complete(acknowledged, "x" * 2_001)
    done = provisioning.complete(acknowledged, "  Line re-provisioned  ")
    assert done.done_at == world.clock.now()
    assert provisioning.for_my_team() == []
    with world.store.read() as session:
        done_line = ContactEvent.subject == "Completed by provisioning"
        bodies = list(session.scalars(select(ContactEvent.summary).where(done_line)))
    assert bodies == ["Check the line\nDone: Line re-provisioned"]
