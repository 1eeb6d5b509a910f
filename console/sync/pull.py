"""Pull: page through the server's change log from this workstation's cursor; each page and the new
cursor are written in one local transaction, so a pull stopped anywhere resumes where it stopped."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from console.clock import Clock
from console.sync.push import Progress, RetryPolicy, Sleep, read_local, run_local, with_retries
from console.sync.remote import ServerLink
from storage import replica
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
    cursor: int = 0
    head: int = 0


def apply_page(session: Session, *, page: dict[str, Any], now: datetime) -> replica.ApplyReport:
    """One page of changes and the cursor after it, in the caller's (one) transaction."""
    changes = page.get("changes") or []
    records = [(str(change["entity"]), change["data"]) for change in changes]
    # This workstation's own contacts come back in the pull after its push: found held, not rewritten.
    applied = replica.apply_records(session, records, queries.pending_entity_ids(session), facts_held=True)
    queries.set_cursor(session, int(page["next_after"]), now)
    return applied


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
) -> PullReport:
    """Read every change after the cursor. The next page is fetched while this one is written."""
    report = PullReport()
    after = await read_local(store, queries.cursor)
    start = after

    async def fetch(cursor: int) -> dict[str, Any]:
        async def call() -> dict[str, Any]:
            return await link.pull_changes(cursor, page_size)

        answer, _ = await with_retries(link, call, sleep=sleep, retry=retry)
        return answer

    page = await fetch(after)
    while True:
        next_page: asyncio.Task[dict[str, Any]] | None = None
        if page.get("more") and not cancelled():
            next_page = asyncio.create_task(fetch(int(page["next_after"])))
        try:
            applied = await run_local(store, partial(apply_page, page=page, now=clock.now()))
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
