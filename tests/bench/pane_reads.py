"""The reads behind opening a customer, without Qt: `python -m tests.bench.pane_reads STORE` prints one
JSON object comparing the part-by-part reads (a session per part, as the window's first version did)
with `PaneService.open` (one read-only transaction) and with the bare SQL it sends (the same statements
and parameters, captured from it for each customer, run with sqlite3 in one transaction, rows fetched
and nothing more). The pane and the bare SQL are sampled in turn, so both see the same load, with the
cycle collector run between samples as the console runs it (between turns of its event loop); the
part-by-part reads in a pass of their own. `ratio_cpu`: the pane's thread CPU over the bare SQL's."""

from __future__ import annotations

import gc
import json
import sqlite3
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


def captured(store: Store, action: Callable[[], object]) -> list[tuple[str, Any]]:
    """The statements and parameters `action` sends, as the driver receives them."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(store.engine, "before_cursor_execute", record)
    return seen


def bare_reader(
    path: str, statements: dict[uuid.UUID, list[tuple[str, Any]]]
) -> Callable[[uuid.UUID], object]:
    """Each customer's captured statements on a plain sqlite3 connection."""
    bare = sqlite3.connect(path, isolation_level=None)  # the captured BEGIN opens the transaction

    def read(customer_id: uuid.UUID) -> object:
        found = [bare.execute(sql, parameters).fetchall() for sql, parameters in statements[customer_id]]
        if bare.in_transaction:  # the snapshot ends here, as the store's does
            bare.execute("ROLLBACK")
        return found

    return read


def sampled(readers: dict[str, Callable[[uuid.UUID], object]], ids: list[uuid.UUID]) -> dict[str, Any]:
    """p50 and p95 wall time and p50 thread CPU of each reader, in milliseconds, the readers in turn."""
    for _ in range(10):  # warm-up
        for customer_id in ids:
            for read in readers.values():
                read(customer_id)
    samples: dict[str, list[float]] = {name: [] for name in readers}
    cpu: dict[str, list[float]] = {name: [] for name in readers}  # the thread's CPU: load disturbs it less
    gc.disable()  # as in the console (widgets/gc_guard.py): cycles are collected between turns, not amid
    try:
        for n in range(SAMPLES):
            customer_id = ids[n % len(ids)]
            for name, read in readers.items():
                started, started_cpu = time.perf_counter(), time.thread_time()
                read(customer_id)
                samples[name].append((time.perf_counter() - started) * 1000)
                cpu[name].append((time.thread_time() - started_cpu) * 1000)
            gc.collect(0)
    finally:
        gc.enable()
    return {name: percentiles(samples[name]) | {"cpu_p50": statistics.median(cpu[name])} for name in readers}


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50": statistics.median(ordered), "p95": ordered[int(len(ordered) * 0.95)]}


def main(path: str) -> dict[str, Any]:
    store = open_store(parse_location(path))
    user = PeopleService(store).current_user("advisor")
    ids = [CustomerService(store).find_account(account).id for account in STORY_ACCOUNTS]
    pane = PaneService(store, SystemClock(), user)
    statements = {customer_id: captured(store, partial(pane.open, customer_id)) for customer_id in ids}
    result = sampled({"part_by_part": part_by_part(store, user)}, ids)
    result |= sampled({"one_transaction": pane.open, "bare": bare_reader(path, statements)}, ids)
    for name, read in (("part_by_part", part_by_part(store, user)), ("one_transaction", pane.open)):
        begun, sent = counted(store, partial(read, ids[0]))
        result[name] |= {"transactions": begun, "statements": sent}
    store.close()
    result["bare"]["statements"] = len(statements[ids[0]])
    result["ratio"] = result["one_transaction"]["p50"] / result["bare"]["p50"]
    result["ratio_cpu"] = result["one_transaction"]["cpu_p50"] / result["bare"]["cpu_p50"]
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1]), indent=1))
