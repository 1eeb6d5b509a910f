"""Sync against a real central PostgreSQL: two workstations (two SQLite stores, an advisor and a
supervisor login role), offline requests, approvals crossing over, lost acknowledgements, rejections
that block nothing, conflicts, pulls that spare pending records, and the loop woken by NOTIFY."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple

import psycopg
import pytest
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import func, select, text, update

from console.promise_rules import Outcome
from console.services.cases import CaseService
from console.services.goodwill import state_words
from console.services.handoffs import HandoffService
from console.services.offers import OfferService
from console.services.promises import PromiseService
from console.sync import outbox
from console.sync import push as pushing
from console.sync.engine import Mode, SyncEngine
from console.sync.pull import pull
from console.sync.push import RetryPolicy
from console.sync.remote import Answer, ServerLink
from domain import mutation_kinds
from domain.records import CaseSummary, ContactEventRecord, HandoffRecord
from domain.vocabulary import (
    Authorisation,
    CaseKind,
    CaseStatus,
    Channel,
    Confirmation,
    Direction,
    GoodwillKind,
    GoodwillState,
    HandoffKind,
    HandoffStatus,
    MutationState,
    PromiseKind,
    PromiseStatus,
    Role,
    Severity,
)
from domain.vocabulary import Team as StaffTeam
from storage.models import ContactEvent, Customer, Goodwill, Offer, OutboxEntry
from storage.queries import customers as customer_queries
from storage.queries import events as event_queries
from storage.queries import goodwill as goodwill_queries
from storage.queries import handoffs as handoff_queries
from storage.queries import promises as promise_queries
from storage.queries import sync as queries
from tests.helpers import factories
from tests.helpers.central import NOW, Central
from tests.helpers.workstations import QUICK_RETRY, Workstation, add_everywhere, shared_customer, workstation

pytestmark = pytest.mark.postgres


class Team(NamedTuple):
    advisor: Workstation
    supervisor: Workstation
    customer_id: uuid.UUID


@pytest.fixture
def team(central: Central, tmp_path: Path) -> Iterator[Team]:
    advisor = central.add_user(Role.ADVISOR, 5_000, hint="adv", display_name="Alex Advisor")
    supervisor = central.add_user(Role.SUPERVISOR, 50_000, hint="sup", display_name="Sam Supervisor")
    people = [advisor, supervisor]
    alex = workstation(central, tmp_path, advisor, people)
    sam = workstation(central, tmp_path, supervisor, people)
    customer_id = shared_customer(central, [alex.store, sam.store])
    try:
        yield Team(alex, sam, customer_id)
    finally:
        alex.store.close()
        sam.store.close()


def server_goodwill(central: Central, goodwill_id: uuid.UUID) -> dict[str, object]:
    with central.admin.connect() as connection:
        row = connection.execute(
            text("SELECT state, authorisation, decided_by, version FROM goodwill WHERE id = :id"),
            {"id": goodwill_id},
        ).one()
    return dict(row._mapping)


def server_count(central: Central, sql: str, **values: object) -> int:
    with central.admin.connect() as connection:
        return int(connection.execute(text(sql), values).scalar_one())


def test_offline_over_limit_request_is_approved_on_another_workstation(team: Team, central: Central) -> None:
    alex, sam, customer_id = team
    # Offline: the request is saved locally and waits in the outbox, awaiting approval.
    asked = alex.goodwill.request(
        customer_id, GoodwillKind.COMPENSATION, "80.00", "service outage", "down a week"
    )
    assert asked.state is GoodwillState.AWAITING_APPROVAL
    offline = alex.engine(online=False)
    summary = asyncio.run(offline.sync_once())
    assert summary.offline is not None and summary.waiting == 1 and summary.pushed == 0
    assert offline.state.mode is Mode.OFFLINE and offline.state.words() == "Offline: 1 change waiting"
    assert alex.sleeper.delays == [0.5, 1.0]  # the push's retries, with no real wait

    # The link returns: it arrives awaiting approval (never approved by the client).
    summary = asyncio.run(alex.engine().sync_once())
    assert (summary.pushed, summary.accepted, summary.rejected, summary.waiting) == (1, 1, 0, 0)
    assert server_goodwill(central, asked.id)["state"] == "awaiting_approval"
    [entry] = alex.outbox()
    assert entry.state is MutationState.ACCEPTED and entry.kind == mutation_kinds.GOODWILL_REQUEST

    # The supervisor pulls it, approves it, pushes.
    summary = asyncio.run(sam.engine().sync_once())
    assert summary.pulled >= 2  # the request and its timeline event
    [queued] = sam.goodwill.pending()
    assert queued.id == asked.id and queued.state is GoodwillState.AWAITING_APPROVAL
    approved = sam.goodwill.approve(queued, "fair")
    assert approved.state is GoodwillState.APPROVED
    engine = sam.engine()
    summary = asyncio.run(engine.sync_once())
    assert (summary.accepted, summary.waiting) == (1, 0) and engine.state.words() == "Online"
    assert server_goodwill(central, asked.id) == {
        "state": "approved",
        "authorisation": "supervisor",
        "decided_by": sam.user.id,
        "version": 2,
    }

    # The advisor pulls and sees it approved, with one timeline line per act (no duplicates).
    asyncio.run(alex.engine().sync_once())
    [seen] = alex.goodwill.for_customer(customer_id)
    assert seen.state is GoodwillState.APPROVED and seen.authorisation is Authorisation.SUPERVISOR
    assert state_words(seen) == "Approved by Sam Supervisor"
    assert alex.count(ContactEvent, ContactEvent.customer_id == customer_id) == 2
    assert sam.count(ContactEvent, ContactEvent.customer_id == customer_id) == 2


def test_a_mutation_pushed_twice_is_applied_once(team: Team, central: Central) -> None:
    alex, _, customer_id = team
    made = alex.goodwill.request(
        customer_id, GoodwillKind.GOODWILL_CREDIT, "10.00", "billing error", "charged twice"
    )
    assert asyncio.run(alex.engine().sync_once()).accepted == 1
    [entry] = alex.outbox()
    # The acknowledgement is lost: the workstation never recorded the answer and sends it again.
    with alex.store.write() as session:
        session.execute(
            update(OutboxEntry)
            .values(state=MutationState.PENDING, result=None)
            .where(OutboxEntry.mutation_id == entry.mutation_id)
        )
    again = asyncio.run(alex.engine().sync_once())
    assert (again.pushed, again.accepted, again.waiting) == (1, 1, 0)
    assert server_count(central, "SELECT count(*) FROM goodwill WHERE id = :id", id=made.id) == 1
    assert (
        server_count(central, "SELECT count(*) FROM mutation_log WHERE mutation_id = :m", m=entry.mutation_id)
        == 1
    )
    assert server_count(central, "SELECT count(*) FROM change_log WHERE entity = 'goodwill'") == 1
    assert (
        server_count(central, "SELECT count(*) FROM contact_events WHERE customer_id = :c", c=customer_id)
        == 1
    )
    [after] = alex.outbox()
    assert after.state is MutationState.ACCEPTED and after.attempts == 2


def test_a_rejection_is_recorded_and_blocks_nothing(team: Team, central: Central) -> None:
    alex, _, customer_id = team
    first = alex.goodwill.request(
        customer_id, GoodwillKind.FEE_WAIVER, "5.00", "fee charged in error", "late fee"
    )
    # A customer only this workstation holds: the server has no such customer.
    stranger = factories.customer(account="49999999")
    add_everywhere(None, [alex.store], stranger)
    alex.goodwill.request(stranger.id, GoodwillKind.REFUND, "7.00", "billing error", "double charge")
    last = alex.goodwill.request(customer_id, GoodwillKind.REFUND, "9.00", "billing error", "refund")
    engine = alex.engine()
    shown: list[str] = []
    engine.add_listener(lambda state: shown.append(state.words()))
    summary = asyncio.run(engine.sync_once())
    assert shown[0] == "Syncing…" and shown[-1] == "Online"
    assert "Syncing: sending 3 of 3" in shown  # the three went in one batch
    assert (summary.pushed, summary.accepted, summary.rejected, summary.waiting) == (3, 2, 1, 0)
    states = [(entry.state, entry.reason) for entry in alex.outbox()]
    assert states == [
        (MutationState.ACCEPTED, None),
        (MutationState.REJECTED, "no such customer"),
        (MutationState.ACCEPTED, None),
    ]
    problems = asyncio.run(alex.engine().problems())
    assert [(p.kind, p.reason) for p in problems] == [(mutation_kinds.GOODWILL_REQUEST, "no such customer")]
    assert (
        server_count(central, "SELECT count(*) FROM goodwill WHERE id IN (:a, :b)", a=first.id, b=last.id)
        == 2
    )


def test_two_supervisors_approving_offline_give_one_approval_and_one_conflict(
    team: Team, central: Central, tmp_path: Path
) -> None:
    alex, sam, customer_id = team
    kim_user = central.add_user(Role.SUPERVISOR, 50_000, hint="kim", display_name="Kim Supervisor")
    kim = workstation(central, tmp_path, kim_user, [alex.user, sam.user, kim_user])
    add_everywhere(None, [kim.store], _customer_row(sam, customer_id))
    try:
        alex.goodwill.request(
            customer_id, GoodwillKind.COMPENSATION, "90.00", "missed appointment", "no show"
        )
        asyncio.run(alex.engine().sync_once())
        asyncio.run(sam.engine().sync_once())
        asyncio.run(kim.engine().sync_once())
        [for_sam] = sam.goodwill.pending()
        [for_kim] = kim.goodwill.pending()
        sam.goodwill.approve(for_sam)
        kim.goodwill.approve(for_kim)  # both offline: each sees it approved locally
        assert asyncio.run(sam.engine().sync_once()).accepted == 1
        summary = asyncio.run(kim.engine().sync_once())
        assert (summary.conflicts, summary.waiting) == (1, 0)
        [entry] = kim.outbox()
        assert entry.state is MutationState.CONFLICT
        assert entry.reason == "already decided by Sam Supervisor: approved"
        # The server's record replaced the local guess: approved by Sam, not by Kim.
        [seen] = kim.goodwill.for_customer(customer_id)
        assert seen.decided_by == sam.user.id and seen.version == 2
        assert server_count(central, "SELECT count(*) FROM goodwill WHERE state = 'approved'") == 1
    finally:
        kim.store.close()


def _customer_row(station: Workstation, customer_id: uuid.UUID) -> object:
    from storage.models import Customer

    with station.store.read() as session:
        row = session.get_one(Customer, customer_id)
        session.expunge(row)
    return row


def test_a_pull_leaves_records_with_pending_mutations_alone(team: Team, central: Central) -> None:
    alex, sam, customer_id = team
    asked = alex.goodwill.request(customer_id, GoodwillKind.COMPENSATION, "60.00", "service outage", "outage")
    asyncio.run(alex.engine().sync_once())
    asyncio.run(sam.engine().sync_once())
    [queued] = sam.goodwill.pending()
    sam.goodwill.reject(queued, "not covered")
    # Meanwhile the server hears of the request again from a (pretend) third party: a version bump.
    central.apply(central.login(sam.user), "goodwill.approve", {"id": str(asked.id), "note": "ok"})
    link = ServerLink(sam.connect())

    async def pull_only() -> int:
        try:
            report = await pull(
                sam.store, link, clock=sam.clock, sleep=sam.sleeper, retry=RetryPolicy(), page_size=1
            )
        finally:
            await link.close()
        return report.held_back

    assert asyncio.run(pull_only()) == 1  # the approval's goodwill change, held back
    with sam.store.read() as session:
        local = goodwill_queries.get(session, asked.id)
        cursor = queries.cursor(session)
    assert local is not None and local.state is GoodwillState.REJECTED  # the local act, untouched
    assert cursor == server_count(central, "SELECT max(seq) FROM change_log")
    # Pushing settles it: the server says conflict and its record (approved) replaces the guess.
    summary = asyncio.run(sam.engine().sync_once())
    assert summary.conflicts == 1
    [seen] = sam.goodwill.for_customer(customer_id)
    assert seen.state is GoodwillState.APPROVED


def test_promises_and_handoffs_sync_with_their_timeline_lines(team: Team, central: Central) -> None:
    alex, sam, customer_id = team
    promises = PromiseService(alex.store, alex.clock, alex.user)
    made = promises.make(customer_id, PromiseKind.CALLBACK, NOW.replace(hour=15), phone="07700 900123")
    alex.clock.advance(timedelta(hours=6))
    promises.close(made, Outcome(PromiseStatus.NOT_REACHABLE, "no answer", NOW + timedelta(days=1)))
    handoffs = HandoffService(alex.store, alex.clock, alex.user)
    handoffs.hand_off(customer_id, HandoffKind.ORDER, StaffTeam.TECHNICAL, "place the router order")
    kinds = [entry.kind for entry in alex.outbox()]
    assert kinds == [
        mutation_kinds.PROMISE_CREATE,
        mutation_kinds.PROMISE_COMPLETE,
        mutation_kinds.HANDOFF_CREATE,
    ]
    summary = asyncio.run(alex.engine().sync_once())
    assert (summary.accepted, summary.rejected, summary.waiting) == (3, 0, 0)
    asyncio.run(sam.engine().sync_once())
    # The supervisor holds both promises (the follow-up has the id the advisor's store gave it)
    # and the three timeline lines, each once.
    with alex.store.read() as session:
        mine = {(p.id, p.status) for p in promise_queries.for_customer(session, customer_id)}
    with sam.store.read() as session:
        theirs = {(p.id, p.status) for p in promise_queries.for_customer(session, customer_id)}
    assert theirs == mine and len(mine) == 2
    assert sam.count(ContactEvent, ContactEvent.customer_id == customer_id) == 3
    assert alex.count(ContactEvent, ContactEvent.customer_id == customer_id) == 3


def shared_case(team: Team, central: Central) -> uuid.UUID:
    """An open case of the team's customer, owned by the advisor, on the server and both stores."""
    with team.advisor.store.read() as session:
        customer = session.get_one(Customer, team.customer_id)
    made = factories.case(
        customer,
        reference="CS-4100001",
        status=CaseStatus.IN_PROGRESS,
        owner_id=team.advisor.user.id,
        confirmation=Confirmation.PENDING,
        confirmation_attempts=0,
        appointment_missed=False,
        customer_delay_days=0,
    )
    add_everywhere(central, [team.advisor.store, team.supervisor.store], made)
    return made.id


def case_of(station: Workstation, case_id: uuid.UUID) -> CaseSummary:
    with station.store.read() as session:
        found = customer_queries.case_by_id(session, case_id)
    assert found is not None
    return found


def handoff_of(station: Workstation, handoff_id: uuid.UUID) -> HandoffRecord:
    with station.store.read() as session:
        found = handoff_queries.get(session, handoff_id)
    assert found is not None
    return found


def test_case_and_handoff_changes_cross_between_workstations(team: Team, central: Central) -> None:
    alex, sam, customer_id = team
    case_id = shared_case(team, central)
    # The advisor, offline: resolves the case (customer not reachable: a promise to check) and
    # hands an order to the technical team.
    cases = CaseService(alex.store, alex.clock, alex.user)
    cases.resolve(
        case_of(alex, case_id),
        "router failure",
        "the power supply failed",
        Confirmation.NOT_REACHABLE,
        NOW + timedelta(days=1),
    )
    handoff = HandoffService(alex.store, alex.clock, alex.user).hand_off(
        customer_id, HandoffKind.ORDER, StaffTeam.TECHNICAL, "send a new router", case_id=case_id
    )
    assert [entry.kind for entry in alex.outbox()] == [
        mutation_kinds.CASE_RESOLVE,
        mutation_kinds.PROMISE_CREATE,
        mutation_kinds.HANDOFF_CREATE,
    ]
    assert asyncio.run(alex.engine(online=False).sync_once()).offline
    summary = asyncio.run(alex.engine().sync_once())
    assert (summary.accepted, summary.rejected, summary.conflicts) == (3, 0, 0)

    # The supervisor sees all of it, then acknowledges the handoff for the team and records the
    # customer's confirmation.
    asyncio.run(sam.engine().sync_once())
    seen = case_of(sam, case_id)
    assert (seen.status, seen.confirmation, seen.confirmation_attempts) == (
        CaseStatus.RESOLVED,
        Confirmation.NOT_REACHABLE,
        1,
    )
    assert handoff_of(sam, handoff.id).status is HandoffStatus.AWAITING_ACK
    sam.clock.advance(timedelta(hours=1))
    HandoffService(sam.store, sam.clock, sam.user).acknowledge(handoff_of(sam, handoff.id))
    CaseService(sam.store, sam.clock, sam.user).record_confirmation(seen, Confirmation.CONFIRMED)
    summary = asyncio.run(sam.engine().sync_once())
    assert (summary.accepted, summary.rejected, summary.conflicts) == (2, 0, 0)

    asyncio.run(alex.engine().sync_once())
    closed = case_of(alex, case_id)
    assert (closed.status, closed.confirmation, closed.version) == (
        CaseStatus.CLOSED,
        Confirmation.CONFIRMED,
        3,
    )
    acknowledged = handoff_of(alex, handoff.id)
    assert (acknowledged.status, acknowledged.acknowledged_by_name) == (
        HandoffStatus.ACKNOWLEDGED,
        "Sam Supervisor",
    )
    with alex.store.read() as session:
        mine = {(p.id, p.status) for p in promise_queries.for_customer(session, customer_id)}
    with sam.store.read() as session:
        theirs = {(p.id, p.status) for p in promise_queries.for_customer(session, customer_id)}
    assert mine == theirs == {(next(iter(mine))[0], PromiseStatus.DONE)}
    # Each act's timeline line once on each side: resolved, promise made, handed, acknowledged, closed.
    assert alex.count(ContactEvent, ContactEvent.customer_id == customer_id) == 5
    assert sam.count(ContactEvent, ContactEvent.customer_id == customer_id) == 5


def test_a_case_opened_offline_gets_its_reference_from_the_server(team: Team, central: Central) -> None:
    alex, sam, customer_id = team
    cases = CaseService(alex.store, alex.clock, alex.user)
    opened = cases.open(customer_id, CaseKind.BILLING, "Charged twice for November", Severity.HIGH)
    assert opened.reference.startswith("CS-P")
    resolved = cases.resolve(
        opened, "duplicate payment", "refunded the second charge", Confirmation.CONFIRMED
    )
    assert resolved.status is CaseStatus.CLOSED
    summary = asyncio.run(alex.engine().sync_once())
    assert (summary.accepted, summary.rejected, summary.conflicts) == (2, 0, 0)
    mine = case_of(alex, opened.id)
    assert mine.reference.startswith("CS-") and not mine.reference.startswith("CS-P")
    assert mine.status is CaseStatus.CLOSED
    asyncio.run(sam.engine().sync_once())
    theirs = case_of(sam, opened.id)
    assert (theirs.reference, theirs.status, theirs.version) == (mine.reference, CaseStatus.CLOSED, 2)


def test_a_case_changed_on_both_workstations_gives_one_change_and_one_conflict(
    team: Team, central: Central
) -> None:
    alex, sam, _ = team
    case_id = shared_case(team, central)
    CaseService(sam.store, sam.clock, sam.user).take_over(case_of(sam, case_id), "Alex is off sick")
    CaseService(alex.store, alex.clock, alex.user).resolve(
        case_of(alex, case_id), "router failure", "new power supply", Confirmation.CONFIRMED
    )
    assert asyncio.run(sam.engine().sync_once()).accepted == 1
    summary = asyncio.run(alex.engine().sync_once())
    # Taking over did not change what the advisor resolved against: the version moved on.
    assert (summary.accepted, summary.conflicts) == (0, 1)
    with alex.store.read() as session:
        [problem] = queries.settled_problems(session)
    assert "CS-4100001 was changed meanwhile (now in progress)" in (problem.reason or "")
    # The server's row came back: still open, now the supervisor's.
    assert case_of(alex, case_id).owner_id == sam.user.id
    assert case_of(alex, case_id).status is CaseStatus.IN_PROGRESS


def test_an_offer_shown_offline_while_the_server_knows_an_open_case_is_refused(
    team: Team, central: Central
) -> None:
    alex, _, customer_id = team
    offer = Offer(
        id=uuid.uuid4(),
        code="FIBRE-900",
        title="Full fibre 900",
        description="Up to 900 Mb",
        product="broadband",
        monthly_price_pence=4_500,
        active=True,
    )
    add_everywhere(central, [alex.store], offer)
    # A case another workstation opened: on the server only, not yet on this one.
    opened = central.case(customer_id, opened_at=NOW - timedelta(hours=1))
    offers = OfferService(alex.store, alex.clock, alex.user)
    assert offers.record_impressions(customer_id, [offer.id]) == 1
    assert [entry.kind for entry in alex.outbox()] == [mutation_kinds.OFFER_IMPRESSION]
    summary = asyncio.run(alex.engine().sync_once())
    assert (summary.accepted, summary.rejected) == (0, 1)
    [entry] = alex.outbox()
    assert entry.state is MutationState.REJECTED
    assert entry.reason == f"offers paused: open problem ({opened['reference']})"
    assert (
        server_count(central, "SELECT count(*) FROM offer_impressions WHERE customer_id = :c", c=customer_id)
        == 0
    )


def test_the_loop_wakes_on_a_change_notice(team: Team, central: Central) -> None:
    alex, sam, customer_id = team
    asked = alex.goodwill.request(customer_id, GoodwillKind.COMPENSATION, "75.00", "delayed repair", "slow")
    asyncio.run(alex.engine().sync_once())

    async def scenario() -> None:
        never = asyncio.Event()

        async def wait_for_wake(seconds: float) -> None:
            if seconds < engine.interval:  # the pacing's floor since the last pull passes at once
                alex.clock.advance(timedelta(seconds=seconds))
                return
            await never.wait()  # the timer never fires: only a notice can wake the loop

        engine = SyncEngine(alex.store, alex.connect(), clock=alex.clock, sleep=wait_for_wake, listen=True)
        approved = asyncio.Event()

        def watch(_state: object) -> None:
            with alex.store.read() as session:
                row = goodwill_queries.get(session, asked.id)
            if row is not None and row.state is GoodwillState.APPROVED:
                approved.set()
                engine.stop()

        engine.add_listener(watch)
        loop = asyncio.create_task(engine.run())
        for _ in range(200):  # until LISTEN is in place
            if engine.listening:
                break
            await asyncio.sleep(0.01)
        assert engine.listening
        await asyncio.to_thread(
            central.apply, central.login(sam.user), "goodwill.approve", {"id": str(asked.id)}
        )
        await asyncio.wait_for(approved.wait(), timeout=10)
        await asyncio.wait_for(loop, timeout=10)

    asyncio.run(scenario())


def test_the_loop_syncs_every_interval_and_on_demand(team: Team) -> None:
    alex, _, customer_id = team
    engine = alex.engine(interval=2.0)
    asyncio.run(engine.run(turns=3))
    assert alex.sleeper.delays == [2.0, 2.0]
    alex.goodwill.request(customer_id, GoodwillKind.REFUND, "3.00", "billing error", "refund")
    engine.request_sync()  # F5: the next turn starts without waiting
    asyncio.run(engine.run(turns=2))
    assert alex.sleeper.delays == [2.0, 2.0]
    assert asyncio.run(engine.waiting()) == 0
    assert engine.state.mode is Mode.ONLINE


def test_outbox_numbers_are_one_client_in_order(team: Team) -> None:
    alex, _, customer_id = team
    for amount in ("1.00", "2.00", "3.00"):
        alex.goodwill.request(customer_id, GoodwillKind.REFUND, amount, "billing error", "refund")
    entries = alex.outbox()
    assert [entry.client_seq for entry in entries] == [1, 2, 3]
    assert len({entry.client_id for entry in entries}) == 1
    with alex.store.read() as session:
        assert session.execute(select(func.count()).select_from(Goodwill)).scalar_one() == 3
        # The mutation id is the outbox key; the request's payload matches the server's fields.
        assert set(entries[0].payload) == {
            "id",
            "customer_id",
            "case_id",
            "kind",
            "amount_pence",
            "reason_category",
            "reason_text",
            "event_id",
        }


def test_a_rejected_change_puts_the_servers_row_back(team: Team, central: Central) -> None:
    """A modified client approves its own request locally: the server rejects the mutation, and
    the local row returns to what the server holds (awaiting approval)."""
    alex, _, customer_id = team
    asked = alex.goodwill.request(customer_id, GoodwillKind.COMPENSATION, "70.00", "service outage", "down")
    asyncio.run(alex.engine().sync_once())
    with alex.store.durable_write() as session:
        session.execute(
            update(Goodwill)
            .where(Goodwill.id == asked.id)
            .values(state=GoodwillState.APPROVED, authorisation=Authorisation.SUPERVISOR, version=2)
        )
        outbox.queue(
            session,
            kind=mutation_kinds.GOODWILL_APPROVE,
            payload={"id": str(asked.id), "version": 1},
            actor=alex.user.username,
            entity_id=asked.id,
            occurred_at=NOW,
        )
    summary = asyncio.run(alex.engine().sync_once())
    assert (summary.rejected, summary.waiting) == (1, 0)
    [_, entry] = alex.outbox()
    assert entry.reason == "nobody approves their own request: ask a supervisor"
    [seen] = alex.goodwill.for_customer(customer_id)
    assert seen.state is GoodwillState.AWAITING_APPROVAL and seen.version == 1
    assert server_goodwill(central, asked.id)["state"] == "awaiting_approval"


@pytest.mark.parametrize("batches", [True, False], ids=["batch", "one-a-call"])
def test_transient_faults_are_retried_with_the_same_mutation_id(
    team: Team, central: Central, batches: bool
) -> None:
    """The server refuses the first two connections (restarting), then the link also drops after
    a call commits: each retry carries the same ids, and the server applies each once. In batches
    (api.apply_mutations) both entries go in the one call that is retried; one a call (a server
    without it) only the first entry's call is."""
    alex, _, customer_id = team
    alex.goodwill.request(customer_id, GoodwillKind.REFUND, "4.00", "billing error", "refund")
    alex.goodwill.request(customer_id, GoodwillKind.REFUND, "6.00", "billing error", "refund")
    real = alex.connect()
    opened: list[psycopg.AsyncConnection[Any]] = []

    async def flaky() -> psycopg.AsyncConnection[Any]:
        if len(opened) < 2:
            opened.append(None)  # type: ignore[arg-type]
            raise psycopg.OperationalError("the database system is starting up")
        connection = await real()
        opened.append(connection)
        return connection

    class CutAfterCommit(ServerLink):
        cut = False

        def lost(self) -> None:
            if not self.cut:  # committed on the server, but the answer never arrives
                self.cut = True
                raise psycopg.OperationalError("server closed the connection unexpectedly")

        async def apply_mutation(self, **call: Any) -> dict[str, Any]:
            answer = await super().apply_mutation(**call)
            self.lost()
            return answer

        async def apply_page(self, page: str) -> list[Answer]:
            answers = await super().apply_page(page)
            self.lost()
            return answers

    link = CutAfterCommit(flaky)
    link.batches = batches
    engine = SyncEngine(alex.store, flaky, clock=alex.clock, sleep=alex.sleeper, listen=False, link=link)
    summary = asyncio.run(engine.sync_once())
    assert (summary.accepted, summary.waiting, summary.offline) == (2, 0, None)
    assert alex.sleeper.delays == [0.5, 1.0, 2.0]  # one backoff for the one call, on fresh links
    first, second = alex.outbox()
    assert (first.attempts, second.attempts) == ((4, 4) if batches else (4, 1))
    ids = {"a": first.mutation_id, "b": second.mutation_id}
    logged = "SELECT count(*) FROM mutation_log WHERE mutation_id IN (:a, :b)"
    assert server_count(central, logged, **ids) == 2
    assert server_count(central, "SELECT count(*) FROM goodwill") == 2


def test_a_stopped_pull_resumes_after_its_last_whole_page(team: Team, central: Central) -> None:
    alex, sam, customer_id = team
    for amount in ("61.00", "62.00", "63.00"):
        alex.goodwill.request(customer_id, GoodwillKind.COMPENSATION, amount, "service outage", "down")
    asyncio.run(alex.engine().sync_once())
    head = server_count(central, "SELECT max(seq) FROM change_log")
    pages: list[int] = []

    async def pull_pages(stop_after: int | None) -> int:
        link = ServerLink(sam.connect())
        try:
            report = await pull(
                sam.store,
                link,
                clock=sam.clock,
                sleep=sam.sleeper,
                retry=RetryPolicy(),
                page_size=2,
                progress=lambda done, _total: pages.append(done),
                cancelled=lambda: stop_after is not None and len(pages) >= stop_after,
            )
        finally:
            await link.close()
        return report.cursor

    assert asyncio.run(pull_pages(stop_after=1)) == 2  # stopped (cancelled) after the first page
    with sam.store.read() as session:
        assert queries.cursor(session) == 2
    assert asyncio.run(pull_pages(stop_after=None)) == head  # resumed from 2, not from 0
    assert len(sam.goodwill.pending()) == 3


def test_a_refused_promise_end_leaves_no_follow_up_behind(team: Team, central: Central) -> None:
    """The advisor ends a promise offline as not reachable (a follow-up callback is made locally);
    a supervisor had ended it on the server first: the conflict brings the server's promise back,
    and the follow-up the server never made leaves the advisor's worklist (found by the fault suite)."""
    alex, sam, customer_id = team
    promises = PromiseService(alex.store, alex.clock, alex.user)
    made = promises.make(customer_id, PromiseKind.CALLBACK, NOW.replace(hour=15), phone="07700 900123")
    asyncio.run(alex.engine().sync_once())
    central.apply(
        central.login(sam.user), "promise.complete", {"id": str(made.id), "status": "done", "outcome": "rang"}
    )
    alex.clock.advance(timedelta(hours=6))
    promises.close(made, Outcome(PromiseStatus.NOT_REACHABLE, "no answer", NOW + timedelta(days=1)))
    assert len(promises.worklist()) == 1  # the local follow-up
    summary = asyncio.run(alex.engine().sync_once())
    assert (summary.conflicts, summary.waiting) == (1, 0)
    [seen] = promises.for_customer(customer_id)
    assert (seen.id, seen.status) == (made.id, PromiseStatus.DONE)
    assert promises.worklist() == []
    assert server_count(central, "SELECT count(*) FROM promises") == 1


def test_a_sync_that_loses_the_link_still_reports_the_answers_it_stored(team: Team) -> None:
    """Two answers arrive (one a rejection), then the link goes for good: the summary still counts
    them, so the window re-reads the problems and shows the rejection (found by the fault suite:
    the push's report was lost with the exception, and the rejection was never shown)."""
    alex, _, customer_id = team
    stranger = factories.customer(account="49999998")
    add_everywhere(None, [alex.store], stranger)
    alex.goodwill.request(customer_id, GoodwillKind.REFUND, "4.00", "billing error", "refund")
    alex.goodwill.request(stranger.id, GoodwillKind.REFUND, "5.00", "billing error", "refund")
    alex.goodwill.request(customer_id, GoodwillKind.REFUND, "6.00", "billing error", "refund")

    class LinkGoesAfterTwo(ServerLink):
        calls = 0

        async def apply_mutation(self, **call: Any) -> dict[str, Any]:
            self.calls += 1
            if self.calls > 2:
                raise psycopg.OperationalError("server closed the connection unexpectedly")
            return await super().apply_mutation(**call)

    connect = alex.connect()
    link = LinkGoesAfterTwo(connect)
    link.batches = False  # one call a mutation, so the link can go between two answers
    engine = SyncEngine(
        alex.store,
        connect,
        clock=alex.clock,
        sleep=alex.sleeper,
        listen=False,
        link=link,
    )
    summary = asyncio.run(engine.sync_once())
    assert summary.offline is not None and summary.waiting == 1
    assert (summary.pushed, summary.accepted, summary.rejected, summary.conflicts) == (2, 1, 1, 0)


class CountingLink(ServerLink):
    """A real link that remembers the size of each batch it sent."""

    def __init__(self, connect: Any) -> None:
        super().__init__(connect)
        self.batches_sent: list[list[int]] = []

    async def apply_page(self, page: str) -> list[Answer]:
        self.batches_sent.append([int(item["client_seq"]) for item in json.loads(page)])
        return await super().apply_page(page)


def test_a_push_sends_pages_in_client_order_one_call_and_one_local_transaction_each(
    team: Team, central: Central
) -> None:
    alex, _, customer_id = team
    for amount in ("1.00", "2.00", "3.00", "4.00", "5.00"):
        alex.goodwill.request(customer_id, GoodwillKind.REFUND, amount, "billing error", "refund")
    link = CountingLink(alex.connect())
    commits: list[int] = []
    sqlalchemy_event.listen(alex.store.engine, "commit", lambda _connection: commits.append(1))

    async def send() -> pushing.PushReport:
        try:
            return await pushing.push(alex.store, link, sleep=alex.sleeper, retry=QUICK_RETRY, batch=2)
        finally:
            await link.close()

    report = asyncio.run(send())
    assert (report.pushed, report.accepted) == (5, 5)
    assert link.batches_sent == [[1, 2], [3, 4], [5]]
    # The count, the first page read, then per page one transaction storing the answers of the
    # page before and reading the next (the last finds none), and the last page's answers: never
    # one per mutation.
    assert len(commits) == 1 + 1 + 3 + 1
    amounts = server_count(
        central, "SELECT count(*) FROM goodwill WHERE amount_pence IN (100, 200, 300, 400, 500)"
    )
    assert amounts == 5


def test_accepted_rejected_and_conflicting_in_one_batch(team: Team, central: Central, tmp_path: Path) -> None:
    """A supervisor's three offline acts in one push: an approval someone else made first
    (conflict), a request for a customer the server lacks (rejected), a contact (accepted)."""
    alex, sam, customer_id = team
    kim_user = central.add_user(Role.SUPERVISOR, 50_000, hint="kim", display_name="Kim Supervisor")
    kim = workstation(central, tmp_path, kim_user, [alex.user, sam.user, kim_user])
    add_everywhere(None, [kim.store], _customer_row(sam, customer_id))
    stranger = factories.customer(account="49999998")
    add_everywhere(None, [kim.store], stranger)
    try:
        alex.goodwill.request(
            customer_id, GoodwillKind.COMPENSATION, "90.00", "missed appointment", "no show"
        )
        asyncio.run(alex.engine().sync_once())
        asyncio.run(sam.engine().sync_once())
        asyncio.run(kim.engine().sync_once())
        sam.goodwill.approve(sam.goodwill.pending()[0])
        assert asyncio.run(sam.engine().sync_once()).accepted == 1
        kim.goodwill.approve(kim.goodwill.pending()[0])
        kim.goodwill.request(stranger.id, GoodwillKind.REFUND, "7.00", "billing error", "double charge")
        HandoffService(kim.store, kim.clock, kim.user).hand_off(
            customer_id, HandoffKind.ORDER, StaffTeam.TECHNICAL, "place the router order"
        )
        link = CountingLink(kim.connect())
        engine = SyncEngine(
            kim.store, kim.connect(), clock=kim.clock, sleep=kim.sleeper, listen=False, link=link
        )
        summary = asyncio.run(engine.sync_once())
        assert len(link.batches_sent) == 1 and len(link.batches_sent[0]) == 3
        assert (summary.accepted, summary.rejected, summary.conflicts, summary.waiting) == (1, 1, 1, 0)
        states = [(entry.kind, entry.state) for entry in kim.outbox()]
        assert states == [
            (mutation_kinds.GOODWILL_APPROVE, MutationState.CONFLICT),
            (mutation_kinds.GOODWILL_REQUEST, MutationState.REJECTED),
            (mutation_kinds.HANDOFF_CREATE, MutationState.ACCEPTED),
        ]
        # The conflict's record replaced the local guess; both problems are shown to Kim.
        [seen] = kim.goodwill.for_customer(customer_id)
        assert seen.decided_by == sam.user.id
        problems = asyncio.run(engine.problems())
        assert {p.state for p in problems} == {MutationState.CONFLICT, MutationState.REJECTED}
        assert server_count(central, "SELECT count(*) FROM goodwill WHERE state = 'approved'") == 1
    finally:
        kim.store.close()


def test_a_committed_batch_pushed_again_changes_nothing(team: Team, central: Central) -> None:
    """Every answer of a committed batch lost: the whole batch goes again and the server answers
    from its mutation log, applying nothing twice."""
    alex, _, customer_id = team
    alex.goodwill.request(customer_id, GoodwillKind.REFUND, "4.00", "billing error", "refund")
    alex.goodwill.request(customer_id, GoodwillKind.COMPENSATION, "80.00", "service outage", "down")
    stranger = factories.customer(account="49999997")
    add_everywhere(None, [alex.store], stranger)
    alex.goodwill.request(stranger.id, GoodwillKind.REFUND, "7.00", "billing error", "double charge")
    first = asyncio.run(alex.engine().sync_once())
    assert (first.accepted, first.rejected) == (2, 1)
    answered = [(entry.state, entry.reason) for entry in alex.outbox()]
    tables = ("goodwill", "contact_events", "mutation_log", "change_log", "audit_log")
    before = {table: server_count(central, f"SELECT count(*) FROM {table}") for table in tables}
    with alex.store.write() as session:
        session.execute(update(OutboxEntry).values(state=MutationState.PENDING, result=None, reason=None))
    again = asyncio.run(alex.engine().sync_once())
    assert (again.pushed, again.accepted, again.rejected) == (3, 2, 1)
    assert [(entry.state, entry.reason) for entry in alex.outbox()] == answered
    assert [entry.attempts for entry in alex.outbox()] == [2, 2, 2]
    assert {table: server_count(central, f"SELECT count(*) FROM {table}") for table in tables} == before


def test_a_server_without_the_batch_function_gets_one_call_each(team: Team, central: Central) -> None:
    alex, _, customer_id = team
    alex.goodwill.request(customer_id, GoodwillKind.REFUND, "4.00", "billing error", "refund")
    alex.goodwill.request(customer_id, GoodwillKind.REFUND, "6.00", "billing error", "refund")
    singles: list[str] = []

    class OldServer(ServerLink):
        async def apply_page(self, page: str) -> list[Answer]:
            raise psycopg.errors.UndefinedFunction("function api.apply_mutations(jsonb) does not exist")

        async def apply_mutation(self, **call: Any) -> dict[str, Any]:
            singles.append(call["kind"])
            return await super().apply_mutation(**call)

    link = OldServer(alex.connect())
    engine = SyncEngine(
        alex.store, alex.connect(), clock=alex.clock, sleep=alex.sleeper, listen=False, link=link
    )
    summary = asyncio.run(engine.sync_once())
    assert (summary.accepted, summary.waiting) == (2, 0)
    assert singles == [mutation_kinds.GOODWILL_REQUEST, mutation_kinds.GOODWILL_REQUEST] and not link.batches


def test_a_handoff_reaches_the_receiving_teams_list_and_its_progress_reaches_the_sender(
    central: Central, tmp_path: Path
) -> None:
    sally = central.add_user(Role.ADVISOR, 0, hint="sal", display_name="Sally Sales", team=StaffTeam.SALES)
    bill = central.add_user(Role.ADVISOR, 0, hint="bil", display_name="Bill Billing", team=StaffTeam.BILLING)
    tess = central.add_user(Role.ADVISOR, 0, hint="tec", display_name="Tess Tech", team=StaffTeam.TECHNICAL)
    people = [sally, bill, tess]
    stations = [workstation(central, tmp_path, person, people) for person in people]
    sender, receiver, other = stations
    try:
        customer_id = shared_customer(central, [s.store for s in stations])
        sending = HandoffService(sender.store, sender.clock, sender.user)
        made = sending.hand_off(customer_id, HandoffKind.TASK, StaffTeam.BILLING, "Refund the second charge")
        assert asyncio.run(sender.engine().sync_once()).accepted == 1
        for station in (receiver, other):
            asyncio.run(station.engine().sync_once())
        receiving = HandoffService(receiver.store, receiver.clock, receiver.user)
        assert [h.id for h in receiving.for_my_team()] == [made.id]
        assert HandoffService(other.store, other.clock, other.user).for_my_team() == []

        # Another team's advisor is refused by the server in the console's words.
        server_refusal = central.apply(
            central.login(tess), "handoff.acknowledge", {"id": str(made.id), "version": 1}
        )
        assert server_refusal["reason"] == "only the billing team or a supervisor moves this handoff on"

        since = sender.clock.now()
        receiver.clock.advance(timedelta(minutes=20))
        receiving.acknowledge(receiving.for_my_team()[0])
        assert asyncio.run(receiver.engine().sync_once()).accepted == 1
        asyncio.run(sender.engine().sync_once())
        told = sending.moved_on_since(since)
        assert [(h.id, h.status, h.acknowledged_by_name) for h in told] == [
            (made.id, HandoffStatus.ACKNOWLEDGED, "Bill Billing")
        ]

        receiver.clock.advance(timedelta(hours=1))
        receiving.complete(receiving.for_my_team()[0], "Refunded £42.50")
        assert asyncio.run(receiver.engine().sync_once()).accepted == 1
        asyncio.run(sender.engine().sync_once())
        assert [h.status for h in sending.moved_on_since(since)] == [HandoffStatus.DONE]
        with sender.store.read() as session:
            done_lines = list(
                session.scalars(
                    select(ContactEvent.summary).where(ContactEvent.subject == "Completed by billing")
                )
            )
        assert done_lines == ["Refund the second charge\nDone: Refunded £42.50"]
    finally:
        for station in stations:
            station.store.close()


def test_a_push_sends_the_stored_text_and_keeps_every_id_order_and_answer_exact(
    team: Team, central: Central
) -> None:
    """Contacts, goodwill requests and a request the server rejects, in pages of four sent as the
    stored JSON text: the server logs each mutation once, in client order, with the ids, times and
    payloads queued, and each outbox entry holds exactly the answer the server logged."""
    alex, _, customer_id = team
    stranger = factories.customer(account="49999996")
    add_everywhere(None, [alex.store], stranger)
    queued: list[dict[str, Any]] = []
    for number in range(10):
        if number in (3, 7):
            alex.goodwill.request(customer_id, GoodwillKind.REFUND, f"{number}.00", "billing error", "refund")
            continue
        if number == 5:
            alex.goodwill.request(stranger.id, GoodwillKind.REFUND, "5.00", "billing error", "unknown there")
            continue
        with alex.store.durable_write() as session:
            now = alex.clock.now()
            event = ContactEventRecord(
                id=uuid.uuid4(),
                customer_id=customer_id,
                case_id=None,
                channel=Channel.PHONE,
                direction=Direction.INBOUND,
                advisor_id=alex.user.id,
                occurred_at=now,
                recorded_at=now,
                subject=None,
                summary=f'call {number} «ü» "quoted"',
            )
            event_queries.add(session, event)
            queued.append(outbox.contact_add(event))
            outbox.queue(
                session,
                kind=mutation_kinds.CONTACT_ADD,
                payload=queued[-1],
                actor=alex.user.username,
                entity_id=event.id,
                occurred_at=alex.clock.now(),
            )
    contacts_before = alex.count(ContactEvent)
    link = CountingLink(alex.connect())

    async def send() -> pushing.PushReport:
        try:
            return await pushing.push(alex.store, link, sleep=alex.sleeper, retry=QUICK_RETRY, batch=4)
        finally:
            await link.close()

    report = asyncio.run(send())
    assert (report.pushed, report.accepted, report.rejected, report.conflicts) == (10, 9, 1, 0)
    assert link.batches_sent == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]
    entries = alex.outbox()
    with central.admin.connect() as connection:
        logged = connection.execute(
            text(
                "SELECT mutation_id, client_id, client_seq, kind, state, reason, result, occurred_at "
                "FROM mutation_log ORDER BY client_seq"
            )
        ).all()
        written = connection.execute(text("SELECT id, summary, occurred_at FROM contact_events"))
        contacts = {row.id: row for row in written}
    assert [(row.mutation_id, row.client_id, row.client_seq, row.kind) for row in logged] == [
        (entry.mutation_id, entry.client_id, entry.client_seq, entry.kind) for entry in entries
    ]
    assert [row.occurred_at for row in logged] == [entry.occurred_at for entry in entries]
    for row, entry in zip(logged, entries, strict=True):
        assert (entry.state, entry.reason, entry.attempts) == (MutationState(row.state), row.reason, 1)
        with alex.store.read() as session:
            stored = session.get_one(OutboxEntry, entry.mutation_id).result
        assert stored == row.result  # the answer as the server logged it, not a copy rebuilt here
    assert [entry.state for entry in entries].count(MutationState.REJECTED) == 1
    assert entries[5].state is MutationState.REJECTED and entries[5].kind == mutation_kinds.GOODWILL_REQUEST
    for payload in queued:  # the payload text arrived as queued, non-ASCII included
        row = contacts[uuid.UUID(payload["id"])]
        assert row.summary == payload["summary"]
        assert row.occurred_at.isoformat() == payload["occurred_at"]
    assert alex.count(ContactEvent) == contacts_before  # the answers' records were already held


def test_the_link_prepares_no_statement_on_the_server(team: Team) -> None:
    """Behind PgBouncer in transaction mode each call may run on another server connection, where a
    statement psycopg prepared on the first would not exist; so the link never prepares one."""
    alex = team.advisor

    async def calls() -> int:
        link = ServerLink(alex.connect())
        try:
            for _ in range(12):  # psycopg prepares a query from its 5th run unless told not to
                await link.pull_changes(0, 5)
            connection = await link.connection()
            cursor = await connection.execute("SELECT count(*) FROM pg_prepared_statements")
            row = await cursor.fetchone()
            assert row is not None
            return int(row[0])
        finally:
            await link.close()

    assert asyncio.run(calls()) == 0
