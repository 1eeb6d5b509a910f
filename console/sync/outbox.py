"""Queueing a named mutation in the caller's unit of work, and the payloads of each kind: the same
fields, names and types the server's api.apply_mutation reads (docs/sync.md)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from console.ids import new_id
from storage.models import ContactEvent
from storage.queries import sync as queries

GOODWILL_REQUEST = "goodwill.request"
GOODWILL_APPROVE = "goodwill.approve"
GOODWILL_REJECT = "goodwill.reject"
CONTACT_ADD = "contact.add"
PROMISE_CREATE = "promise.create"
PROMISE_COMPLETE = "promise.complete"
KINDS = (GOODWILL_REQUEST, GOODWILL_APPROVE, GOODWILL_REJECT, CONTACT_ADD, PROMISE_CREATE, PROMISE_COMPLETE)


def queue(
    session: Session,
    *,
    kind: str,
    payload: dict[str, Any],
    actor: str,
    entity_id: uuid.UUID | None,
    occurred_at: datetime,
) -> uuid.UUID:
    """Append the mutation to the outbox in `session`'s transaction; returns its mutation id.

    Call it inside `Store.durable_write()`, in the same unit of work as the local change, so the
    change and its mutation commit together, durably, or not at all.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown mutation kind {kind!r}")
    mutation_id = new_id()
    queries.append(
        session,
        mutation_id=mutation_id,
        kind=kind,
        payload=payload,
        actor=actor,
        entity_id=entity_id,
        occurred_at=occurred_at,
    )
    return mutation_id


def _id(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def goodwill_request(
    *,
    goodwill_id: uuid.UUID,
    customer_id: uuid.UUID,
    case_id: uuid.UUID | None,
    kind: str,
    amount_pence: int,
    reason_category: str,
    reason_text: str,
    event_id: uuid.UUID,
) -> dict[str, Any]:
    """The server decides the state from its own limits: the payload carries none."""
    return {
        "id": str(goodwill_id),
        "customer_id": str(customer_id),
        "case_id": _id(case_id),
        "kind": kind,
        "amount_pence": amount_pence,
        "reason_category": reason_category,
        "reason_text": reason_text,
        "event_id": str(event_id),
    }


def goodwill_approve(
    *, goodwill_id: uuid.UUID, version: int, note: str, event_id: uuid.UUID
) -> dict[str, Any]:
    return {"id": str(goodwill_id), "version": version, "note": note, "event_id": str(event_id)}


def goodwill_reject(
    *, goodwill_id: uuid.UUID, version: int, reason: str, event_id: uuid.UUID
) -> dict[str, Any]:
    return {"id": str(goodwill_id), "version": version, "reason": reason, "event_id": str(event_id)}


def contact_add(event: ContactEvent) -> dict[str, Any]:
    return {
        "id": str(event.id),
        "customer_id": str(event.customer_id),
        "case_id": _id(event.case_id),
        "channel": str(event.channel),
        "direction": str(event.direction),
        "occurred_at": event.occurred_at.isoformat(),
        "recorded_at": event.recorded_at.isoformat(),
        "subject": event.subject,
        "summary": event.summary,
    }


def promise_create(
    *,
    promise_id: uuid.UUID,
    customer_id: uuid.UUID,
    case_id: uuid.UUID | None,
    kind: str,
    due_at: datetime,
    window_end_at: datetime | None,
    phone_e164: str | None,
    note: str | None,
    event_id: uuid.UUID,
) -> dict[str, Any]:
    return {
        "id": str(promise_id),
        "customer_id": str(customer_id),
        "case_id": _id(case_id),
        "kind": kind,
        "due_at": due_at.isoformat(),
        "window_end_at": _time(window_end_at),
        "phone_e164": phone_e164,
        "note": note,
        "event_id": str(event_id),
    }


def promise_complete(
    *,
    promise_id: uuid.UUID,
    version: int,
    status: str,
    outcome: str,
    next_attempt_at: datetime | None,
    customer_told: bool | None,
    follow_up_id: uuid.UUID | None,
    event_id: uuid.UUID,
) -> dict[str, Any]:
    return {
        "id": str(promise_id),
        "version": version,
        "status": status,
        "outcome": outcome,
        "next_attempt_at": _time(next_attempt_at),
        "customer_told": customer_told,
        "follow_up_id": _id(follow_up_id),
        "event_id": str(event_id),
    }
