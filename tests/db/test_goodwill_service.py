"""Goodwill through the service on both engines: limits from the users table, four eyes, one winner
when two supervisors decide at once, and every act in the hash-chained audit log."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import NamedTuple

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from console.clock import ManualClock
from console.goodwill_rules import GoodwillRuleError
from console.money import AmountError
from console.services.customers import CustomerService
from console.services.goodwill import GoodwillConflictError, GoodwillService, state_words
from domain.records import GoodwillRecord
from domain.vocabulary import Authorisation, GoodwillKind, GoodwillState, Role
from storage import audit
from storage.models import AuditEntry, ContactEvent, Goodwill
from storage.queries import goodwill as goodwill_queries
from storage.queries import users
from storage.store import Store
from tests.helpers import factories

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


class World(NamedTuple):
    store: Store
    customer_id: uuid.UUID
    alex: GoodwillService  # advisor, £50 a payment
    sam: GoodwillService  # supervisor, £100
    kim: GoodwillService  # supervisor, £500


@pytest.fixture
def world(any_store: Store) -> World:
    with any_store.write() as session:
        session.add_all(
            [
                factories.user("alex"),
                factories.user("sam", Role.SUPERVISOR, goodwill_limit_pence=10_000),
                factories.user("kim", Role.SUPERVISOR, goodwill_limit_pence=50_000),
                factories.customer(),
            ]
        )
    clock = ManualClock(NOW)

    def service(name: str) -> GoodwillService:
        with any_store.read() as session:
            record = users.by_username(session, name)
        assert record is not None
        return GoodwillService(any_store, clock, record)

    customer = CustomerService(any_store).find_account("40000001").id
    return World(any_store, customer, service("alex"), service("sam"), service("kim"))


def ask(world: World, amount: str, service: GoodwillService | None = None) -> GoodwillRecord:
    return (service or world.alex).request(
        world.customer_id,
        GoodwillKind.GOODWILL_CREDIT,
        amount,
        "service outage",
        "Four days without broadband",
    )


def count(store: Store, model: type) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_within_limit_is_approved_at_once_as_self_authorised(world: World) -> None:
    record = world.alex.request(
        world.customer_id, GoodwillKind.FEE_WAIVER, "£35.00", "fee charged in error", "Late fee in error"
    )
    assert record.state is GoodwillState.APPROVED
    assert record.authorisation is Authorisation.SELF_WITHIN_LIMIT
    assert record.decided_by is None and record.amount_pence == 3500
    assert state_words(record) == "Approved (within your limit)"
    assert world.alex.month_total() == 3500
    with world.store.read() as session:
        subjects = list(session.scalars(select(ContactEvent.subject)))
    assert subjects == ["Goodwill given: £35.00 fee waiver (within the advisor's limit)"]


def test_over_limit_awaits_a_supervisor_who_approves(world: World) -> None:
    record = ask(world, "75")
    assert record.state is GoodwillState.AWAITING_APPROVAL
    assert world.alex.month_total() == 0
    [queued] = world.sam.pending()
    assert queued.id == record.id and queued.requested_by_name == "Alex"
    approved = world.sam.approve(queued, "Fair: four days")
    assert approved.state is GoodwillState.APPROVED
    assert approved.authorisation is Authorisation.SUPERVISOR
    assert state_words(approved) == "Approved by Sam"
    assert world.sam.pending() == []
    assert world.alex.month_total() == 7500


def test_nobody_approves_their_own_request(world: World) -> None:
    record = ask(world, "150", world.sam)  # over Sam's own limit
    with pytest.raises(GoodwillRuleError, match="own request"):
        world.sam.approve(world.sam.pending()[0])
    assert world.sam.pending()[0].id == record.id
    with pytest.raises(GoodwillRuleError):
        world.alex.approve(world.alex.pending()[0])  # an advisor cannot approve at all


def test_the_table_refuses_self_approval_even_past_the_code(world: World) -> None:
    record = ask(world, "75")
    with pytest.raises(IntegrityError), world.store.write() as session:
        goodwill_queries.decide(
            session,
            record.id,
            version=1,
            state=GoodwillState.AWAITING_APPROVAL,
            values={"state": GoodwillState.APPROVED, "decided_by": world.alex.user.id},
        )


def test_above_the_first_supervisors_limit_a_second_must_approve(world: World) -> None:
    ask(world, "250")
    first = world.sam.approve(world.sam.pending()[0])
    assert first.state is GoodwillState.AWAITING_SECOND_APPROVAL
    assert state_words(first) == "Awaiting a second approval (first by Sam)"
    with pytest.raises(GoodwillRuleError, match="second supervisor"):
        world.sam.approve(first)
    second = world.kim.approve(world.kim.pending()[0])
    assert second.state is GoodwillState.APPROVED
    assert second.authorisation is Authorisation.SECOND_SUPERVISOR
    assert (second.decided_by, second.second_decided_by) == (world.sam.user.id, world.kim.user.id)


def test_two_supervisors_approving_at_once_yield_one_approval(world: World) -> None:
    ask(world, "75")
    stale = world.sam.pending()[0]
    assert stale == world.kim.pending()[0]
    won = world.kim.approve(stale)
    with pytest.raises(GoodwillConflictError, match="already decided by Kim"):
        world.sam.approve(stale)
    with pytest.raises(GoodwillConflictError, match="already decided by Kim"):
        world.sam.reject(stale, "Too much")
    with world.store.read() as session:
        row = session.get(Goodwill, won.id)
        assert row is not None and row.decided_by == world.kim.user.id and row.version == 2


def test_reject_needs_a_reason_and_the_advisor_sees_it(world: World) -> None:
    ask(world, "75")
    queued = world.sam.pending()[0]
    with pytest.raises(GoodwillRuleError, match="reason"):
        world.sam.reject(queued, "  ")
    rejected = world.sam.reject(queued, "Already credited last week")
    assert state_words(rejected) == "Rejected: Already credited last week"
    assert world.alex.for_customer(world.customer_id)[0].state is GoodwillState.REJECTED


@pytest.mark.parametrize("amount", ["-5", "0", "1e9", "12.345", "£ 12,50", ""])
def test_bad_amounts_save_nothing(world: World, amount: str) -> None:
    with pytest.raises(AmountError):
        ask(world, amount)
    assert count(world.store, Goodwill) == 0 and count(world.store, AuditEntry) == 0


@pytest.mark.parametrize("reason", ["", "   ", "x" * 10_000])
def test_bad_reasons_save_nothing(world: World, reason: str) -> None:
    with pytest.raises(GoodwillRuleError):
        world.alex.request(world.customer_id, GoodwillKind.REFUND, "10", "billing error", reason)
    assert count(world.store, Goodwill) == 0 and count(world.store, ContactEvent) == 0


def test_limits_are_data_not_constants(world: World) -> None:
    from sqlalchemy import update

    from storage.models import User

    with world.store.write() as session:
        session.execute(update(User).where(User.username == "alex").values(goodwill_limit_pence=20_000))
    assert world.alex.my_limit() == 20_000
    assert ask(world, "150").state is GoodwillState.APPROVED


def test_every_act_is_audited_and_the_chain_verifies(world: World) -> None:
    ask(world, "20")
    ask(world, "75")
    ask(world, "80")
    world.sam.approve(world.sam.pending()[0])
    world.sam.reject(world.sam.pending()[0], "Duplicate of the earlier request")
    with world.store.read() as session:
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
        assert audit.verify(session) == []
    assert actions == [
        "goodwill.request",
        "goodwill.request",
        "goodwill.request",
        "goodwill.approve",
        "goodwill.reject",
    ]
