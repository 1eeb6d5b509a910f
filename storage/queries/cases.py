"""Cases: opening one, the guarded writes that move it through its states and owners, its open
promises, and feedback."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from domain.records import CaseSummary, FeedbackScores
from domain.vocabulary import CaseKind, CaseStatus, Confirmation, PromiseKind, PromiseStatus, Severity
from storage.models import Case, CaseOwnerChange, CustomerPhone, Feedback, Promise
from storage.queries.customers import case_by_id


def apply(
    session: Session, case_id: uuid.UUID, *, version: int, values: dict[str, object], at: datetime
) -> bool:
    """Write `values` to the case at the version the advisor saw; False if it changed meanwhile."""
    result = session.execute(
        update(Case)
        .where(Case.id == case_id, Case.version == version)
        .values(**values, updated_at=at, version=Case.version + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def add(
    session: Session,
    *,
    case_id: uuid.UUID,
    reference: str,
    customer_id: uuid.UUID,
    kind: CaseKind,
    title: str,
    severity: Severity,
    owner_id: uuid.UUID,
    opened_at: datetime,
    target_at: datetime | None,
    reported_text: str | None = None,
    next_step: str | None = None,
) -> CaseSummary:
    """Record a new open case, owned by whoever opens it, and return it as stored."""
    session.add(
        Case(
            id=case_id,
            reference=reference,
            customer_id=customer_id,
            kind=kind,
            title=title,
            reported_text=reported_text,
            next_step=next_step,
            status=CaseStatus.OPEN,
            severity=severity,
            owner_id=owner_id,
            opened_at=opened_at,
            target_at=target_at,
            updated_at=opened_at,
            confirmation=Confirmation.PENDING,
            confirmation_attempts=0,
            appointment_missed=False,
            customer_delay_days=0,
            formal_complaint=False,
            reopened_count=0,
            version=1,
        )
    )
    session.flush()
    made = case_by_id(session, case_id)
    assert made is not None
    return made


def customer_of(session: Session, case_id: uuid.UUID) -> uuid.UUID:
    """The customer the case belongs to (the case must exist)."""
    return session.get_one(Case, case_id).customer_id


def belongs_to(session: Session, case_id: uuid.UUID, customer_id: uuid.UUID) -> bool:
    """Whether the case exists and is the customer's."""
    case = session.get(Case, case_id)
    return case is not None and case.customer_id == customer_id


def change_owner(
    session: Session,
    case_id: uuid.UUID,
    *,
    from_owner_id: uuid.UUID | None,
    to_owner_id: uuid.UUID,
    note: str,
    change_id: uuid.UUID,
    at: datetime,
) -> bool:
    """Give the case to `to_owner_id` if `from_owner_id` still owns it, recording the change with its
    note; False (nothing written) if the owner changed meanwhile."""
    moved = session.execute(
        update(Case)
        .where(Case.id == case_id, Case.owner_id.is_not_distinct_from(from_owner_id))
        .values(owner_id=to_owner_id, updated_at=at, version=Case.version + 1)
        .execution_options(synchronize_session=False)
    )
    if not moved.rowcount:  # type: ignore[attr-defined]
        return False
    session.add(
        CaseOwnerChange(
            id=change_id,
            case_id=case_id,
            from_user_id=from_owner_id,
            to_user_id=to_owner_id,
            note=note,
            changed_at=at,
        )
    )
    return True


def add_feedback(
    session: Session,
    *,
    feedback_id: uuid.UUID,
    case_id: uuid.UUID,
    customer_id: uuid.UUID,
    fix_score: int,
    fault_score: int,
    cause_text: str | None,
    received_at: datetime,
) -> uuid.UUID:
    """Record the customer's two answers after closure; returns the feedback's id."""
    session.add(
        Feedback(
            id=feedback_id,
            case_id=case_id,
            customer_id=customer_id,
            fix_score=fix_score,
            fault_score=fault_score,
            customer_cause_text=cause_text,
            received_at=received_at,
        )
    )
    return feedback_id


def primary_phone(session: Session, customer_id: uuid.UUID) -> str | None:
    return session.scalar(
        select(CustomerPhone.e164)
        .where(CustomerPhone.customer_id == customer_id)
        .order_by(CustomerPhone.is_primary.desc(), CustomerPhone.e164)
        .limit(1)
    )


def open_promise_ids(
    session: Session, case_id: uuid.UUID, kinds: tuple[PromiseKind, ...]
) -> list[tuple[uuid.UUID, int]]:
    """(id, version) of the case's open promises of these kinds."""
    rows = session.execute(
        select(Promise.id, Promise.version).where(
            Promise.case_id == case_id, Promise.status == PromiseStatus.OPEN, Promise.kind.in_(kinds)
        )
    )
    return [(row[0], row[1]) for row in rows]


def has_feedback(session: Session, case_id: uuid.UUID) -> bool:
    return session.scalar(select(func.count()).select_from(Feedback).where(Feedback.case_id == case_id)) != 0


def feedback_scores(session: Session, start: datetime, end: datetime) -> FeedbackScores:
    """Averages of the two feedback scores received in [start, end), each on its own."""
    row = session.execute(
        select(func.count(), func.avg(Feedback.fix_score), func.avg(Feedback.fault_score)).where(
            Feedback.received_at >= start, Feedback.received_at < end
        )
    ).one()
    count, fix, fault = row
    return FeedbackScores(
        int(count),
        round(float(fix), 2) if fix is not None else None,
        round(float(fault), 2) if fault is not None else None,
    )
