"""Contact events: adding one line to a customer's timeline (the timeline is append-only)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain.records import ContactEventRecord
from storage.models import ContactEvent


def add(session: Session, event: ContactEventRecord) -> ContactEventRecord:
    """Add `event` in the caller's unit of work, flushed so what follows can name it."""
    session.add(
        ContactEvent(
            id=event.id,
            customer_id=event.customer_id,
            case_id=event.case_id,
            channel=event.channel,
            direction=event.direction,
            advisor_id=event.advisor_id,
            occurred_at=event.occurred_at,
            recorded_at=event.recorded_at,
            subject=event.subject,
            summary=event.summary,
            reason_code=event.reason_code,
            duration_seconds=event.duration_seconds,
        )
    )
    session.flush()
    return event
