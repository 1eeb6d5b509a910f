"""Push: pending outbox entries to the server in client-sequence order, a page of them in one
api.apply_mutations call (one commit on the server, each mutation under its own savepoint), retried
on transient faults with the same mutation ids; the answers are stored on their entries, and the
server's records written back to the local store, in one local transaction per page."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, NamedTuple, TypeVar

import psycopg
from psycopg import errors
from sqlalchemy.orm import Session

from console.sync.remote import Answer, PermanentRefusalError, ServerLink, first_line, is_transient
from domain.mutation_kinds import entity_of
from domain.vocabulary import MutationState
from storage import replica
from storage.queries import sync as queries
from storage.store import Store

T = TypeVar("T")
log = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[None]]
Progress = Callable[[int, int], None]

# Mutations sent in one api.apply_mutations call (the server takes at most 1,000).
BATCH = 500


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


async def read_local(store: Store, work: Callable[[Session], T]) -> T:
    """A unit of work that only reads the local store, off the event loop's thread: it takes no
    write lock, so it neither waits for the window's saves nor holds them up."""

    def unit() -> T:
        with store.read() as session:
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


class _Answered(NamedTuple):
    """A sent entry and the server's answer: as stored, and (when one came) as the server split it."""

    entry: queries.Sending
    stored: queries.StoredAnswer
    answer: Answer | None


_STATES = {state.value: state for state in MutationState}


def _answered(entry: queries.Sending, answer: Answer, attempts: int) -> _Answered:
    state = _STATES.get(str(answer.state)) or MutationState(str(answer.state))
    stored = queries.StoredAnswer(entry.key, state, answer.reason or None, answer.text, attempts)
    return _Answered(entry, stored, answer)


def _refused(entry: queries.Sending, reason: str) -> _Answered:
    return _Answered(entry, queries.StoredAnswer(entry.key, MutationState.REJECTED, reason, None, 1), None)


def answer_of(result: dict[str, Any]) -> Answer:
    """An answer from api.apply_mutation (one call, parsed) in the shape a page's answers come in."""
    record = result.get("record")
    entity, reason = result.get("entity"), result.get("reason")
    record_id = (str(record.get("id") or "")) if isinstance(record, dict) else None
    return Answer(
        mutation_id=str(result.get("mutation_id")),
        state=str(result.get("state")),
        reason=str(reason) if reason else None,
        text=json.dumps(result),
        entity=entity if isinstance(entity, str) else None,
        record_id=record_id,
        follow_up=isinstance(result.get("follow_up"), dict),
        skew_flagged=bool(result.get("clock_skew_flagged")),
    )


def _store(session: Session, answered: list[_Answered]) -> None:
    """The answers, then the server's record of each entity (unless later mutations of it wait).
    A contact the workstation holds already (its own, just pushed) is not parsed at all."""
    queries.store_answers(session, [item.stored for item in answered])
    with_record = [
        (item, answer.entity or entity_of(item.entry.kind))
        for item in answered
        if (answer := item.answer) is not None and answer.record_id is not None
    ]
    facts: dict[str, list[str]] = {}
    for item, entity in with_record:
        assert item.answer is not None and item.answer.record_id is not None
        if entity in replica.APPEND_ONLY and not item.answer.follow_up:
            facts.setdefault(entity, []).append(item.answer.record_id)
    held = {found for entity, ids in facts.items() for found in replica.held_ids(session, entity, ids)}
    records: list[tuple[str, dict[str, Any]]] = []
    for item, entity in with_record:
        assert item.answer is not None
        if not isinstance(entity, str) or item.answer.record_id in held:
            continue
        data = json.loads(item.answer.text)
        record, follow_up = data.get("record"), data.get("follow_up")
        if isinstance(record, dict):
            records.append((entity, record))
            if isinstance(follow_up, dict):  # promise.complete's next attempt
                records.append((entity, follow_up))
    if records:
        # A record whose later mutations still wait is left for their answers to bring.
        named = {uuid.UUID(str(record["id"])) for _, record in records if record.get("id")}
        replica.apply_records(session, records, queries.pending_among(session, named), facts_held=True)


@dataclass
class _Page:
    """One call's worth of entries and what the server answered (so far)."""

    entries: list[queries.Sending]
    outcomes: list[_Answered] = field(default_factory=list)
    failed: list[queries.Sending] = field(default_factory=list)  # the call that failed, if one did


def _finish(session: Session, *, page: _Page, retry: RetryPolicy) -> None:
    """A page's answers and the server's records, in the caller's (one) local transaction."""
    if page.outcomes:
        _store(session, page.outcomes)
    if page.failed:
        queries.count_attempts(session, [entry.mutation_uuid() for entry in page.failed], retry.attempts)


def _finish_and_read(
    session: Session, *, page: _Page | None, retry: RetryPolicy, after_seq: int, limit: int
) -> list[queries.Sending]:
    """The answers of one page stored and the entries of the next read, in one local transaction."""
    if page is not None:
        _finish(session, page=page, retry=retry)
    return queries.sending(session, limit=limit, after_seq=after_seq)


async def push(
    store: Store,
    link: ServerLink,
    *,
    sleep: Sleep,
    retry: RetryPolicy,
    batch: int = BATCH,
    progress: Progress | None = None,
) -> PushReport:
    """Send every pending entry once, `batch` to a call. A rejection never stops the entries behind
    it; a transient fault that outlasts the retries raises ServerUnreachableError after storing the
    answers so far.

    While the server applies one page, the answers of the page before are stored and the next page
    read (one local transaction): the local work hides behind the call. A page's answers are
    stored before its rejected rows are read back from the server."""
    report = PushReport()
    total = await run_local(store, queries.waiting_count)
    entries = await run_local(store, partial(queries.sending, limit=batch, after_seq=0))
    answered: _Page | None = None  # sent and answered, its answers not stored yet
    while entries:
        page = _Page(entries)
        sending = asyncio.ensure_future(
            _send_page(link, entries, page.outcomes, page.failed, sleep=sleep, retry=retry)
        )
        try:
            local = partial(
                _finish_and_read, page=answered, retry=retry, after_seq=entries[-1].client_seq, limit=batch
            )
            upcoming = await run_local(store, local)
            await sending
        except BaseException:
            # Stored even when the push stops half way (an entry answered but not recorded here is
            # sent again next time, and the server returns the answer it stored).
            if not sending.done():
                sending.cancel()
            with contextlib.suppress(BaseException):
                await sending
            await run_local(store, partial(_finish, page=page, retry=retry))
            raise
        if answered is not None:
            await _refresh_rejected(store, link, answered)
        _count(report, page.outcomes)
        if progress is not None:
            progress(report.pushed, max(total, report.pushed))
        answered, entries = page, upcoming
    if answered is not None:
        await run_local(store, partial(_finish, page=answered, retry=retry))
        await _refresh_rejected(store, link, answered)
    return report


def _count(report: PushReport, outcomes: list[_Answered]) -> None:
    report.pushed += len(outcomes)
    for item in outcomes:
        state = item.stored.state
        if state is MutationState.ACCEPTED:
            report.accepted += 1
        elif state is MutationState.REJECTED:
            report.rejected += 1
        elif state is MutationState.CONFLICT:
            report.conflicts += 1
        if item.answer is not None and item.answer.skew_flagged:
            report.skew_flagged += 1


async def _send_page(
    link: ServerLink,
    entries: list[queries.Sending],
    outcomes: list[_Answered],
    failed: list[queries.Sending],
    *,
    sleep: Sleep,
    retry: RetryPolicy,
) -> None:
    """Answer every entry into `outcomes`, in order: the page in one call, or one call each from a
    server without api.apply_mutations (or when the batch call itself is refused). On a fault
    that outlasts the retries, `failed` holds the entries of the call that failed."""
    if link.batches:
        failed[:] = entries
        try:
            outcomes.extend(await _send_batch(link, entries, sleep=sleep, retry=retry))
            failed.clear()
            return
        except errors.UndefinedFunction:
            log.info("the server has no api.apply_mutations: pushing one mutation a call")
            link.batches = False
        except (psycopg.Error, TypeError, ValueError) as exc:  # refused as a whole: find which, one a call
            log.warning(
                "a batch of %d mutations was refused (%s): sending them one a call",
                len(entries),
                first_line(exc),
            )
        failed.clear()
        await link.drop()
    for entry in entries:
        failed[:] = [entry]
        outcomes.append(await _send(link, entry, sleep=sleep, retry=retry))
        failed.clear()


def page_text(entries: list[queries.Sending]) -> str:
    """The entries as api.apply_mutations reads them: a JSON array of apply_mutation's arguments,
    written from the stored text (the payloads are neither parsed nor written again)."""
    return "[" + ",".join(entry.wire for entry in entries) + "]"


async def _send_batch(
    link: ServerLink, entries: list[queries.Sending], *, sleep: Sleep, retry: RetryPolicy
) -> list[_Answered]:
    page = page_text(entries)

    async def call() -> list[Answer]:
        return await link.apply_page(page)

    try:
        answers, attempts = await with_retries(link, call, sleep=sleep, retry=retry)
    except PermanentRefusalError as exc:  # the login itself: stop, the person must sign in again
        raise ServerUnreachableError(str(exc)) from None
    if [answer.mutation_id for answer in answers] != [entry.mutation_id for entry in entries]:
        raise ValueError(f"the server answered {len(answers)} of {len(entries)} mutations out of order")
    return [_answered(entry, answer, attempts) for entry, answer in zip(entries, answers, strict=True)]


async def _refresh_rejected(store: Store, link: ServerLink, page: _Page) -> None:
    """A rejected change left the server's row as it was, and a pull may have passed that row by
    while the change waited: read it again, so the local guess does not stay (best effort)."""
    for item in page.outcomes:
        entry = item.entry
        entity = entity_of(entry.kind)
        table = replica.table_for(entity) if entity else None
        if item.stored.state is not MutationState.REJECTED or entry.entity_id is None or table is None:
            continue
        try:
            row = await link.current_row(table.name, uuid.UUID(entry.entity_id))
        except psycopg.Error:
            await link.drop()
            return
        if row is not None:
            await run_local(store, partial(_apply_current, entity=str(entity), row=row))


def _apply_current(session: Session, *, entity: str, row: dict[str, Any]) -> None:
    replica.apply_records(session, [(entity, row)], queries.pending_entity_ids(session))  # rare


async def _send(link: ServerLink, entry: queries.Sending, *, sleep: Sleep, retry: RetryPolicy) -> _Answered:
    async def call() -> dict[str, Any]:
        return await link.apply_mutation(
            mutation_id=entry.mutation_uuid(),
            client_id=uuid.UUID(entry.client_id),
            client_seq=entry.client_seq,
            kind=entry.kind,
            payload=json.loads(entry.payload),
            occurred_at=datetime.fromisoformat(entry.occurred_at),
        )

    try:
        answer, attempts = await with_retries(link, call, sleep=sleep, retry=retry)
    except PermanentRefusalError as exc:
        if str(exc).startswith("mutation "):  # this id is another user's: this entry only
            return _refused(entry, str(exc))
        raise ServerUnreachableError(str(exc)) from None
    except ServerUnreachableError:
        raise
    except psycopg.Error as exc:  # the server refused this call (bad value...): a reason, not a crash
        await link.drop()
        return _refused(entry, f"the server refused this change: {first_line(exc)}")
    return _answered(entry, answer_of(answer), attempts)
