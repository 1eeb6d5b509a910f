"""First sync of a new workstation: everything its login may read, entity by entity in pages of rows,
each page and the place after it in one local transaction, so a cancelled or cut first sync resumes
where it stopped; at the end the change log takes over from the head the server gave at the start."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from console.clock import Clock
from console.sync.push import Progress, RetryPolicy, Sleep, run_local, with_retries
from console.sync.remote import ServerLink
from domain.records import SnapshotRecord
from storage import replica
from storage.queries import first_sync as places
from storage.queries import sync as queries
from storage.store import Store

PAGE_SIZE = 1000


@dataclass
class FirstSyncReport:
    fetched: int = 0  # rows read from the server in this run (not counting a promise's follow-ups)
    applied: int = 0
    held_back: int = 0  # left alone: the record still has mutations in the outbox
    not_held: int = 0  # names a row this login may not read (a soft-deleted customer's phone)
    pages: int = 0
    done: int = 0  # rows taken since the first sync began, this run and earlier ones
    total: int = 0  # what the server announced (at least `done`)
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
    """One page of rows and the place after it, in the caller's (one) transaction."""
    rows = page.get("rows") or []
    extra = page.get("extra") or []
    records = [(entity, row) for row in (*extra, *rows)]  # the page's own rows win
    applied = replica.apply_records(session, records, queries.pending_entity_ids(session))
    places.advance(session, entity=entity, after_id=next_after(page, after), done=done, total=total, now=now)
    return applied


def _begin(session: Session, *, plan: dict[str, Any], now: datetime) -> SnapshotRecord:
    found = places.state(session)
    if found is not None:  # another run began it meanwhile
        return found
    return places.begin(session, head=int(plan["head"]), total=int(plan["total"]), now=now)


async def first_sync(
    store: Store,
    link: ServerLink,
    *,
    clock: Clock,
    sleep: Sleep,
    retry: RetryPolicy,
    page_size: int = PAGE_SIZE,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> FirstSyncReport:
    """Take every entity the plan names (the ones this console keeps), from the stored place on.

    Checks `cancelled` before each page: a cancelled run keeps every page it wrote and the next run
    continues after the last one. Never starts again from zero once begun.
    """

    async def call(work: Callable[[], Any]) -> dict[str, Any]:
        answer, _ = await with_retries(link, work, sleep=sleep, retry=retry)
        return dict(answer)

    plan = await call(link.snapshot_plan)  # the entity order, and the head and total on a first run
    place = await run_local(store, partial(_begin, plan=plan, now=clock.now()))
    report = FirstSyncReport(done=place.done, total=max(place.total, place.done))
    if place.finished:
        report.finished = True
        return report
    order = [str(item["entity"]) for item in plan.get("entities") or [] if item["entity"] in replica.ENTITIES]
    start = order.index(place.entity) if place.entity in order else 0
    if progress is not None:
        progress(report.done, report.total)
    for entity in order[start:]:
        after = place.after_id if entity == place.entity else None
        ahead: asyncio.Task[dict[str, Any]] | None = None  # the next page, fetched while one is written
        while True:
            if cancelled():
                if ahead is not None:
                    ahead.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await ahead
                report.cancelled = True
                return report
            page = await (ahead or call(partial(link.snapshot_page, entity, after, page_size)))
            ahead = None
            following = next_after(page, after)
            if page.get("more"):
                ahead = asyncio.create_task(call(partial(link.snapshot_page, entity, following, page_size)))
            rows = len(page.get("rows") or [])
            report.fetched += rows
            report.pages += 1
            report.done += rows
            report.total = max(report.total, report.done)
            try:
                applied = await run_local(
                    store,
                    partial(
                        apply_page,
                        entity=entity,
                        page=page,
                        after=after,
                        done=report.done,
                        total=report.total,
                        now=clock.now(),
                    ),
                )
            except BaseException:
                if ahead is not None:
                    ahead.cancel()
                raise
            report.applied += applied.applied
            report.held_back += applied.held_back
            report.not_held += applied.not_held
            if progress is not None:
                progress(report.done, report.total)
            if ahead is None:
                break
            after = following
    await run_local(store, partial(places.finish, now=clock.now()))
    report.total = report.done
    report.finished = True
    return report
