"""First sync of a new workstation: its working set, not every customer. The reference data (users,
offers) whole in pages of rows, then the working set's customers (the server's api.working_set_plan)
a page of customers at a time with all their records, each page and the place after it in one local
transaction, so a cancelled or cut first sync resumes where it stopped; at the end the change log
takes over from the head the server gave at the start."""

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
from console.sync.push import Progress, RetryPolicy, Sleep, run_local, with_retries
from console.sync.remote import ServerLink
from domain.records import SnapshotRecord
from storage import replica
from storage.queries import first_sync as places
from storage.queries import sync as queries
from storage.store import Store

PAGE_SIZE = 1000  # reference rows a page
CUSTOMER_PAGE = 100  # working-set customers a page, each with all their records
CUSTOMERS = "customers"  # the place's entity while the working set's customers are taken


@dataclass
class FirstSyncReport:
    fetched: int = 0  # records read from the server in this run (not counting a promise's follow-ups)
    applied: int = 0
    held_back: int = 0  # left alone: the record still has mutations in the outbox
    not_held: int = 0  # names a row this login may not read (a soft-deleted customer's phone)
    pages: int = 0
    done: int = 0  # reference rows and customers taken since the first sync began, this run and earlier
    total: int = 0  # what the plan announced (at least `done`)
    customers: int = 0  # working-set customers taken in this run
    finished: bool = False
    cancelled: bool = False


def _uuid(value: Any) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(str(value))


def next_after(page: dict[str, Any], after: uuid.UUID | None) -> uuid.UUID | None:
    """Where the next page of the entity starts: after this page's last id (an empty page: as before)."""
    return _uuid(page.get("last_id")) or after


def apply_page(
    session: Session,
    *,
    entity: str,
    page: dict[str, Any],
    after: uuid.UUID | None,
    done: int,
    total: int,
    now: datetime,
) -> replica.ApplyReport:
    """One page of reference rows and the place after it, in the caller's (one) transaction."""
    rows = page.get("rows") or []
    extra = page.get("extra") or []
    records = [(entity, row) for row in (*extra, *rows)]  # the page's own rows win
    applied = replica.apply_records(session, records, queries.pending_entity_ids(session))
    places.advance(session, entity=entity, after_id=next_after(page, after), done=done, total=total, now=now)
    return applied


def apply_customers(
    session: Session, *, page: dict[str, Any], done: int, total: int, now: datetime
) -> replica.ApplyReport:
    """One page of customers' records, held from the page's head on, and the place after it."""
    applied = holding.keep(session, page, now, check_cursor=False)  # the cursor stays 0 until the end
    last = _uuid(page["last_id"])
    places.advance(session, entity=CUSTOMERS, after_id=last, done=done, total=total, now=now)
    return applied


def _begin(session: Session, *, plan: dict[str, Any], total: int, now: datetime) -> SnapshotRecord:
    found = places.state(session)
    if found is not None:  # another run began it meanwhile
        return found
    return places.begin(session, head=int(plan["head"]), total=total, now=now)


Fetch = Callable[[], Awaitable[dict[str, Any]]]


async def _pages(
    first: Fetch,
    following: Callable[[dict[str, Any]], Fetch | None],
    write: Callable[[dict[str, Any]], Awaitable[None]],
    cancelled: Callable[[], bool],
) -> bool:
    """Fetch and write pages in turn, the next fetched while one is written; False when cancelled
    before a page (every page written stays)."""
    fetch: Fetch | None = first
    ahead: asyncio.Future[dict[str, Any]] | None = None
    while fetch is not None:
        if cancelled():
            if ahead is not None:
                ahead.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await ahead
            return False
        page = await (ahead or fetch())
        fetch = following(page)
        ahead = asyncio.ensure_future(fetch()) if fetch is not None else None
        try:
            await write(page)
        except BaseException:
            if ahead is not None:
                ahead.cancel()
            raise
    return True


@dataclass
class _Run:
    """One run's shared parts: the store, the link with retries, the report and its progress."""

    store: Store
    link: ServerLink
    clock: Clock
    call: Callable[[Callable[[], Awaitable[Any]]], Awaitable[Any]]
    report: FirstSyncReport
    progress: Progress | None
    cancelled: Callable[[], bool]

    def step(self, taken: int, applied: replica.ApplyReport) -> None:
        self.report.done += taken
        self.report.total = max(self.report.total, self.report.done)
        self.report.pages += 1
        self.report.applied += applied.applied
        self.report.held_back += applied.held_back
        self.report.not_held += applied.not_held
        if self.progress is not None:
            self.progress(self.report.done, self.report.total)


async def _take_rows(run: _Run, entity: str, after: uuid.UUID | None, page_size: int) -> bool:
    """One reference entity's pages from `after` on; False when cancelled."""
    since = {"after": after}

    def fetch(start: uuid.UUID | None) -> Fetch:
        return partial(run.call, partial(run.link.snapshot_page, entity, start, page_size))

    def following(page: dict[str, Any]) -> Fetch | None:
        return fetch(next_after(page, since["after"])) if page.get("more") else None

    async def write(page: dict[str, Any]) -> None:
        rows = len(page.get("rows") or [])
        run.report.fetched += rows
        done, total = run.report.done + rows, max(run.report.total, run.report.done + rows)
        start, now = since["after"], run.clock.now()
        work = partial(apply_page, entity=entity, page=page, after=start, done=done, total=total, now=now)
        applied = await run_local(run.store, work)
        since["after"] = next_after(page, since["after"])
        run.step(rows, applied)

    return await _pages(fetch(after), following, write, run.cancelled)


async def _take_customers(run: _Run, chunks: list[list[uuid.UUID]]) -> bool:
    """The working set's customers, a chunk a page, each held on the server before it is read."""
    client = await run_local(run.store, partial(queries.client_id, now=run.clock.now()))

    def fetch(index: int) -> Fetch:
        async def read() -> dict[str, Any]:
            chunk = chunks[index]
            await run.call(partial(run.link.hold_customers, client, chunk))
            answer = dict(await run.call(partial(run.link.customers_records, chunk)))
            return answer | {"last_id": str(chunk[-1]), "chunk": index}

        return read

    def following(page: dict[str, Any]) -> Fetch | None:
        index = int(page["chunk"]) + 1
        return fetch(index) if index < len(chunks) else None

    async def write(page: dict[str, Any]) -> None:
        taken = len(chunks[int(page["chunk"])])
        run.report.fetched += len(page.get("records") or [])
        run.report.customers += taken
        done, total = run.report.done + taken, max(run.report.total, run.report.done + taken)
        work = partial(apply_customers, page=page, done=done, total=total, now=run.clock.now())
        run.step(taken, await run_local(run.store, work))

    return await _pages(fetch(0), following, write, run.cancelled)


async def first_sync(
    store: Store,
    link: ServerLink,
    *,
    clock: Clock,
    sleep: Sleep,
    retry: RetryPolicy,
    page_size: int = PAGE_SIZE,
    customer_page: int = CUSTOMER_PAGE,
    days: int = holding.KEEP_DAYS,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> FirstSyncReport:
    """Take the reference data, then the working set's customers whole, from the stored place on.

    Checks `cancelled` before each page: a cancelled run keeps every page it wrote and the next run
    continues after the last one. Never starts again from zero once begun. A run that continues asks
    for the working set again and takes the customers after its place; one that joined the working
    set meanwhile with an earlier id did so by a change after the stored head, which the pull brings.
    """

    async def call(work: Callable[[], Awaitable[Any]]) -> Any:
        answer, _ = await with_retries(link, work, sleep=sleep, retry=retry)
        return answer

    plan = dict(await call(partial(link.working_set_plan, days)))
    reference = [  # an entity with no rows is not asked for (a row made later comes by pull)
        (str(item["entity"]), int(item["rows"]))
        for item in plan.get("reference") or []
        if item["entity"] in replica.ENTITIES and int(item["rows"]) > 0
    ]
    customers = sorted(uuid.UUID(str(found)) for found in plan.get("customers") or [])
    announced = sum(rows for _, rows in reference) + len(customers)
    place = await run_local(store, partial(_begin, plan=plan, total=announced, now=clock.now()))
    report = FirstSyncReport(done=place.done, total=max(place.total, place.done))
    if place.finished:
        report.finished = True
        return report
    run = _Run(store, link, clock, call, report, progress, cancelled)
    order = [entity for entity, _ in reference] + [CUSTOMERS]
    start = order.index(place.entity) if place.entity in order else 0
    if progress is not None:
        progress(report.done, report.total)
    for entity in order[start:]:
        after = place.after_id if entity == place.entity else None
        if entity == CUSTOMERS:
            rest = [found for found in customers if after is None or found > after]
            chunks = [rest[i : i + customer_page] for i in range(0, len(rest), customer_page)]
            taken = await _take_customers(run, chunks) if chunks else True
        else:
            taken = await _take_rows(run, entity, after, page_size)
        if not taken:
            report.cancelled = True
            return report
    await run_local(store, partial(places.finish, now=clock.now()))
    report.total = report.done
    report.finished = True
    return report
