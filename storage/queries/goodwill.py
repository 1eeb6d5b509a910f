"""Goodwill requests: per customer, the approval queue, a user's month-to-date total, and the guarded
write that decides one (only at the version and state the decider saw)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session, aliased

from domain.records import GoodwillRecord
from domain.vocabulary import Authorisation, GoodwillKind, GoodwillState
from storage import pane_sql
from storage.models import Case, Customer, Goodwill, User
from storage.prepared import plain

# Built once: an alias made per call costs SQLAlchemy its column adaptation again every time.
_REQUESTER = aliased(User, name="requester")
_DECIDER = aliased(User, name="decider")
_SECOND = aliased(User, name="second_decider")

PENDING = (GoodwillState.AWAITING_APPROVAL, GoodwillState.AWAITING_SECOND_APPROVAL)


def _select() -> Select[*tuple[Any, ...]]:
    return (
        select(
            Goodwill.id,
            Goodwill.customer_id,
            (Customer.given_name + " " + Customer.family_name),
            Customer.account_number,
            Goodwill.case_id,
            Case.reference,
            Goodwill.kind,
            Goodwill.amount_pence,
            Goodwill.reason_category,
            Goodwill.reason_text,
            Goodwill.requested_by,
            _REQUESTER.display_name,
            Goodwill.requested_at,
            Goodwill.state,
            Goodwill.authorisation,
            Goodwill.decided_by,
            _DECIDER.display_name,
            Goodwill.decided_at,
            Goodwill.decision_note,
            Goodwill.second_decided_by,
            _SECOND.display_name,
            Goodwill.second_decided_at,
            Goodwill.version,
        )
        .join(Customer, Customer.id == Goodwill.customer_id)
        .join(_REQUESTER, _REQUESTER.id == Goodwill.requested_by)
        .outerjoin(_DECIDER, _DECIDER.id == Goodwill.decided_by)
        .outerjoin(_SECOND, _SECOND.id == Goodwill.second_decided_by)
        .outerjoin(Case, Case.id == Goodwill.case_id)
    )


def _records(session: Session, statement: Select[*tuple[Any, ...]]) -> list[GoodwillRecord]:
    return [GoodwillRecord(*tuple(row)) for row in session.execute(statement)]


def get(session: Session, goodwill_id: uuid.UUID) -> GoodwillRecord | None:
    found = _records(session, _select().where(Goodwill.id == goodwill_id))
    return found[0] if found else None


def for_customer(session: Session, customer_id: uuid.UUID, *, limit: int = 50) -> list[GoodwillRecord]:
    """The customer's requests, newest first."""
    return pane_sql.goodwill_for_customer(plain(session), customer_id, limit=limit)


def month_totals(session: Session, user_ids: set[uuid.UUID], since: datetime) -> dict[uuid.UUID, int]:
    """Approved amounts each user requested since `since` (the start of the month)."""
    return pane_sql.month_totals(plain(session), list(user_ids), since)


def month_total(session: Session, user_id: uuid.UUID, since: datetime) -> int:
    return month_totals(session, {user_id}, since).get(user_id, 0)


def pending(session: Session, since: datetime, *, limit: int = 500) -> list[GoodwillRecord]:
    """Requests awaiting a first or second approval, oldest first, with each requester's month total."""
    return pane_sql.goodwill_pending(plain(session), since, limit=limit)


def decided_since(
    session: Session, requester_id: uuid.UUID, since: datetime, *, limit: int = 50
) -> list[GoodwillRecord]:
    """`requester_id`'s requests a supervisor approved or rejected since `since`, oldest decision first
    (requests given at once within the requester's own limit are not decisions anyone waits for)."""
    return pane_sql.goodwill_decided_since(plain(session), requester_id, since, limit=limit)


def add(
    session: Session,
    *,
    goodwill_id: uuid.UUID,
    customer_id: uuid.UUID,
    case_id: uuid.UUID | None,
    kind: GoodwillKind,
    amount_pence: int,
    reason_category: str,
    reason_text: str,
    requested_by: uuid.UUID,
    requested_at: datetime,
    state: GoodwillState,
    authorisation: Authorisation | None,
) -> GoodwillRecord:
    """Record a new request in pounds sterling, in the state the requester's limit gave it (approved
    at once within the limit: decided when asked); returns it as stored."""
    session.add(
        Goodwill(
            id=goodwill_id,
            customer_id=customer_id,
            case_id=case_id,
            kind=kind,
            amount_pence=amount_pence,
            currency="GBP",
            reason_category=reason_category,
            reason_text=reason_text,
            requested_by=requested_by,
            requested_at=requested_at,
            state=state,
            authorisation=authorisation,
            decided_by=None,
            decided_at=requested_at if state is GoodwillState.APPROVED else None,
            version=1,
        )
    )
    session.flush()
    made = get(session, goodwill_id)
    assert made is not None
    return made


def decide(
    session: Session,
    goodwill_id: uuid.UUID,
    *,
    version: int,
    state: GoodwillState,
    values: dict[str, Any],
) -> bool:
    """Move a request on from `state` at `version`; False if someone else decided it first."""
    result = session.execute(
        update(Goodwill)
        .where(Goodwill.id == goodwill_id, Goodwill.version == version, Goodwill.state == state)
        .values(**values, version=Goodwill.version + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
