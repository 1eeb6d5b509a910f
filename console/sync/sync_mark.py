"""Telling the server when this workstation last synced: after a pull with nothing left in the
outbox, so the server may trust the times of the changes made from then on (75_trusted_time.sql).
Marked, with the audit chain witnessed (console/sync/witness.py), after a pull that followed a push
and otherwise once a minute: not after every pull, which at a thousand workstations tripled the
server's calls."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from psycopg import errors

from console.clock import Clock
from console.sync.push import RetryPolicy, Sleep, run_local, with_retries
from console.sync.remote import ServerLink
from storage.queries import sync as queries
from storage.store import Store

log = logging.getLogger(__name__)

# The longest a pulling workstation goes without marking its sync and witnessing the audit chain.
EVERY = timedelta(minutes=1)


def due(last: datetime | None, now: datetime, *, pushed: bool) -> bool:
    """Whether a pull just made is followed by the witness and the mark: after a push, at the first
    pull, and when the last was EVERY ago or more (or the clock went back)."""
    return pushed or last is None or not last <= now < last + EVERY


async def mark(store: Store, link: ServerLink, *, clock: Clock, sleep: Sleep, retry: RetryPolicy) -> bool:
    """Whether the server recorded the sync (not while changes wait, nor when the clocks disagree)."""
    point = await run_local(store, partial(queries.sync_point, now=clock.now()))
    if point is None:
        return False
    client_id, through_seq = point

    async def call() -> dict[str, Any]:
        return await link.sync_mark(client_id, through_seq, clock.now())

    try:
        answer, _ = await with_retries(link, call, sleep=sleep, retry=retry)
    except errors.UndefinedFunction:  # a server not yet upgraded
        log.info("the server has no api.sync_mark yet")
        return False
    if not answer.get("marked"):
        log.info("the server did not record this sync: %s", answer.get("reason"))
    return bool(answer.get("marked"))
