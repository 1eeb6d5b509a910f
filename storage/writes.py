"""One act written whole in the caller's unit of work: the row change, its line on the customer's
timeline, the named mutation queued for the server and the audit entry, all four or none."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar, overload

from sqlalchemy.orm import Session

from domain.records import ContactEventRecord
from storage import audit as audit_log
from storage.queries import events

T = TypeVar("T")
S = TypeVar("S")


@dataclass(frozen=True)
class Mutation:
    """The named mutation an act queues (its kinds and payloads: console/sync/outbox.py)."""

    kind: str
    payload: dict[str, Any]
    entity_id: uuid.UUID | None


@dataclass(frozen=True)
class AuditAction:
    """The audit entry an act appends to the hash-chained log (storage/audit.py)."""

    action: str
    entity: str
    entity_id: uuid.UUID | None
    detail: dict[str, Any]


class Queue(Protocol):
    """Appends a mutation to the outbox in the session's transaction: console.sync.outbox.queue."""

    def __call__(
        self,
        session: Session,
        *,
        kind: str,
        payload: dict[str, Any],
        actor: str,
        entity_id: uuid.UUID | None,
        occurred_at: datetime,
    ) -> uuid.UUID: ...


@overload
def write(
    session: Session,
    change: Callable[[Session], T],
    *,
    actor: str,
    at: datetime,
    queue: Queue,
    line: ContactEventRecord | Callable[[T], ContactEventRecord] | None = None,
    mutation: Mutation | Callable[[T], Mutation] | None = None,
    audit: AuditAction | Callable[[T], AuditAction] | None = None,
) -> T: ...


@overload
def write(
    session: Session,
    change: None = None,
    *,
    actor: str,
    at: datetime,
    queue: Queue,
    line: ContactEventRecord | None = None,
    mutation: Mutation | None = None,
    audit: AuditAction | None = None,
) -> None: ...


def write(
    session: Session,
    change: Callable[[Session], Any] | None = None,
    *,
    actor: str,
    at: datetime,
    queue: Queue,
    line: ContactEventRecord | Callable[[Any], ContactEventRecord] | None = None,
    mutation: Mutation | Callable[[Any], Mutation] | None = None,
    audit: AuditAction | Callable[[Any], AuditAction] | None = None,
) -> Any:
    """Run `change` (a repository write; it raises to refuse), add `line` to the timeline, queue
    `mutation` as `actor` at `at`, append `audit`, in that order, and return what `change` returned.

    Everything happens in `session`'s transaction (a `Store.durable_write()` when a mutation is
    queued): the caller commits. If any step raises, the whole unit of work is rolled back and the
    error goes on, so nothing of the act, nor of the action it belongs to, is saved.

        writes.write(
            session,
            lambda s: promises.add(s, ...),
            actor=user.username,
            at=now,
            queue=outbox.queue,
            line=event,
            mutation=writes.Mutation(mutation_kinds.PROMISE_CREATE, payload, promise_id),
        )
    """
    try:
        result = change(session) if change is not None else None
        made_line = _step(line, result)
        if made_line is not None:
            events.add(session, made_line)
        made_mutation = _step(mutation, result)
        if made_mutation is not None:
            queue(
                session,
                kind=made_mutation.kind,
                payload=made_mutation.payload,
                actor=actor,
                entity_id=made_mutation.entity_id,
                occurred_at=at,
            )
        made_audit = _step(audit, result)
        if made_audit is not None:
            audit_log.append(
                session,
                at=at,
                actor=actor,
                action=made_audit.action,
                entity=made_audit.entity,
                entity_id=made_audit.entity_id,
                detail=made_audit.detail,
            )
    except BaseException:
        session.rollback()
        raise
    return result


def _step(step: S | Callable[[Any], S] | None, result: object) -> S | None:
    """A step given as its value, or as a function of what the row change returned (an id it made,
    the customer of the case it changed)."""
    if callable(step):
        made: S = step(result)
        return made
    return step
