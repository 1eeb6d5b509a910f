"""Contact events: the one append-only timeline of everything that happened to a customer."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, enum_column, uuid_pk
from storage.types import UTCDateTime
from storage.vocabulary import Channel, Direction

# A customer contact: inbound, about a case, not a system event (the board's measures count these).
CUSTOMER_CONTACT = "case_id IS NOT NULL AND direction = 'inbound' AND channel <> 'system'"


class ContactEvent(Base):
    __tablename__ = "contact_events"
    __table_args__ = (
        # Newest-first history, and the same filtered by channel, walk these indexes only.
        Index("ix_contact_events_timeline", "customer_id", "occurred_at", "id"),
        Index("ix_contact_events_channel_timeline", "customer_id", "channel", "occurred_at", "id"),
        # The board's period scans of customer contacts (storage/queries/board.py), and nothing else.
        Index(
            "ix_contact_events_customer_contacts",
            "occurred_at",
            "case_id",
            "channel",
            "advisor_id",
            sqlite_where=text(CUSTOMER_CONTACT),
            postgresql_where=text(CUSTOMER_CONTACT),
        ),
        # ...and a case's customer contacts in time order (first contact, repeats), read from the index.
        Index(
            "ix_contact_events_case_contacts",
            "case_id",
            "occurred_at",
            "advisor_id",
            "channel",
            sqlite_where=text(CUSTOMER_CONTACT),
            postgresql_where=text(CUSTOMER_CONTACT),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("customers.id"))
    case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("cases.id"), index=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "channel"))
    direction: Mapped[Direction] = mapped_column(enum_column(Direction, "direction"))
    advisor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    subject: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
