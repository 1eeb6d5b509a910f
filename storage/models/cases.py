"""Cases (problems) with owners and root causes, promises with due times, and handoffs between teams."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.vocabulary import (
    CaseKind,
    CaseStatus,
    Confirmation,
    HandoffKind,
    HandoffStatus,
    PromiseKind,
    PromiseStatus,
    Severity,
    Team,
)
from storage.models.base import Base, enum_column, uuid_pk
from storage.types import UTCDateTime


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # Also covers the board's "a case of this customer was open at that moment".
        Index("ix_cases_customer_status", "customer_id", "status", "opened_at", "resolved_at", "closed_at"),
        # The supervisor board's period reads (covering: the rows are never visited).
        Index("ix_cases_closed", "closed_at", "status", "root_cause_category", "id"),
        Index("ix_cases_resolved", "resolved_at", "id"),
        Index("ix_cases_formal_opened", "formal_complaint", "opened_at"),
        Index("ix_cases_reopened_updated", "reopened_count", "updated_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("customers.id"))
    kind: Mapped[CaseKind] = mapped_column(enum_column(CaseKind, "case_kind"))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus, "case_status"))
    severity: Mapped[Severity] = mapped_column(enum_column(Severity, "severity"))
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    target_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_step: Mapped[str | None] = mapped_column(Text)
    # What the customer reported, in their words, when the case was opened.
    reported_text: Mapped[str | None] = mapped_column(Text)
    root_cause_category: Mapped[str | None] = mapped_column(String(60))
    root_cause_text: Mapped[str | None] = mapped_column(Text)
    confirmation: Mapped[Confirmation] = mapped_column(
        enum_column(Confirmation, "confirmation"), default=Confirmation.PENDING
    )
    confirmation_attempts: Mapped[int] = mapped_column(Integer, default=0)
    customer_caused_delay: Mapped[str | None] = mapped_column(Text)
    # The facts the automatic compensation scheme needs (console.compensation).
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    restored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    promised_start_on: Mapped[date | None] = mapped_column(Date)
    started_on: Mapped[date | None] = mapped_column(Date)
    appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appointment_missed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    cancellation_notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    customer_delay_days: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    formal_complaint: Mapped[bool] = mapped_column(Boolean, default=False)
    complaint_deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the customer made the formal complaint (the 8-week clock starts there), when the company
    # declared deadlock, and when the ombudsman (ADR) letter was sent.
    complaint_made_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadlock_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    adr_letter_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)


class CaseOwnerChange(Base):
    """Taking over or handing over a case: an explicit act with a note."""

    __tablename__ = "case_owner_changes"

    id: Mapped[uuid.UUID] = uuid_pk()
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("cases.id"), index=True)
    from_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    to_user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Promise(Base):
    __tablename__ = "promises"
    __table_args__ = (
        Index("ix_promises_owner_open", "owner_id", "status", "due_at"),
        Index("ix_promises_customer", "customer_id", "status", "due_at"),
        Index("ix_promises_status_due", "status", "due_at"),  # the board: open and due before a time
        Index("ix_promises_due_at", "due_at"),  # the board: deadlines in a period (with window ends)
        # The board: deadlines in a period, covering what kept-on-time and the owner need.
        Index(
            "ix_promises_deadline",
            "window_end_at",
            "due_at",
            "owner_id",
            "status",
            "closed_at",
            "customer_told",
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("customers.id"))
    case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("cases.id"), index=True)
    kind: Mapped[PromiseKind] = mapped_column(enum_column(PromiseKind, "promise_kind"))
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    phone_e164: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[PromiseStatus] = mapped_column(enum_column(PromiseStatus, "promise_status"))
    outcome: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    customer_told: Mapped[bool | None] = mapped_column(Boolean)
    follow_up_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("promises.id"))
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Handoff(Base):
    __tablename__ = "handoffs"
    __table_args__ = (
        Index("ix_handoffs_status_ack", "status", "acknowledge_by"),
        # The board: handoffs by acknowledge-by deadline, and acknowledged in a period (covering).
        Index("ix_handoffs_acknowledge_by", "acknowledge_by", "status", "acknowledged_at"),
        Index("ix_handoffs_acknowledged", "acknowledged_at", "acknowledged_by", "created_at"),
        CheckConstraint("from_team <> to_team", name="different_teams"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("customers.id"), index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("cases.id"), index=True)
    kind: Mapped[HandoffKind] = mapped_column(enum_column(HandoffKind, "handoff_kind"))
    summary: Mapped[str] = mapped_column(Text)
    from_team: Mapped[Team] = mapped_column(enum_column(Team, "from_team"))
    to_team: Mapped[Team] = mapped_column(enum_column(Team, "to_team"))
    created_by: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledge_by: Mapped[datetime] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[HandoffStatus] = mapped_column(enum_column(HandoffStatus, "handoff_status"))
    version: Mapped[int] = mapped_column(Integer, default=1)
