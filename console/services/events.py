"""The contact event that records an act done in the console (a promise made, a handoff acknowledged)."""

from __future__ import annotations

import uuid
from datetime import datetime

from console.ids import new_id
from storage.models import ContactEvent
from storage.vocabulary import Channel, Direction


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
