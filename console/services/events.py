"""The contact event that records an act done in the console (a promise made, a handoff acknowledged),
and the same event queued for the server as a `contact.add` mutation."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from console.ids import new_id
from console.sync import outbox
from domain import mutation_kinds
from domain.records import ContactEventRecord, UserRecord
from domain.vocabulary import Channel, Direction
from storage import writes


def console_event(
    actor_id: uuid.UUID,
    customer_id: uuid.UUID,
    case_id: uuid.UUID | None,
    now: datetime,
    subject: str,
    text: str,
    *,
    event_id: uuid.UUID | None = None,
) -> ContactEventRecord:
    """The act's line on the customer's timeline: a system event, the text or else the subject.
    `event_id` when its mutation must name it before the line is made."""
    return ContactEventRecord(
        id=event_id or new_id(),
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


def contact_mutation(event: ContactEventRecord) -> writes.Mutation:
    """`event` queued on its own, as an append-only fact the other workstations receive."""
    return writes.Mutation(mutation_kinds.CONTACT_ADD, outbox.contact_add(event), event.id)


def add_console_event(
    session: Session,
    actor: UserRecord,
    customer_id: uuid.UUID,
    case_id: uuid.UUID | None,
    now: datetime,
    subject: str,
    text: str,
) -> ContactEventRecord:
    """Add the event in `session` and queue it for the server (use inside `Store.durable_write()`).

    For acts the server does not know yet (promises, cases, handoffs), the timeline line still
    reaches the other workstations as an append-only fact.
    """
    event = console_event(actor.id, customer_id, case_id, now, subject, text)
    writes.write(
        session,
        actor=actor.username,
        at=now,
        queue=outbox.queue,
        line=event,
        mutation=contact_mutation(event),
    )
    return event
