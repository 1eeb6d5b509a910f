"""The console's services apply the server's role rules on a store with no server, on both engines:
the goodwill approval and rejection tables through the services, and a person demoted, moved to
another team or disabled after the console started (as a pull brings it) acts as the store says now."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import pytest
from sqlalchemy import update

from console.acting import InactiveUserError
from console.clock import ManualClock
from console.goodwill_rules import GoodwillRuleError
from console.handoff_rules import HandoffRuleError
from console.promise_rules import PromiseRuleError
from console.services.customers import CustomerService
from console.services.goodwill import GoodwillService
from console.services.handoffs import HandoffService
from console.services.promises import PromiseService
from domain.records import GoodwillRecord, UserRecord
from domain.vocabulary import GoodwillKind, HandoffKind, HandoffStatus, PromiseKind, Role, Team
from storage.models import User
from storage.queries import users
from storage.store import Store
from tests.helpers import factories
from tests.rules.goodwill_cases import (
    ADVISOR_LIMIT,
    APPROVAL_CASES,
    FIRST_SUPERVISOR_LIMIT,
    REJECTION_CASES,
    ApprovalCase,
    RejectionCase,
)

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


class Shop(NamedTuple):
    store: Store
    clock: ManualClock
    customer_id: uuid.UUID


@pytest.fixture
def shop(any_store: Store) -> Shop:
    with any_store.write() as session:
        session.add(factories.customer())
    return Shop(any_store, ManualClock(NOW), CustomerService(any_store).find_account("40000001").id)


def person(shop: Shop, role: Role, limit: int, team: Team = Team.FRONT_LINE) -> UserRecord:
    made = factories.user(f"u{uuid.uuid4().hex[:8]}", role, goodwill_limit_pence=limit, team=team)
    with shop.store.write() as session:
        session.add(made)
    with shop.store.read() as session:
        found = users.by_id(session, made.id)
    assert found is not None
    return found


def goodwill(shop: Shop, user: UserRecord) -> GoodwillService:
    return GoodwillService(shop.store, shop.clock, user)


def asked(shop: Shop, requester: UserRecord, amount_pence: int) -> GoodwillRecord:
    return goodwill(shop, requester).request(
        shop.customer_id, GoodwillKind.GOODWILL_CREDIT, f"{amount_pence / 100:.2f}", "outage", "four days"
    )


def brought_to(shop: Shop, record: GoodwillRecord, before: str, first: UserRecord) -> GoodwillRecord:
    if before == "rejected":
        return goodwill(shop, first).reject(record, "not this time")
    if before != "awaiting_approval":
        return goodwill(shop, first).approve(record)
    return record


@pytest.mark.parametrize("case", APPROVAL_CASES, ids=lambda case: case.name)
def test_approval_rule_cases_through_the_service(shop: Shop, case: ApprovalCase) -> None:
    approver = person(shop, case.approver_role, case.approver_limit)
    requester = approver if case.approver == "requester" else person(shop, Role.ADVISOR, ADVISOR_LIMIT)
    first = (
        approver
        if case.approver == "first approver"
        else person(shop, Role.SUPERVISOR, FIRST_SUPERVISOR_LIMIT)
    )
    record = brought_to(shop, asked(shop, requester, case.amount_pence), case.before.value, first)
    assert record.state is case.before
    if case.refused:
        with pytest.raises(GoodwillRuleError, match=case.refused):
            goodwill(shop, approver).approve(record)
        return
    decided = goodwill(shop, approver).approve(record)
    assert (decided.state, decided.authorisation) == (case.state, case.authorisation)


@pytest.mark.parametrize("case", REJECTION_CASES, ids=lambda case: case.name)
def test_rejection_rule_cases_through_the_service(shop: Shop, case: RejectionCase) -> None:
    decider = person(shop, case.decider_role, FIRST_SUPERVISOR_LIMIT)
    requester = decider if case.decider == "requester" else person(shop, Role.ADVISOR, ADVISOR_LIMIT)
    first = (
        decider if case.decider == "first approver" else person(shop, Role.SUPERVISOR, FIRST_SUPERVISOR_LIMIT)
    )
    record = brought_to(shop, asked(shop, requester, case.amount_pence), case.before.value, first)
    if case.refused:
        with pytest.raises(GoodwillRuleError, match=case.refused):
            goodwill(shop, decider).reject(record, "no")
        return
    assert goodwill(shop, decider).reject(record, "no").state.value == "rejected"


def change_user(shop: Shop, user: UserRecord, **values: object) -> None:
    """What a pull does when the server changes a person (user set-limit, user disable, a new team)."""
    with shop.store.write() as session:
        session.execute(update(User).where(User.id == user.id).values(**values))


def test_a_supervisor_demoted_or_disabled_after_start_decides_nothing(shop: Shop) -> None:
    sam = person(shop, Role.SUPERVISOR, 50_000)
    signed_in_as_sam = goodwill(shop, sam)  # the console started while sam was a supervisor
    record = asked(shop, person(shop, Role.ADVISOR, ADVISOR_LIMIT), 7_500)
    change_user(shop, sam, role=Role.ADVISOR)
    with pytest.raises(GoodwillRuleError, match="only an active supervisor approves"):
        signed_in_as_sam.approve(record)
    with pytest.raises(GoodwillRuleError, match="only an active supervisor rejects"):
        signed_in_as_sam.reject(record, "no")
    change_user(shop, sam, role=Role.SUPERVISOR, active=False)
    for act in (lambda: signed_in_as_sam.approve(record), lambda: signed_in_as_sam.reject(record, "no")):
        with pytest.raises(GoodwillRuleError, match="no longer an active user"):
            act()
    with pytest.raises(GoodwillRuleError, match="no longer an active user"):
        asked(shop, sam, 100)


def test_promise_reassignment_reads_the_role_and_active_flag_as_stored_now(shop: Shop) -> None:
    alex, jo = person(shop, Role.ADVISOR, ADVISOR_LIMIT), person(shop, Role.ADVISOR, ADVISOR_LIMIT)
    sam = person(shop, Role.SUPERVISOR, 50_000)
    promise = PromiseService(shop.store, shop.clock, alex).make(
        shop.customer_id, PromiseKind.CALLBACK, NOW + timedelta(hours=1), phone="07700 900123"
    )
    as_sam = PromiseService(shop.store, shop.clock, sam)
    change_user(shop, sam, active=False)
    with pytest.raises(PromiseRuleError, match="no longer an active user"):
        as_sam.reassign(promise, jo.id, "Alex is off sick")
    change_user(shop, sam, active=True, role=Role.ADVISOR)
    with pytest.raises(PromiseRuleError, match="only a supervisor"):
        as_sam.reassign(promise, jo.id, "Alex is off sick")


def test_handoff_moves_read_the_team_and_role_as_stored_now(shop: Shop) -> None:
    sender = person(shop, Role.ADVISOR, ADVISOR_LIMIT)
    tech = person(shop, Role.ADVISOR, ADVISOR_LIMIT, team=Team.TECHNICAL)
    handoff = HandoffService(shop.store, shop.clock, sender).hand_off(
        shop.customer_id, HandoffKind.TASK, Team.TECHNICAL, "line test please"
    )
    as_tech = HandoffService(shop.store, shop.clock, tech)  # started while in the technical team
    change_user(shop, tech, team=Team.BILLING)
    with pytest.raises(HandoffRuleError, match="only the technical team or a supervisor"):
        as_tech.acknowledge(handoff)
    change_user(shop, tech, team=Team.TECHNICAL, active=False)
    with pytest.raises(HandoffRuleError, match="no longer an active user"):
        as_tech.acknowledge(handoff)
    with pytest.raises(HandoffRuleError, match="no longer an active user"):
        as_tech.hand_off(shop.customer_id, HandoffKind.TASK, Team.BILLING, "refund the line rental")
    change_user(shop, tech, active=True)
    assert as_tech.acknowledge(handoff).status is HandoffStatus.ACKNOWLEDGED


def test_a_person_disabled_after_start_saves_nothing_at_all(shop: Shop) -> None:
    alex = person(shop, Role.ADVISOR, ADVISOR_LIMIT)
    promises = PromiseService(shop.store, shop.clock, alex)
    promises.make(shop.customer_id, PromiseKind.CALLBACK, NOW + timedelta(hours=1), phone="07700 900123")
    change_user(shop, alex, active=False)
    with pytest.raises(InactiveUserError, match="no longer an active user"):
        promises.make(shop.customer_id, PromiseKind.CALLBACK, NOW + timedelta(hours=2), phone="07700 900123")
    assert len(promises.for_customer(shop.customer_id)) == 1
