"""Cases: the guarded write that moves one through its states, its open promises, and feedback."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from domain.records import FeedbackScores
from domain.vocabulary import PromiseKind, PromiseStatus
from storage.models import Case, CustomerPhone, Feedback, Promise


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
