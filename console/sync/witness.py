"""The workstation as a witness of the server's audit chain: at each sync it asks what the chain now
holds at the heads it saw before, names any that disappeared or changed, and keeps the new head."""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from psycopg import errors
from sqlalchemy.orm import Session

from console.clock import Clock
from console.sync.push import RetryPolicy, Sleep, read_local, run_local, with_retries
from console.sync.remote import ServerLink
from storage.queries import audit_heads
from storage.store import Store

log = logging.getLogger(__name__)

# Heads sent at each sync: the newest alone would do (every entry before it is chained into it);
# a few more name where a rewrite began.
CHECKED = 20
SEEN_BY = "this workstation"


def _compare(
    session: Session, *, answer: dict[str, Any], checked: list[audit_heads.Head], clock: Clock
) -> list[str]:
    current = {int(seq): str(hash_) for seq, hash_ in (answer.get("hashes") or {}).items()}
    problems = audit_heads.differences(checked, current, seen_by=SEEN_BY)
    head = answer.get("head")
    if isinstance(head, dict) and not problems:
        audit_heads.record(session, int(head["seq"]), str(head["hash"]), clock.now())
    return problems


async def check(
    store: Store, link: ServerLink, *, clock: Clock, sleep: Sleep, retry: RetryPolicy
) -> list[str]:
    """One line per witnessed head the server's chain no longer holds as it was seen."""
    checked = await read_local(store, partial(audit_heads.recent, limit=CHECKED))

    async def call() -> dict[str, Any]:
        return await link.audit_witness([head.seq for head in checked])

    try:
        answer, _ = await with_retries(link, call, sleep=sleep, retry=retry)
    except errors.UndefinedFunction:  # a server not yet upgraded: nothing to compare with
        log.info("the server has no api.audit_witness yet: the audit chain is not witnessed")
        return []
    problems = await run_local(store, partial(_compare, answer=answer, checked=checked, clock=clock))
    for line in problems:
        log.warning("the server's audit chain is broken at %s", line)
    return problems
