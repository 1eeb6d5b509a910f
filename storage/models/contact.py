"""Contact events: the one append-only timeline of everything that happened to a customer."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from domain.vocabulary import Channel, Direction
from storage.models.base import Base, enum_column, uuid_pk
from storage.types import UTCDateTime

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
    # Why the customer was in touch, a code of resources/contact_reasons.toml (wrap-up), and how
    # long the call took.
    reason_code: Mapped[str | None] = mapped_column(String(40))
    duration_seconds: Mapped[int | None] = mapped_column(Integer)


class WrapUpDraft(Base):
    """A wrap-up not saved yet, kept on the workstation from the first keystroke so that a closed or
    killed console offers it again; saving the wrap-up deletes it. Never synced."""

    __tablename__ = "wrapup_drafts"
    __table_args__ = (Index("ix_wrapup_drafts_user_customer", "user_id", "customer_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    number: Mapped[str | None] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason_code: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text)
    case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CustomerContact(Base):
    """The customer contacts of the contact log, each marked: derived data, written only by the
    trigger on contact_events (migration 0011_customer_contacts, where the rules are), never by the
    application.

    - `is_repeat`: the case had another customer contact in the 168 hours before it (ties in time
      ordered by event id);
    - `other_channel_nearby`: the case had a customer contact on another channel within 192 hours
      either side: every contact of a case contacted on two channels in one week has it.

    Inserting a contact can only turn marks on, never off, so the trigger keeps every mark right
    whatever order the log's rows arrive in (a sync pulls other workstations' contacts late)."""

    __tablename__ = "customer_contacts"
    __table_args__ = (
        # A case's customer contacts in time order: the triggers' look-ups, and first contacts.
        Index("ix_customer_contacts_case", "case_id", "occurred_at", "event_id", "advisor_id", "channel"),
        {"sqlite_with_rowid": False},
    )

    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    advisor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "channel"))
    is_repeat: Mapped[bool] = mapped_column(Boolean)
    other_channel_nearby: Mapped[bool] = mapped_column(Boolean)


# The advisor_id of the tallies of customer contacts that no advisor took.
NO_ADVISOR = uuid.UUID(int=0)


class AdvisorContactTally(Base):
    """Customer contacts and how many were repeats, per advisor (NO_ADVISOR: none) and bucket:
    derived data, kept by triggers on customer_contacts (migration 0011_customer_contacts).

    A bucket is a UTC day split at 23:00, [00:00, 23:00) and [23:00, 24:00), starting at
    `starts_at`: every UK midnight (00:00 UTC in winter, 23:00 UTC in summer) starts a bucket, so
    a period of whole UK days is a run of whole buckets."""

    __tablename__ = "advisor_contact_tallies"
    __table_args__ = ({"sqlite_with_rowid": False},)

    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    advisor_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    contacts: Mapped[int] = mapped_column(Integer)
    repeats: Mapped[int] = mapped_column(Integer)


class CaseContactCount(Base):
    """Per case: its first customer contact (time, event, advisor; ties in time ordered by event id)
    and how many customer contacts it has. Derived data, kept by a trigger on customer_contacts
    (migration 0011_customer_contacts): first-contact resolution reads one row per resolved case."""

    __tablename__ = "case_contact_counts"
    __table_args__ = ({"sqlite_with_rowid": False},)

    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_event_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    first_advisor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    contacts: Mapped[int] = mapped_column(Integer)
