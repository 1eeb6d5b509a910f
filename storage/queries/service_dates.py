"""A case's service dates for the compensation scheme: read them, and the guarded write that records
them (only at the version the advisor saw)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from domain.records import CaseServiceDates
from storage.models import Case

_COLUMNS = (
    Case.id,
    Case.customer_id,
    Case.reference,
    Case.kind,
    Case.title,
    Case.opened_at,
    Case.reported_at,
    Case.restored_at,
    Case.promised_start_on,
    Case.started_on,
    Case.appointment_at,
    Case.appointment_missed,
    Case.cancellation_notice_at,
    Case.customer_delay_days,
    Case.customer_caused_delay,
    Case.version,
)

# The columns `record` may change.
FIELDS = (
    "reported_at",
    "restored_at",
    "promised_start_on",
    "started_on",
    "appointment_at",
    "appointment_missed",
    "cancellation_notice_at",
    "customer_delay_days",
    "customer_caused_delay",
)


def get(session: Session, case_id: uuid.UUID) -> CaseServiceDates | None:
    row = session.execute(select(*_COLUMNS).where(Case.id == case_id)).one_or_none()
    return None if row is None else CaseServiceDates(*tuple(row))


def record(session: Session, case_id: uuid.UUID, *, version: int, values: dict[str, Any]) -> bool:
    """Write the dates if the case is still at `version`; False if someone changed it meanwhile."""
    unknown = set(values) - set(FIELDS) - {"updated_at"}
    if unknown:
        raise ValueError(f"not a service-date column: {sorted(unknown)}")
    result = session.execute(
        update(Case)
        .where(Case.id == case_id, Case.version == version)
        .values(**values, version=Case.version + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
