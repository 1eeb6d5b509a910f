"""The workstation's side of sync: its identity, the outbox of named mutations, and the pull cursor."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import String, Table, bindparam, delete, func, insert, select, text, type_coerce, update
from sqlalchemy.orm import Session

from domain import mutation_kinds
from domain.records import OutboxRecord
from domain.vocabulary import MutationState
from storage.models import OutboxEntry, Promise, SyncCursor, SyncIdentity

SERVER_CURSOR = "server"
_IDENTITY = cast(Table, SyncIdentity.__table__)
_OUTBOX = cast(Table, OutboxEntry.__table__)


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


class Sending(NamedTuple):
    """A pending entry as the push sends it: its stored values read raw (no UUID, time or JSON
    parsing), and its api.apply_mutations item as JSON text with the stored payload text inside.
    (A named tuple: made by the thousand, and a frozen dataclass costs a call per field.)"""

    key: Any  # the mutation id as the driver reads it, bound back as is when its answer is stored
    mutation_id: str  # as the server spells it in its answer (lower case, with hyphens)
    client_id: str
    client_seq: int
    kind: str
    entity_id: str | None
    payload: str  # JSON text, as queued (checked by mutation_kinds.check_payload then)
    occurred_at: str  # ISO 8601 with its offset
    wire: str

    def mutation_uuid(self) -> uuid.UUID:
        return uuid.UUID(self.mutation_id)


_SENDING_COLUMNS = tuple(
    type_coerce(column, String)  # the driver's own values: no SQLAlchemy result processing
    for column in (
        _OUTBOX.c.mutation_id,
        _OUTBOX.c.client_id,
        _OUTBOX.c.client_seq,
        _OUTBOX.c.kind,
        _OUTBOX.c.entity_id,
        _OUTBOX.c.payload,
        _OUTBOX.c.occurred_at,
    )
)
_WIRE = '{"mutation_id":"%s","client_id":"%s","client_seq":%d,"kind":%s,"payload":%s,"occurred_at":"%s"}'


_SendingRow = tuple[Any, Any, int, str, Any, Any, Any]


def _uuid_text(value: Any) -> str:
    """A stored UUID as text with hyphens: SQLite holds 32 hex digits, PostgreSQL's driver a UUID."""
    if isinstance(value, str) and len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(value)


def _time_text(value: Any) -> str:
    """A stored time as ISO 8601 with its offset: SQLite holds UTC without one."""
    if isinstance(value, datetime):
        return value.isoformat()
    return f"{value}+00:00"


def sending(session: Session, limit: int, after_seq: int = 0) -> list[Sending]:
    """The next pending entries in client sequence order, as the push sends them."""
    rows = session.connection().execute(
        select(*_SENDING_COLUMNS)
        .where(_OUTBOX.c.state == MutationState.PENDING, _OUTBOX.c.client_seq > after_seq)
        .order_by(_OUTBOX.c.client_seq)
        .limit(limit)
    )
    found: list[Sending] = []
    kinds: dict[str, str] = {}
    for key, client, seq, kind, entity_id, payload, occurred in cast(Iterable[_SendingRow], rows):
        mutation_id, client_id, at = _uuid_text(key), _uuid_text(client), _time_text(occurred)
        payload_text = payload if isinstance(payload, str) else json.dumps(payload)
        kind_json = kinds.get(kind) or kinds.setdefault(kind, json.dumps(kind))
        found.append(
            Sending(
                key=key,
                mutation_id=mutation_id,
                client_id=client_id,
                client_seq=seq,
                kind=kind,
                entity_id=_uuid_text(entity_id) if entity_id is not None else None,
                payload=payload_text,
                occurred_at=at,
                wire=_WIRE % (mutation_id, client_id, seq, kind_json, payload_text, at),
            )
        )
    return found


class StoredAnswer(NamedTuple):
    """The server's answer to a sent entry, as it is stored: the answer's JSON text kept as sent."""

    key: Any  # Sending.key
    state: MutationState
    reason: str | None
    result: str | None  # JSON text
    attempts: int


def store_answers(session: Session, answers: list[StoredAnswer]) -> None:
    """Record the server's answers on their entries (one executemany, no per-row type processing).
    A refused promise.complete takes its local follow-up with it (see drop_unmade_follow_ups)."""
    if not answers:
        return
    connection = session.connection()
    statement = _ANSWER_SQLITE if connection.dialect.name == "sqlite" else _ANSWER_POSTGRES
    rows = [
        {"key": a.key, "state": a.state.value, "reason": a.reason, "result": a.result, "attempts": a.attempts}
        for a in answers
    ]
    connection.execute(statement, rows)
    settled = (MutationState.REJECTED, MutationState.CONFLICT)
    refused = [uuid.UUID(_uuid_text(a.key)) for a in answers if a.state in settled]
    if refused:
        drop_unmade_follow_ups(session, refused)


_ANSWER_SQLITE = text(
    "UPDATE sync_outbox SET state = :state, reason = :reason, result = :result, "
    "attempts = attempts + :attempts WHERE mutation_id = :key"
)
_ANSWER_POSTGRES = text(
    "UPDATE sync_outbox SET state = :state, reason = :reason, result = CAST(:result AS json), "
    "attempts = attempts + :attempts WHERE mutation_id = CAST(:key AS uuid)"
)


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
