"""Push: pending outbox entries to the server in client-sequence order, one api.apply_mutation call
(its own transaction) each, retried on transient faults with the same mutation id; each answer is
stored on its entry, and the server's record of the entity is written back to the local store."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import psycopg
from sqlalchemy.orm import Session

from console.sync.remote import PermanentRefusalError, ServerLink, first_line, is_transient
from storage import replica
from storage.queries import sync as queries
from storage.records import OutboxRecord
from storage.store import Store
from storage.vocabulary import MutationState

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
Progress = Callable[[int, int], None]

# The entity a kind changes, for answers that carry a record but no entity name (conflicts).
KIND_ENTITY = {"goodwill": "goodwill", "contact": "contact_event", "promise": "promise"}


class ServerUnreachableError(Exception):
    """Transient faults outlasted the retries, or the server refused the login: the work that
    remains stays pending for the next sync."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently one call is retried on a transient fault."""

    attempts: int = 5
    first_delay: float = 0.5
    factor: float = 2.0
    max_delay: float = 10.0

    def delays(self) -> Iterator[float]:
        delay = self.first_delay
        for _ in range(self.attempts - 1):
            yield delay
            delay = min(delay * self.factor, self.max_delay)


@dataclass
class PushReport:
    pushed: int = 0
    accepted: int = 0
    rejected: int = 0
    conflicts: int = 0
    skew_flagged: int = 0


async def run_local(store: Store, work: Callable[[Session], T]) -> T:
    """One unit of work on the local store, off the event loop's thread."""

    def unit() -> T:
        with store.write() as session:
            return work(session)

    return await asyncio.to_thread(unit)


async def with_retries(
    link: ServerLink, call: Callable[[], Awaitable[T]], *, sleep: Sleep, retry: RetryPolicy
) -> tuple[T, int]:
    """Run `call`, retrying transient faults on a fresh connection; (its answer, attempts used)."""
    delays = retry.delays()
    attempt = 0
    while True:
        attempt += 1
        try:
            return await call(), attempt
        except PermanentRefusalError:
            raise
        except Exception as exc:  # sorted into transient or not just below
            if not is_transient(exc):
                raise
            await link.drop()
            delay = next(delays, None)
            if delay is None:
                raise ServerUnreachableError(first_line(exc)) from exc
            await sleep(delay)


def outcome_of(entry: OutboxRecord, answer: dict[str, Any], attempts: int) -> queries.Outcome:
    state = MutationState(str(answer.get("state")))
    reason = answer.get("reason")
    return queries.Outcome(entry.mutation_id, state, str(reason) if reason else None, answer, attempts)


def _store(session: Session, entries: dict[uuid.UUID, OutboxRecord], outcomes: list[queries.Outcome]) -> None:
    """The answers, then the server's record of each entity (unless later mutations of it wait)."""
    queries.store_outcomes(session, outcomes)
    records: list[tuple[str, dict[str, Any]]] = []
    for outcome in outcomes:
        answer = outcome.result or {}
        record = answer.get("record")
        if not isinstance(record, dict):
            continue
        entity = answer.get("entity") or KIND_ENTITY.get(entries[outcome.mutation_id].kind.split(".")[0])
        if isinstance(entity, str):
            records.append((entity, record))
            follow_up = answer.get("follow_up")  # promise.complete's next attempt
            if isinstance(follow_up, dict):
                records.append((entity, follow_up))
    if records:
        # A record whose later mutations still wait is left for their answers to bring.
        named = {uuid.UUID(str(record["id"])) for _, record in records if record.get("id")}
        replica.apply_records(session, records, queries.pending_among(session, named))
    replica.drop_unmade_promises(session, _unmade_follow_ups(entries, outcomes))


def _unmade_follow_ups(
    entries: dict[uuid.UUID, OutboxRecord], outcomes: list[queries.Outcome]
) -> set[uuid.UUID]:
    """The follow-up promises of refused or conflicting `promise.complete` entries: never made on the
    server (it refuses before it makes one)."""
    unmade: set[uuid.UUID] = set()
    for outcome in outcomes:
        if outcome.state not in (MutationState.REJECTED, MutationState.CONFLICT):
            continue
        made = entries[outcome.mutation_id].payload.get("follow_up_id")
        if entries[outcome.mutation_id].kind == "promise.complete" and isinstance(made, str):
            unmade.add(uuid.UUID(made))
    return unmade


def _finish(
    session: Session,
    *,
    entries: dict[uuid.UUID, OutboxRecord],
    outcomes: list[queries.Outcome],
    failed: OutboxRecord | None,
    retry: RetryPolicy,
) -> None:
    if outcomes:
        _store(session, entries, outcomes)
    if failed is not None:
        queries.count_attempts(session, failed.mutation_id, retry.attempts)


async def push(
    store: Store,
    link: ServerLink,
    *,
    sleep: Sleep,
    retry: RetryPolicy,
    batch: int = 200,
    progress: Progress | None = None,
) -> PushReport:
    """Send every pending entry once. A rejection never stops the entries behind it; a transient
    fault that outlasts the retries raises ServerUnreachableError after storing the answers so far."""
    report = PushReport()
    total = await run_local(store, queries.waiting_count)
    after = 0
    while True:
        entries = await run_local(store, partial(queries.pending, limit=batch, after_seq=after))
        if not entries:
            return report
        by_id = {entry.mutation_id: entry for entry in entries}
        outcomes: list[queries.Outcome] = []
        failed: OutboxRecord | None = None
        try:
            for entry in entries:
                failed = entry
                outcomes.append(await _send(link, entry, sleep=sleep, retry=retry))
                failed = None
                after = entry.client_seq
                report.pushed += 1
                if progress is not None:
                    progress(report.pushed, max(total, report.pushed))
        finally:
            # Stored even when the push stops half way (an entry answered but not recorded here
            # is sent again next time, and the server returns the answer it stored).
            await run_local(
                store, partial(_finish, entries=by_id, outcomes=outcomes, failed=failed, retry=retry)
            )
        await _refresh_rejected(store, link, by_id, outcomes)
        for outcome in outcomes:
            if outcome.state is MutationState.ACCEPTED:
                report.accepted += 1
            elif outcome.state is MutationState.REJECTED:
                report.rejected += 1
            elif outcome.state is MutationState.CONFLICT:
                report.conflicts += 1
            if outcome.result and outcome.result.get("clock_skew_flagged"):
                report.skew_flagged += 1


async def _refresh_rejected(
    store: Store, link: ServerLink, entries: dict[uuid.UUID, OutboxRecord], outcomes: list[queries.Outcome]
) -> None:
    """A rejected change left the server's row as it was, and a pull may have passed that row by
    while the change waited: read it again, so the local guess does not stay (best effort)."""
    for outcome in outcomes:
        entry = entries[outcome.mutation_id]
        entity = KIND_ENTITY.get(entry.kind.split(".")[0])
        table = replica.table_for(entity) if entity else None
        if outcome.state is not MutationState.REJECTED or entry.entity_id is None or table is None:
            continue
        try:
            row = await link.current_row(table.name, entry.entity_id)
        except psycopg.Error:
            await link.drop()
            return
        if row is not None:
            await run_local(store, partial(_apply_current, entity=str(entity), row=row))


def _apply_current(session: Session, *, entity: str, row: dict[str, Any]) -> None:
    replica.apply_records(session, [(entity, row)], queries.pending_entity_ids(session))  # rare


async def _send(
    link: ServerLink, entry: OutboxRecord, *, sleep: Sleep, retry: RetryPolicy
) -> queries.Outcome:
    async def call() -> dict[str, Any]:
        return await link.apply_mutation(
            mutation_id=entry.mutation_id,
            client_id=entry.client_id,
            client_seq=entry.client_seq,
            kind=entry.kind,
            payload=entry.payload,
            occurred_at=entry.occurred_at,
        )

    try:
        answer, attempts = await with_retries(link, call, sleep=sleep, retry=retry)
    except PermanentRefusalError as exc:
        if str(exc).startswith("mutation "):  # this id is another user's: this entry only
            return queries.Outcome(entry.mutation_id, MutationState.REJECTED, str(exc), None, 1)
        raise ServerUnreachableError(str(exc)) from None
    except ServerUnreachableError:
        raise
    except psycopg.Error as exc:  # the server refused this call (bad value...): a reason, not a crash
        await link.drop()
        reason = f"the server refused this change: {first_line(exc)}"
        return queries.Outcome(entry.mutation_id, MutationState.REJECTED, reason, None, 1)
    return outcome_of(entry, answer, attempts)
