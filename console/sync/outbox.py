"""Queueing a named mutation in the caller's unit of work, and the payloads of each kind: the fields,
names and types of its row in domain.mutation_kinds, which the server's api.apply_mutation reads."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

import domain.mutation_kinds as kinds
from console.ids import new_id
from domain.records import ContactEventRecord, HandoffRecord
from storage.queries import sync as queries

# The names services use through the outbox; the table is domain.mutation_kinds, and a
# new kind needs no line here (name it as mutation_kinds.THING_ACT).
KINDS = kinds.KINDS


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
    change and its mutation commit together, durably, or not at all. A kind not in the table, or a
    payload that does not match its row, raises (ValueError, PayloadError): a programming error.
    """
    kinds.check_payload(kind, payload)
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


def contact_add(event: ContactEventRecord) -> dict[str, Any]:
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
        "reason": event.reason_code,
        "duration_seconds": event.duration_seconds,
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


def promise_reassign(
    *, promise_id: uuid.UUID, version: int, to_user_id: uuid.UUID, note: str, event_id: uuid.UUID
) -> dict[str, Any]:
    return {
        "id": str(promise_id),
        "version": version,
        "to_user_id": str(to_user_id),
        "note": note,
        "event_id": str(event_id),
    }


def _plain(value: object) -> object:
    """A payload value: ids and enums as text, times ISO 8601 with their offset, dates ISO."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value


def case_open(
    *,
    case_id: uuid.UUID,
    customer_id: uuid.UUID,
    kind: str,
    title: str,
    severity: str,
    target_at: datetime | None,
    event_id: uuid.UUID,
    reported_text: str | None = None,
    next_step: str | None = None,
) -> dict[str, Any]:
    """No reference: the server numbers the case."""
    return {
        "id": str(case_id),
        "customer_id": str(customer_id),
        "kind": kind,
        "title": title,
        "severity": severity,
        "target_at": _time(target_at),
        "event_id": str(event_id),
        "reported_text": reported_text,
        "next_step": next_step,
    }


def case_transition(
    *, case_id: uuid.UUID, version: int, event_id: uuid.UUID, **fields: object
) -> dict[str, Any]:
    """A case transition at the version the advisor saw; `fields` are the act's own (root cause,
    confirmation, check_due_at, reason, note, letter, complaint_made_at, follow_up_id; case.update:
    next_step, done, customer_told)."""
    payload: dict[str, Any] = {"id": str(case_id), "version": version, "event_id": str(event_id)}
    payload.update({key: _plain(value) for key, value in fields.items()})
    return payload


def case_owner(
    *,
    case_id: uuid.UUID,
    from_owner_id: uuid.UUID | None,
    to_user_id: uuid.UUID,
    note: str,
    change_id: uuid.UUID,
    event_id: uuid.UUID,
) -> dict[str, Any]:
    return {
        "id": str(case_id),
        "from_owner_id": _id(from_owner_id),
        "to_user_id": str(to_user_id),
        "note": note,
        "change_id": str(change_id),
        "event_id": str(event_id),
    }


def case_feedback(
    *,
    feedback_id: uuid.UUID,
    case_id: uuid.UUID,
    fix_score: int,
    fault_score: int,
    cause_text: str,
    event_id: uuid.UUID,
) -> dict[str, Any]:
    return {
        "id": str(feedback_id),
        "case_id": str(case_id),
        "fix_score": fix_score,
        "fault_score": fault_score,
        "cause_text": cause_text,
        "event_id": str(event_id),
    }


def case_service_dates(
    *, case_id: uuid.UUID, version: int, values: dict[str, object], summary: str, event_id: uuid.UUID
) -> dict[str, Any]:
    """The nine service-date columns as recorded (storage.queries.service_dates.FIELDS)."""
    payload: dict[str, Any] = {"id": str(case_id), "version": version, "event_id": str(event_id)}
    payload.update({key: _plain(value) for key, value in values.items()})
    payload["summary"] = summary
    return payload


def handoff_create(handoff: HandoffRecord, event_id: uuid.UUID) -> dict[str, Any]:
    return {
        "id": str(handoff.id),
        "customer_id": str(handoff.customer_id),
        "case_id": _id(handoff.case_id),
        "kind": str(handoff.kind),
        "to_team": str(handoff.to_team),
        "summary": handoff.summary,
        "acknowledge_by": handoff.acknowledge_by.isoformat(),
        "done_by": _time(handoff.done_by),
        "event_id": str(event_id),
    }


def handoff_step(
    *, handoff_id: uuid.UUID, version: int, event_id: uuid.UUID, done_note: str | None = None
) -> dict[str, Any]:
    """handoff.acknowledge and handoff.complete (with what was done): the handoff at the version seen."""
    payload: dict[str, Any] = {"id": str(handoff_id), "version": version, "event_id": str(event_id)}
    if done_note is not None:
        payload["done_note"] = done_note
    return payload


def offer_impression(
    *, impression_id: uuid.UUID, customer_id: uuid.UUID, offer_id: uuid.UUID, shown_at: datetime
) -> dict[str, Any]:
    return {
        "id": str(impression_id),
        "customer_id": str(customer_id),
        "offer_id": str(offer_id),
        "shown_at": shown_at.isoformat(),
    }
