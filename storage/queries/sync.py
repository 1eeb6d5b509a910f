"""The workstation's side of sync: its identity, the outbox of named mutations, and the pull cursor."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from domain import mutation_kinds
from domain.records import OutboxRecord
from domain.vocabulary import MutationState
from storage.models import OutboxEntry, Promise, SyncCursor, SyncIdentity

SERVER_CURSOR = "server"
_IDENTITY = cast(Table, SyncIdentity.__table__)
_OUTBOX = cast(Table, OutboxEntry.__table__)


@dataclass(frozen=True)
class Outcome:
    """The server's answer to one pushed mutation, to be stored on its outbox entry."""

    mutation_id: uuid.UUID
    state: MutationState
    reason: str | None
    result: dict[str, Any] | None
    attempts: int


def client_id(session: Session, now: datetime) -> uuid.UUID:
    """This workstation's client id, made on first use and kept in the store."""
    found = session.execute(
        select(SyncIdentity.client_id).order_by(SyncIdentity.created_at, SyncIdentity.client_id).limit(1)
    ).scalar()
    if found is not None:
        return found
    made = uuid.uuid4()
    session.execute(insert(SyncIdentity).values(client_id=made, last_seq=0, created_at=now))
    return made


def _next_seq(session: Session, now: datetime) -> tuple[uuid.UUID, int]:
    # UPDATE first: on SQLite it takes the write lock, so two writers never hand out one number.
    # Core statements on the session's connection: the ORM's bulk path costs more than the SQL.
    row = (
        session.connection()
        .execute(
            update(_IDENTITY)
            .values(last_seq=SyncIdentity.last_seq + 1)
            .returning(SyncIdentity.client_id, SyncIdentity.last_seq)
        )
        .first()
    )
    if row is not None:
        return row[0], row[1]
    made = client_id(session, now)
    session.execute(update(SyncIdentity).where(SyncIdentity.client_id == made).values(last_seq=1))
    return made, 1


def append(
    session: Session,
    *,
    mutation_id: uuid.UUID,
    kind: str,
    payload: dict[str, Any],
    actor: str,
    entity_id: uuid.UUID | None,
    occurred_at: datetime,
) -> int:
    """Queue a mutation in the caller's unit of work; returns its client sequence number."""
    client, seq = _next_seq(session, occurred_at)
    session.connection().execute(
        insert(_OUTBOX).values(
            mutation_id=mutation_id,
            client_id=client,
            client_seq=seq,
            kind=kind,
            entity_id=entity_id,
            payload=payload,
            actor=actor,
            occurred_at=occurred_at,
            state=MutationState.PENDING,
            attempts=0,
            result=None,
            reason=None,
        )
    )
    return seq


def _record(row: OutboxEntry) -> OutboxRecord:
    return OutboxRecord(
        mutation_id=row.mutation_id,
        client_id=row.client_id,
        client_seq=row.client_seq,
        kind=row.kind,
        entity_id=row.entity_id,
        payload=row.payload,
        actor=row.actor,
        occurred_at=row.occurred_at,
        state=row.state,
        attempts=row.attempts,
        reason=row.reason,
    )


_RECORD_COLUMNS = (
    _OUTBOX.c.mutation_id,
    _OUTBOX.c.client_id,
    _OUTBOX.c.client_seq,
    _OUTBOX.c.kind,
    _OUTBOX.c.entity_id,
    _OUTBOX.c.payload,
    _OUTBOX.c.actor,
    _OUTBOX.c.occurred_at,
    _OUTBOX.c.state,
    _OUTBOX.c.attempts,
    _OUTBOX.c.reason,
)


def pending(session: Session, limit: int, after_seq: int = 0) -> list[OutboxRecord]:
    """The next pending entries in client sequence order (Core rows: a push reads thousands)."""
    rows = session.connection().execute(
        select(*_RECORD_COLUMNS)
        .where(_OUTBOX.c.state == MutationState.PENDING, _OUTBOX.c.client_seq > after_seq)
        .order_by(_OUTBOX.c.client_seq)
        .limit(limit)
    )
    return [OutboxRecord(*row) for row in rows]


def entries(session: Session) -> list[OutboxRecord]:
    """Every entry, answered or not, in client sequence order."""
    return [_record(row) for row in session.scalars(select(OutboxEntry).order_by(OutboxEntry.client_seq))]


def waiting_count(session: Session) -> int:
    return int(
        session.execute(
            select(func.count()).select_from(OutboxEntry).where(OutboxEntry.state == MutationState.PENDING)
        ).scalar_one()
    )


def first_pending_seq(session: Session) -> int | None:
    """The client sequence number of the oldest mutation not yet answered (None: none waits)."""
    found = session.execute(
        select(func.min(OutboxEntry.client_seq)).where(OutboxEntry.state == MutationState.PENDING)
    ).scalar()
    return int(found) if found is not None else None


def answered_from(session: Session, first_seq: int) -> dict[MutationState, int]:
    """How many mutations from `first_seq` on have an answer, by state. The push answers the
    waiting entries in order, so with `first_seq` taken before a push these are its answers."""
    rows = session.execute(
        select(OutboxEntry.state, func.count())
        .where(OutboxEntry.client_seq >= first_seq, OutboxEntry.state != MutationState.PENDING)
        .group_by(OutboxEntry.state)
    )
    return {MutationState(state): int(count) for state, count in rows}


def entry(session: Session, mutation_id: uuid.UUID) -> OutboxRecord | None:
    row = session.get(OutboxEntry, mutation_id)
    return _record(row) if row is not None else None


def settled_problems(session: Session, limit: int = 200) -> list[OutboxRecord]:
    """Rejected and conflicting mutations, newest first: what their authors must be shown."""
    rows = session.scalars(
        select(OutboxEntry)
        .where(OutboxEntry.state.in_((MutationState.REJECTED, MutationState.CONFLICT)))
        .order_by(OutboxEntry.client_seq.desc())
        .limit(limit)
    )
    return [_record(row) for row in rows]


def store_outcomes(session: Session, outcomes: Iterable[Outcome]) -> None:
    """Record the server's answers on their entries: one executemany for a whole batch. A refused
    promise.complete takes its local follow-up with it (see drop_unmade_follow_ups)."""
    outcomes = list(outcomes)
    rows = [
        {
            "b_id": outcome.mutation_id,
            "b_state": outcome.state,
            "b_reason": outcome.reason,
            "b_result": outcome.result,
            "b_attempts": outcome.attempts,
        }
        for outcome in outcomes
    ]
    if rows:
        session.connection().execute(_ANSWER, rows)
    refused = [o.mutation_id for o in outcomes if o.state in (MutationState.REJECTED, MutationState.CONFLICT)]
    if refused:
        drop_unmade_follow_ups(session, refused)


def drop_unmade_follow_ups(session: Session, mutation_ids: list[uuid.UUID]) -> None:
    """A refused (rejected or conflicting) promise.complete made nothing on the server, so the
    follow-up promise it made here exists only here: without this it would stay open in the
    worklist for ever, and ending it would be refused ("no such promise"). The promise it followed
    gets the server's record from the answer (or from the server's row, for a rejection)."""
    payloads = session.execute(
        select(OutboxEntry.payload).where(
            OutboxEntry.mutation_id.in_(mutation_ids), OutboxEntry.kind == mutation_kinds.PROMISE_COMPLETE
        )
    ).scalars()
    made = [uuid.UUID(payload["follow_up_id"]) for payload in payloads if _made_id(payload, "follow_up_id")]
    if not made:
        return
    session.execute(update(Promise).where(Promise.follow_up_id.in_(made)).values(follow_up_id=None))
    session.execute(delete(Promise).where(Promise.id.in_(made)))


def _made_id(payload: object, key: str) -> bool:
    return isinstance(payload, dict) and isinstance(payload.get(key), str)


def count_attempts(session: Session, mutation_ids: Iterable[uuid.UUID], attempts: int) -> None:
    """A push that failed on a transient fault: the entries stay pending, their attempts counted."""
    rows = [{"b_id": mutation_id, "b_attempts": attempts} for mutation_id in mutation_ids]
    if rows:
        session.connection().execute(_COUNT, rows)


_ANSWER = (
    update(_OUTBOX)
    .where(_OUTBOX.c.mutation_id == bindparam("b_id"))
    .values(
        state=bindparam("b_state"),
        reason=bindparam("b_reason"),
        result=bindparam("b_result"),
        attempts=_OUTBOX.c.attempts + bindparam("b_attempts"),
    )
)
_COUNT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.mutation_id == bindparam("b_id"))
    .values(attempts=_OUTBOX.c.attempts + bindparam("b_attempts"))
)


# Payload keys naming further records a mutation makes: its timeline event, a follow-up promise,
# a case's owner change.
MADE_ID_KEYS = ("event_id", "follow_up_id", "change_id")


def pending_entity_ids(session: Session) -> set[uuid.UUID]:
    """Records a pull must not overwrite: the entities of pending mutations and the further
    records they make (`event_id`, `follow_up_id` in the payload)."""
    found: set[uuid.UUID] = set()
    rows = session.execute(
        select(OutboxEntry.entity_id, OutboxEntry.payload).where(OutboxEntry.state == MutationState.PENDING)
    )
    for entity_id, payload in rows:
        if entity_id is not None:
            found.add(entity_id)
        if not isinstance(payload, dict):
            continue
        for key in MADE_ID_KEYS:
            made = payload.get(key)
            if isinstance(made, str):
                found.add(uuid.UUID(made))
    return found


def pending_among(session: Session, ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """Which of `ids` are the entity of a pending mutation (an index lookup, not a scan: the push
    asks this after every batch of answers)."""
    found: set[uuid.UUID] = set()
    ordered = list(ids)
    for start in range(0, len(ordered), 500):
        found.update(
            session.scalars(
                select(OutboxEntry.entity_id).where(
                    OutboxEntry.state == MutationState.PENDING,
                    OutboxEntry.entity_id.in_(ordered[start : start + 500]),
                )
            )
        )
    return {found_id for found_id in found if found_id is not None}


def cursor(session: Session, name: str = SERVER_CURSOR) -> int:
    value = session.execute(select(SyncCursor.last_seq).where(SyncCursor.name == name)).scalar()
    return int(value) if value is not None else 0


def set_cursor(session: Session, last_seq: int, now: datetime, name: str = SERVER_CURSOR) -> None:
    moved = session.execute(
        update(SyncCursor).where(SyncCursor.name == name).values(last_seq=last_seq, updated_at=now)
    )
    if not moved.rowcount:  # type: ignore[attr-defined]
        session.execute(insert(SyncCursor).values(name=name, last_seq=last_seq, updated_at=now))


def sync_point(session: Session, now: datetime) -> tuple[uuid.UUID, int] | None:
    """(client id, last client_seq handed out) while nothing waits in the outbox, else None: what a
    workstation tells the server it has pushed, so later times from it may go back to this sync."""
    if waiting_count(session):
        return None
    made = client_id(session, now)
    last = session.execute(select(SyncIdentity.last_seq).where(SyncIdentity.client_id == made)).scalar_one()
    return made, int(last)
