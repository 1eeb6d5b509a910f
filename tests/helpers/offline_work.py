"""A day of offline work through the real services, seeded: goodwill within and over the limit,
requests for a customer the server lacks, promises made and ended, promises someone else ended
first, and handoffs — each one mutation in the outbox, with the state the
server must give it."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from console.promise_rules import Outcome
from console.services.handoffs import HandoffService
from console.services.promises import PromiseService
from domain.records import PromiseRecord
from domain.vocabulary import GoodwillKind, HandoffKind, MutationState, PromiseKind, PromiseStatus, Team
from storage.models import OutboxEntry, Promise
from tests.helpers.central import Central
from tests.helpers.workstations import Workstation, add_everywhere

PHONE = "07700 900123"
# How many of each act make up the 1,000 mutations.
MIX = {
    "goodwill_within": 250,  # accepted, approved within the advisor's £50 limit
    "goodwill_over": 150,  # accepted, awaiting a supervisor's approval (whatever the client guessed)
    "goodwill_stranger": 20,  # rejected: no such customer on the server
    "promise_make": 200,
    "promise_end": 120,  # half done, half not reachable (with a follow-up promise)
    "promise_taken": 20,  # conflict: a supervisor ended it on the server first
    "handoff": 240,  # handoff.create: the handoff and its timeline line
}


@dataclass(frozen=True)
class Made:
    """One act and what the server must answer."""

    act: str
    entity_id: uuid.UUID
    expected: MutationState
    amount_pence: int = 0
    follow_up: bool = False


@dataclass
class OfflineWork:
    made: list[Made] = field(default_factory=list)
    customers: list[uuid.UUID] = field(default_factory=list)
    stranger: uuid.UUID | None = None


def plan(rng: random.Random) -> list[str]:
    """The acts in a shuffled order where every promise is ended only after it was made."""
    acts = [act for act, count in MIX.items() for _ in range(count)]
    rng.shuffle(acts)
    ordered: list[str] = []
    made = owed = 0
    for act in acts:
        if act == "promise_end" and made == 0:
            owed += 1
            continue
        ordered.append(act)
        if act == "promise_make":
            made += 1
            if owed:
                ordered.append("promise_end")
                owed -= 1
                made -= 1
        elif act == "promise_end":
            made -= 1
    assert owed == 0 and len(ordered) == sum(MIX.values())
    return ordered


def taken_promises(
    central: Central, station: Workstation, customer_id: uuid.UUID, count: int
) -> list[Promise]:
    """Open promises of the advisor's that both the server and the workstation hold."""
    rows = []
    for number in range(count):
        row = Promise(
            id=uuid.uuid4(),
            customer_id=customer_id,
            case_id=None,
            kind=PromiseKind.PROGRESS_UPDATE,
            owner_id=station.user.id,
            created_at=station.clock.now() - timedelta(days=1),
            due_at=station.clock.now() + timedelta(days=2, minutes=number),
            window_end_at=None,
            phone_e164=None,
            note=None,
            status=PromiseStatus.OPEN,
            outcome=None,
            closed_at=None,
            customer_told=None,
            follow_up_id=None,
            escalated_at=None,
            version=1,
        )
        add_everywhere(central, [station.store], row)
        rows.append(row)
    return rows


def last_queued(station: Workstation) -> uuid.UUID:
    """The entity of the newest outbox entry (the handoff a hand-off queued)."""
    with station.store.read() as session:
        found = session.execute(
            select(OutboxEntry.entity_id).order_by(OutboxEntry.client_seq.desc()).limit(1)
        ).scalar_one()
    assert found is not None
    return found


def work_offline(
    station: Workstation,
    rng: random.Random,
    customers: list[uuid.UUID],
    stranger: uuid.UUID,
    taken: list[Promise],
) -> OfflineWork:
    """Make the 1,000 mutations through the services, as an advisor at the desk would."""
    promises = PromiseService(station.store, station.clock, station.user)
    handoffs = HandoffService(station.store, station.clock, station.user)
    work = OfflineWork(customers=list(customers), stranger=stranger)
    open_promises: list[PromiseRecord] = []
    to_take = list(taken)
    for act in plan(rng):
        station.clock.advance(timedelta(seconds=1))
        now = station.clock.now()
        customer = rng.choice(customers)
        if act.startswith("goodwill"):
            pence = rng.randint(100, 5_000) if act == "goodwill_within" else rng.randint(5_001, 50_000)
            asked = station.goodwill.request(
                stranger if act == "goodwill_stranger" else customer,
                rng.choice(list(GoodwillKind)),
                f"{pence // 100}.{pence % 100:02d}",
                "service outage",
                f"offline request {len(work.made)}",
            )
            state = MutationState.REJECTED if act == "goodwill_stranger" else MutationState.ACCEPTED
            work.made.append(Made(act, asked.id, state, amount_pence=pence))
        elif act == "promise_make":
            made = promises.make(
                customer,
                PromiseKind.CALLBACK,
                now + timedelta(days=1, minutes=rng.randint(0, 600)),
                phone=PHONE,
            )
            open_promises.append(made)
            work.made.append(Made(act, made.id, MutationState.ACCEPTED))
        elif act == "promise_end":
            chosen = open_promises.pop(rng.randrange(len(open_promises)))
            unreachable = rng.random() < 0.5
            outcome = (
                Outcome(PromiseStatus.NOT_REACHABLE, "no answer", now + timedelta(hours=2))
                if unreachable
                else Outcome(PromiseStatus.DONE, "called back, all sorted")
            )
            promises.close(chosen, outcome)
            work.made.append(Made(act, chosen.id, MutationState.ACCEPTED, follow_up=unreachable))
        elif act == "promise_taken":
            row = to_take.pop()
            record = next(p for p in promises.for_customer(row.customer_id) if p.id == row.id)
            unreachable = len(to_take) % 2 == 0  # half of them with a follow-up the server never makes
            promises.close(
                record,
                Outcome(PromiseStatus.NOT_REACHABLE, "no answer", now + timedelta(hours=3))
                if unreachable
                else Outcome(PromiseStatus.DONE, "rang them as promised"),
            )
            work.made.append(Made(act, row.id, MutationState.CONFLICT))
        else:
            handoffs.hand_off(
                customer, rng.choice(list(HandoffKind)), Team.TECHNICAL, "please look at the line"
            )
            work.made.append(Made(act, last_queued(station), MutationState.ACCEPTED))
    return work
