"""The reads behind opening a customer, without Qt: `python -m tests.bench.pane_reads STORE` prints one
JSON object comparing the part-by-part reads (a session per part, as the window's first version did)
with `PaneService.open` (one read-only transaction), samples interleaved so both see the same load."""

from __future__ import annotations

import json
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy import event

from console.clock import SystemClock
from console.services.cases import CaseService
from console.services.customers import CustomerService
from console.services.goodwill import GoodwillService
from console.services.handoffs import HandoffService
from console.services.offers import OfferService
from console.services.pane import PaneService
from console.services.people import PeopleService
from console.services.promises import PromiseService
from domain.records import UserRecord
from storage.location import parse_location
from storage.store import Store, open_store

SAMPLES = 400
STORY_ACCOUNTS = ("10000001", "10000002", "10000003", "10000004")


def part_by_part(store: Store, user: UserRecord) -> Callable[[uuid.UUID], object]:
    clock = SystemClock()
    customers = CustomerService(store)
    promises = PromiseService(store, clock, user)
    handoffs = HandoffService(store, clock, user)
    cases = CaseService(store, clock, user)
    offers = OfferService(store, clock, user)
    goodwill = GoodwillService(store, clock, user)

    def read(customer_id: uuid.UUID) -> object:
        profile = customers.profile(customer_id)
        found = customers.cases(customer_id)
        promised = promises.for_customer(customer_id)
        return (
            profile,
            found,
            customers.history(customer_id),
            promised,
            handoffs.for_customer(customer_id),
            cases.needing_update_among(found, promised),
            offers.for_customer(customer_id),
            goodwill.for_customer(customer_id),
            goodwill.my_limit(),
            goodwill.month_total(),
        )

    return read


def counted(store: Store, action: Callable[[], object]) -> tuple[int, int]:
    """(transactions begun, statements sent) by `action`."""
    begun = [0]
    sent = [0]

    def on_begin(_connection: Any) -> None:
        begun[0] += 1

    def on_execute(*_args: Any) -> None:
        sent[0] += 1

    event.listen(store.engine, "begin", on_begin)
    event.listen(store.engine, "before_cursor_execute", on_execute)
    try:
        action()
    finally:
        event.remove(store.engine, "begin", on_begin)
        event.remove(store.engine, "before_cursor_execute", on_execute)
    return begun[0], sent[0]


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50": statistics.median(ordered), "p95": ordered[int(len(ordered) * 0.95)]}


def main(path: str) -> dict[str, Any]:
    store = open_store(parse_location(path))
    user = PeopleService(store).current_user("advisor")
    ids = [CustomerService(store).find_account(account).id for account in STORY_ACCOUNTS]
    old = part_by_part(store, user)
    pane = PaneService(store, SystemClock(), user)
    readers: dict[str, Callable[[uuid.UUID], object]] = {"part_by_part": old, "one_transaction": pane.open}
    for _ in range(10):  # warm-up
        for customer_id in ids:
            for read in readers.values():
                read(customer_id)
    samples: dict[str, list[float]] = {name: [] for name in readers}
    cpu: dict[str, list[float]] = {name: [] for name in readers}  # the thread's CPU: load disturbs it less
    for n in range(SAMPLES):
        customer_id = ids[n % len(ids)]
        for name, read in readers.items():
            started, started_cpu = time.perf_counter(), time.thread_time()
            read(customer_id)
            samples[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((time.thread_time() - started_cpu) * 1000)
    result: dict[str, Any] = {}
    for name, read in readers.items():
        begun, sent = counted(store, partial(read, ids[0]))
        result[name] = percentiles(samples[name]) | {
            "cpu_p50": statistics.median(cpu[name]),
            "transactions": begun,
            "statements": sent,
        }
    store.close()
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1]), indent=1))
