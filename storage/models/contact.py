"""Contact events: the one append-only timeline of everything that happened to a customer."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, Uuid
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


class CustomerContact(Base):
    """The customer contacts of the contact log, each marked whether it was a repeat: derived data,
    written only by the trigger on contact_events (migration 0011_customer_contacts, where the rule
    is), never by the application.

    A contact is a *repeat* when the case had another customer contact in the seven days before it
    (ties in time ordered by event id). Inserting a contact can only turn later ones into repeats,
    never back, so the trigger keeps every mark right whatever order the log's rows arrive in (a
    sync pulls other workstations' contacts late). The board reads its contact measures here: one
    range of this table, in time order, instead of a window over the log."""

    __tablename__ = "customer_contacts"
    __table_args__ = (
        # A case's customer contacts in time order: the trigger's look-ups, and first contacts.
        Index("ix_customer_contacts_case", "case_id", "occurred_at", "event_id", "advisor_id"),
        {"sqlite_with_rowid": False},
    )

    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    advisor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "channel"))
    is_repeat: Mapped[bool] = mapped_column(Boolean)
