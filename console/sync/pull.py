"""Pull: page through the server's change log from this workstation's cursor; each page and the new
cursor are written in one local transaction, so a pull stopped anywhere resumes where it stopped. A
workstation holding its working set pulls only its customers' changes and its working set's
(api.pull_held), and fetches a customer whole when a working-set change names one it does not hold."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from console.clock import Clock
from console.sync import holding
from console.sync.push import Progress, RetryPolicy, Sleep, read_local, run_local, with_retries
from console.sync.remote import ServerLink
from storage import replica
from storage.queries import holdings
from storage.queries import sync as queries
from storage.store import Store

PAGE_SIZE = 1000


@dataclass
class PullReport:
    pulled: int = 0  # changes read from the server
    applied: int = 0
    held_back: int = 0  # left alone: the record still has mutations in the outbox
    not_held: int = 0  # names a customer, user or case this workstation does not hold
    unknown: int = 0
    older: int = 0  # changes at or before the head a held customer's records were read at
    fetched_customers: int = 0  # customers a working-set change named, fetched whole
    cursor: int = 0
    head: int = 0


def apply_page(session: Session, *, page: dict[str, Any], now: datetime) -> replica.ApplyReport:
    """One page of changes and the cursor after it, in the caller's (one) transaction."""
    changes = page.get("changes") or []
    records = [(str(change["entity"]), change["data"]) for change in changes]
    applied = replica.apply_records(session, records, queries.pending_entity_ids(session))
    queries.set_cursor(session, int(page["next_after"]), now)
    return applied


def apply_held_page(
    session: Session, *, page: dict[str, Any], now: datetime
) -> tuple[replica.ApplyReport, int, list[uuid.UUID]]:
    """A page of api.pull_held and the cursor after it, in the caller's (one) transaction: changes of a
    held customer newer than their records, and of no customer. Returns the report, how many changes
    were older than what is held, and the customers not held that the page named (a working-set
    change: the caller fetches them whole)."""
    changes = page.get("changes") or []
    named = {uuid.UUID(str(change["customer_id"])) for change in changes if change.get("customer_id")}
    since = holdings.since_seqs(session, named)
    kept: list[tuple[str, Any]] = []
    older = 0
    for change in changes:
        customer = change.get("customer_id")
        if customer is not None:
            held_since = since.get(uuid.UUID(str(customer)), -1)
            if held_since is None or held_since == -1:  # evicted, or not held: not written
                continue
            if int(change["seq"]) <= held_since:
                older += 1
                continue
        kept.append((str(change["entity"]), change["data"]))
    applied = replica.apply_records(session, kept, queries.pending_entity_ids(session))
    queries.set_cursor(session, int(page["next_after"]), now)
    return applied, older, sorted(customer for customer in named if customer not in since)


async def pull(
    store: Store,
    link: ServerLink,
    *,
    clock: Clock,
    sleep: Sleep,
    retry: RetryPolicy,
    page_size: int = PAGE_SIZE,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    client_id: uuid.UUID | None = None,
) -> PullReport:
    """Read every change after the cursor (with `client_id`, a workstation holding its working set:
    only the changes api.pull_held sends). The next page is fetched while this one is written."""
    report = PullReport()
    after = await read_local(store, queries.cursor)
    start = after

    async def retried(work: Callable[[], Awaitable[Any]]) -> Any:
        answer, _ = await with_retries(link, work, sleep=sleep, retry=retry)
        return answer

    async def fetch(cursor: int) -> dict[str, Any]:
        async def call() -> dict[str, Any]:
            if client_id is not None:
                return await link.pull_held(client_id, cursor, page_size)
            return await link.pull_changes(cursor, page_size)

        answer: dict[str, Any] = await retried(call)
        return answer

    async def write(page: dict[str, Any]) -> replica.ApplyReport:
        if client_id is None:
            return await run_local(store, partial(apply_page, page=page, now=clock.now()))
        applied, older, missing = await run_local(store, partial(apply_held_page, page=page, now=clock.now()))
        report.older += older
        if missing:  # a working-set change for a customer not held: hold and fetch them whole
            await holding.fetch(store, link, missing, clock=clock, call=retried)
            report.fetched_customers += len(missing)
        return applied

    page = await fetch(after)
    while True:
        next_page: asyncio.Task[dict[str, Any]] | None = None
        if page.get("more") and not cancelled():
            next_page = asyncio.create_task(fetch(int(page["next_after"])))
        try:
            applied = await write(page)
        except BaseException:
            if next_page is not None:
                next_page.cancel()
            raise
        report.pulled += len(page.get("changes") or [])
        report.applied += applied.applied
        report.held_back += applied.held_back
        report.not_held += applied.not_held
        report.unknown += applied.unknown
        after = int(page["next_after"])
        report.cursor = after
        report.head = int(page.get("head") or after)
        if progress is not None:
            progress(after - start, max(report.head - start, after - start))
        if next_page is not None and cancelled():  # stop after the page just written
            next_page.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await next_page
            next_page = None
        if next_page is None:
            return report
        page = await next_page
