"""Goodwill and compensation requests, offers with their impressions, and post-closure feedback."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from domain.vocabulary import Authorisation, GoodwillKind, GoodwillState
from storage.models.base import Base, enum_column, uuid_pk
from storage.types import UTCDateTime


class Goodwill(Base):
    __tablename__ = "goodwill"
    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="positive_amount"),
        # Four eyes, enforced by the table and not only by code.
        CheckConstraint("decided_by IS NULL OR decided_by <> requested_by", name="no_self_approval"),
        CheckConstraint(
            "second_decided_by IS NULL OR (second_decided_by <> requested_by "
            "AND second_decided_by <> decided_by)",
            name="second_approver_distinct",
        ),
        Index("ix_goodwill_state", "state", "requested_at"),
        Index("ix_goodwill_requester_month", "requested_by", "state", "requested_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("customers.id"), index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("cases.id"), index=True)
    kind: Mapped[GoodwillKind] = mapped_column(enum_column(GoodwillKind, "goodwill_kind"))
    amount_pence: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    reason_category: Mapped[str] = mapped_column(String(60))
    reason_text: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"), index=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[GoodwillState] = mapped_column(enum_column(GoodwillState, "goodwill_state"))
    authorisation: Mapped[Authorisation | None] = mapped_column(enum_column(Authorisation, "authorisation"))
    decided_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)
    second_decided_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    second_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Offer(Base):
    __tablename__ = "offers"

    id: Mapped[uuid.UUID] = uuid_pk()
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text)
    product: Mapped[str] = mapped_column(String(60))
    monthly_price_pence: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class OfferImpression(Base):
    """An offer actually shown to an advisor for a customer: the proof for the suppressor."""

    __tablename__ = "offer_impressions"
    __table_args__ = (
        Index("ix_offer_impressions_customer", "customer_id", "shown_at"),
        Index("ix_offer_impressions_shown", "shown_at", "customer_id", "advisor_id", "id"),  # the board
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("customers.id"))
    offer_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("offers.id"))
    advisor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    shown_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Feedback(Base):
    """Two separate questions after closure: how the fix was handled, and the fault happening at all."""

    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint("fix_score BETWEEN 1 AND 5", name="fix_score_range"),
        CheckConstraint("fault_score BETWEEN 1 AND 5", name="fault_score_range"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("cases.id"), index=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("customers.id"))
    fix_score: Mapped[int] = mapped_column(Integer)
    fault_score: Mapped[int] = mapped_column(Integer)
    customer_cause_text: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
