"""The contact event that records an act done in the console (a promise made, a handoff acknowledged),
and the same event queued for the server as a `contact.add` mutation."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from console.ids import new_id
from console.sync import outbox
from domain.records import UserRecord
from domain.vocabulary import Channel, Direction
from storage.models import ContactEvent


def console_event(
    actor_id: uuid.UUID,
    customer_id: uuid.UUID,
    case_id: uuid.UUID | None,
    now: datetime,
    subject: str,
    text: str,
) -> ContactEvent:
    return ContactEvent(
        id=new_id(),
        customer_id=customer_id,
        case_id=case_id,
        channel=Channel.SYSTEM,
        direction=Direction.INTERNAL,
        advisor_id=actor_id,
        occurred_at=now,
        recorded_at=now,
        subject=subject,
        summary=text.strip() or subject,
    )


def add_console_event(
    session: Session,
    actor: UserRecord,
    customer_id: uuid.UUID,
    case_id: uuid.UUID | None,
    now: datetime,
    subject: str,
    text: str,
) -> ContactEvent:
    """Add the event in `session` and queue it for the server (use inside `Store.durable_write()`).

    For acts the server does not know yet (promises, cases, handoffs), the timeline line still
    reaches the other workstations as an append-only fact.
    """
    event = console_event(actor.id, customer_id, case_id, now, subject, text)
    session.add(event)
    outbox.queue(
        session,
        kind=outbox.CONTACT_ADD,
        payload=outbox.contact_add(event),
        actor=actor.username,
        entity_id=event.id,
        occurred_at=now,
    )
    return event
