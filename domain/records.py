"""Plain frozen records that queries return: no live ORM rows leave storage."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from domain.vocabulary import (
    Authorisation,
    CaseKind,
    CaseStatus,
    Channel,
    Confirmation,
    Direction,
    GoodwillKind,
    GoodwillState,
    HandoffKind,
    HandoffStatus,
    MutationState,
    PromiseKind,
    PromiseStatus,
    Role,
    Severity,
    Team,
)


@dataclass(frozen=True)
class CustomerMatch:
    """One row of search results."""

    id: uuid.UUID
    account_number: str
    name: str
    postcode: str
    town: str
    phone_e164: str | None
    email: str | None


@dataclass(frozen=True)
class OwnerChange:
    changed_at: datetime
    from_name: str | None
    to_name: str
    note: str


@dataclass(frozen=True)
class CustomerProfile:
    """What the customer header shows."""

    id: uuid.UUID
    account_number: str
    title: str | None
    given_name: str
    family_name: str
    email: str | None
    phones: tuple[str, ...]
    address_line: str
    town: str
    postcode: str
    vulnerable: bool
    vulnerability_note: str | None
    marketing_consent: bool
    preferred_channel: Channel
    customer_since: date
    account_owner: str | None
    owner_changes: tuple[OwnerChange, ...]

    @property
    def full_name(self) -> str:
        parts = [self.title, self.given_name, self.family_name]
        return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class TimelineKey:
    """Keyset position in a newest-first history: the last row already shown."""

    occurred_at: datetime
    id: uuid.UUID


@dataclass(frozen=True)
class TimelineEntry:
    id: uuid.UUID
    occurred_at: datetime
    channel: Channel
    direction: Direction
    advisor_name: str | None
    subject: str | None
    summary: str
    case_reference: str | None

    @property
    def key(self) -> TimelineKey:
        return TimelineKey(self.occurred_at, self.id)


@dataclass(frozen=True)
class ContactEventRecord:
    """One contact event as stored: a line on the customer's timeline (append-only)."""

    id: uuid.UUID
    customer_id: uuid.UUID
    case_id: uuid.UUID | None
    channel: Channel
    direction: Direction
    advisor_id: uuid.UUID | None
    occurred_at: datetime
    recorded_at: datetime
    subject: str | None
    summary: str
    # A wrap-up's reason code (resources/contact_reasons.toml) and the call's length.
    reason_code: str | None = None
    duration_seconds: int | None = None


@dataclass(frozen=True)
class CaseSummary:
    id: uuid.UUID
    reference: str
    kind: CaseKind
    title: str
    status: CaseStatus
    severity: Severity
    owner_name: str | None
    opened_at: datetime
    target_at: datetime | None
    resolved_at: datetime | None
    next_step: str | None
    formal_complaint: bool
    owner_id: uuid.UUID | None
    updated_at: datetime
    # Resolution, confirmation and the complaint clock (console/case_rules.py moves these on).
    version: int = 1
    root_cause_category: str | None = None
    root_cause_text: str | None = None
    confirmation: Confirmation = Confirmation.PENDING
    confirmation_attempts: int = 0
    closed_at: datetime | None = None
    reopened_count: int = 0
    complaint_made_at: datetime | None = None
    complaint_deadline_at: datetime | None = None
    deadlock_at: datetime | None = None
    adr_letter_sent_at: datetime | None = None
    customer_id: uuid.UUID | None = None


@dataclass(frozen=True)
class UserRecord:
    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    team: Team
    goodwill_limit_pence: int
    active: bool


@dataclass(frozen=True)
class PromiseRecord:
    id: uuid.UUID
    customer_id: uuid.UUID
    customer_name: str
    account_number: str
    case_id: uuid.UUID | None
    case_reference: str | None
    kind: PromiseKind
    owner_id: uuid.UUID
    owner_name: str
    created_at: datetime
    due_at: datetime
    window_end_at: datetime | None
    phone_e164: str | None
    note: str | None
    status: PromiseStatus
    outcome: str | None
    closed_at: datetime | None
    escalated_at: datetime | None
    version: int

    @property
    def is_open(self) -> bool:
        return self.status is PromiseStatus.OPEN


@dataclass(frozen=True)
class HandoffRecord:
    id: uuid.UUID
    customer_id: uuid.UUID
    case_id: uuid.UUID | None
    case_reference: str | None
    kind: HandoffKind
    summary: str
    from_team: Team
    to_team: Team
    created_by_name: str
    created_at: datetime
    acknowledge_by: datetime
    acknowledged_by_name: str | None
    acknowledged_at: datetime | None
    done_by: datetime | None
    done_at: datetime | None
    status: HandoffStatus
    version: int
    # Who the handoff is for, as a team's list across customers names them.
    customer_name: str = ""
    account_number: str = ""


@dataclass(frozen=True)
class SuppressorCase:
    """What the sales-pitch suppressor needs to know about one of the customer's cases."""

    kind: CaseKind
    status: CaseStatus
    opened_at: datetime
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    confirmation: Confirmation = Confirmation.PENDING
    formal_complaint: bool = False
    reference: str = ""


@dataclass(frozen=True)
class SuppressorFacts:
    """The customer's side of the suppressor: flags on the customer record."""

    customer_id: uuid.UUID
    vulnerable: bool
    marketing_consent: bool


@dataclass(frozen=True)
class OfferRecord:
    id: uuid.UUID
    code: str
    title: str
    description: str
    product: str
    monthly_price_pence: int


@dataclass(frozen=True)
class ImpressionViolation:
    """An offer shown while the same customer had a case open: what the suppressor must never allow."""

    impression_id: uuid.UUID
    customer_id: uuid.UUID
    account_number: str
    offer_code: str
    advisor_name: str | None
    shown_at: datetime
    case_reference: str
    case_opened_at: datetime


@dataclass(frozen=True)
class GoodwillRecord:
    """A goodwill or compensation request, with the names the panel and the approval queue show."""

    id: uuid.UUID
    customer_id: uuid.UUID
    customer_name: str
    account_number: str
    case_id: uuid.UUID | None
    case_reference: str | None
    kind: GoodwillKind
    amount_pence: int
    reason_category: str
    reason_text: str
    requested_by: uuid.UUID
    requested_by_name: str
    requested_at: datetime
    state: GoodwillState
    authorisation: Authorisation | None
    decided_by: uuid.UUID | None
    decided_by_name: str | None
    decided_at: datetime | None
    decision_note: str | None
    second_decided_by: uuid.UUID | None
    second_decided_by_name: str | None
    second_decided_at: datetime | None
    version: int
    # Filled for the approval queue: what the requester has had approved this month.
    requester_month_pence: int = 0

    @property
    def pending(self) -> bool:
        return self.state in (GoodwillState.AWAITING_APPROVAL, GoodwillState.AWAITING_SECOND_APPROVAL)


@dataclass(frozen=True)
class FeedbackScores:
    """Post-closure feedback over a period: the two questions averaged separately (None: no answers)."""

    answers: int
    fix_average: float | None
    fault_average: float | None


@dataclass(frozen=True)
class CaseServiceDates:
    """A case's facts for the automatic compensation scheme, as stored (times UTC, dates UK)."""

    case_id: uuid.UUID
    customer_id: uuid.UUID
    reference: str
    kind: CaseKind
    title: str
    opened_at: datetime
    reported_at: datetime | None
    restored_at: datetime | None
    promised_start_on: date | None
    started_on: date | None
    appointment_at: datetime | None
    appointment_missed: bool
    cancellation_notice_at: datetime | None
    customer_delay_days: int
    customer_caused_delay: str | None
    version: int


@dataclass(frozen=True)
class OutboxRecord:
    """A mutation in the workstation's outbox, with its outcome once the server has answered."""

    mutation_id: uuid.UUID
    client_id: uuid.UUID
    client_seq: int
    kind: str
    entity_id: uuid.UUID | None
    payload: dict[str, Any]
    actor: str
    occurred_at: datetime
    state: MutationState
    attempts: int
    reason: str | None


@dataclass(frozen=True)
class SnapshotRecord:
    """Where a workstation's first sync stands (table sync_snapshot)."""

    head: int  # the server's change log head when it began: the pull continues from here
    entity: str | None  # the entity of the last page written (None: no page yet)
    after_id: uuid.UUID | None  # the last id of that page
    done: int
    total: int
    finished: bool


@dataclass(frozen=True)
class WrapUpDraftRecord:
    """A call's wrap-up as far as the advisor got: kept until it is saved (console/services/contacts.py)."""

    id: uuid.UUID
    customer_id: uuid.UUID
    number: str | None
    started_at: datetime
    ended_at: datetime
    reason_code: str | None
    note: str
    case_id: uuid.UUID | None


@dataclass(frozen=True)
class DetailChangeRecord:
    """One customer detail set: the value it replaced (an earlier detail when not None), the value set,
    who changed it (id and name), when and why; `restores_id` is the change it brought back."""

    id: uuid.UUID
    customer_id: uuid.UUID
    field: str
    old_value: str | None
    new_value: str | None
    reason: str
    changed_by: uuid.UUID
    changed_by_name: str
    changed_at: datetime
    restores_id: uuid.UUID | None
