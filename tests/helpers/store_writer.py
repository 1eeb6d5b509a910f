"""A console process for the SIGKILL test: opens a store and writes through the real services in a
loop, printing one line per act only after the act's durable commit returned:
`<act> <record id> <mutation id>`. The test kills it with SIGKILL in the middle of its writes.

Run: python -m tests.helpers.store_writer STORE USER_ID CUSTOMER_ID SEED
"""

from __future__ import annotations

import random
import sys
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from console.clock import ManualClock
from console.services.goodwill import GoodwillService
from console.services.handoffs import HandoffService
from console.services.promises import PromiseService
from domain.vocabulary import GoodwillKind, HandoffKind, PromiseKind, Team
from storage.location import parse_location
from storage.models import OutboxEntry
from storage.queries import users
from storage.store import open_store

START = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def main(argv: list[str]) -> int:
    path, user_id, customer_id, seed = argv
    store = open_store(parse_location(path))
    with store.read() as session:
        user = users.by_id(session, uuid.UUID(user_id))
    assert user is not None
    customer = uuid.UUID(customer_id)
    rng = random.Random(int(seed))
    clock = ManualClock(START)
    goodwill = GoodwillService(store, clock, user)
    promises = PromiseService(store, clock, user)
    handoffs = HandoffService(store, clock, user)
    while True:
        clock.advance(timedelta(seconds=1))
        act = rng.choice(("goodwill", "promise", "handoff"))
        if act == "goodwill":
            pence = rng.randint(100, 20_000)  # within and over the limit
            record_id = goodwill.request(
                customer, GoodwillKind.REFUND, f"{pence // 100}.{pence % 100:02d}", "billing error", "killed"
            ).id
        elif act == "promise":
            due = clock.now() + timedelta(days=1)
            record_id = promises.make(customer, PromiseKind.CALLBACK, due, phone="07700 900123").id
        else:
            record_id = handoffs.hand_off(customer, HandoffKind.TASK, Team.TECHNICAL, "check the line").id
        with store.read() as session:  # this process is the only writer: the newest entry is ours
            mutation_id = session.execute(
                select(OutboxEntry.mutation_id).order_by(OutboxEntry.client_seq.desc()).limit(1)
            ).scalar_one()
        sys.stdout.write(f"{act} {record_id} {mutation_id}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
