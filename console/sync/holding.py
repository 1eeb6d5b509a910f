"""The customers a workstation holds whole: their records kept by the replica's writer with the head
they were read at (so an older change never overwrites them), held on the server too (so pulls bring
their changes), and evicted when nobody opened them for a while and the working set does not need
them (then released on the server)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from console.clock import Clock
from console.sync.push import RetryPolicy, Sleep, read_local, run_local, with_retries
from console.sync.remote import ServerLink
from storage import replica
from storage.queries import holdings
from storage.queries import sync as queries
from storage.store import Store

# Days a customer nobody opened stays on a workstation (unless the working set needs them), and how
# far back the working set's "customers I touched" reach.
KEEP_DAYS = 30
# How often eviction runs while the console is open (it also runs at the first sync of each start).
EVICT_EVERY = timedelta(days=1)


class StaleRecordsError(RuntimeError):
    """The store pulled past the records' head while they were read: a pull applied after them
    could be older, so they are read again rather than kept."""


def found_ids(answer: dict[str, Any]) -> list[uuid.UUID]:
    """The customers a records answer (api.customers_records or api.customer_records) carries."""
    if "customer_ids" in answer:
        return [uuid.UUID(str(found)) for found in answer.get("customer_ids") or []]
    records = answer.get("records") or []
    return [uuid.UUID(str(item["data"]["id"])) for item in records if item["entity"] == "customer"]


def keep(
    session: Session, answer: dict[str, Any], now: datetime, *, check_cursor: bool = True
) -> replica.ApplyReport:
    """Write customers' records (as api.customers_records gives them) in the caller's transaction, as
    a pull writes its pages (rows with mutations waiting in the outbox are left alone), and hold the
    customers from the records' head on.

    With `check_cursor`, kept only while the store's cursor is no later than the head: every change
    after the cursor is then pulled later, in order, and those at or before the head are skipped for
    these customers (they are older than what is held)."""
    records = [(str(item["entity"]), item["data"]) for item in answer.get("records") or []]
    applied = replica.apply_records(session, records, queries.pending_entity_ids(session))
    head = int(answer["head"])
    if check_cursor and queries.cursor(session) > head:  # read after writing: the store is ours now
        raise StaleRecordsError("the store pulled newer changes while the customer was read")
    holdings.hold(session, found_ids(answer), head, now)
    return applied


async def fetch(
    store: Store,
    link: ServerLink,
    customer_ids: Sequence[uuid.UUID],
    *,
    clock: Clock,
    call: Callable[[Callable[[], Awaitable[Any]]], Awaitable[Any]],
) -> replica.ApplyReport:
    """Hold these customers on the server, then read and keep their records (held first: no change
    after the records' head escapes the pulls)."""
    client = await run_local(store, partial(queries.client_id, now=clock.now()))
    await call(partial(link.hold_customers, client, list(customer_ids)))
    answer = await call(partial(link.customers_records, list(customer_ids)))
    return await run_local(store, partial(keep, answer=answer, now=clock.now()))


async def announce(
    store: Store, link: ServerLink, client: uuid.UUID, *, sleep: Sleep, retry: RetryPolicy
) -> int:
    """Tell the server every customer this store holds (idempotent): once a start, so a store whose
    holdings the server lacks (a store from before holdings, a server restored from a backup) gets
    their changes again. Returns how many were named."""
    held = await read_local(store, holdings.held_keys)
    for start in range(0, len(held), 10_000):
        chunk = held[start : start + 10_000]
        await with_retries(link, partial(link.hold_customers, client, chunk), sleep=sleep, retry=retry)
    return len(held)


async def evict(
    store: Store,
    link: ServerLink,
    *,
    clock: Clock,
    sleep: Sleep,
    retry: RetryPolicy,
    days: int = KEEP_DAYS,
) -> int:
    """Drop the customers nobody opened in `days` days, unless the working set (the server's word)
    needs them or something of theirs waits in the outbox; then release every dropped customer on
    the server (a release the link cut short is sent at the next run). Returns how many were dropped."""

    async def call(work: Callable[[], Awaitable[Any]]) -> Any:
        answer, _ = await with_retries(link, work, sleep=sleep, retry=retry)
        return answer

    now = clock.now()
    dropped = 0
    stale = await read_local(store, partial(holdings.untouched_since, before=now - timedelta(days=days)))
    if stale:
        plan = await call(partial(link.working_set_plan, days))
        wanted = {uuid.UUID(str(found)) for found in plan.get("customers") or []}
        dropped = await run_local(
            store, partial(holdings.evict, customer_ids=[c for c in stale if c not in wanted], now=now)
        )
    released = await read_local(store, holdings.evicted)
    if released:
        client = await run_local(store, partial(queries.client_id, now=now))
        for start in range(0, len(released), 5_000):
            await call(partial(link.release_customers, client, released[start : start + 5_000]))
        await run_local(store, partial(holdings.forget, customer_ids=released))
    return dropped
