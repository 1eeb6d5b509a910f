"""Goodwill requests: per customer, the approval queue, a user's month-to-date total, and the guarded
write that decides one (only at the version and state the decider saw)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from domain.records import GoodwillRecord
from domain.vocabulary import Authorisation, GoodwillKind, GoodwillState
from storage.models import Case, Customer, Goodwill, User
from storage.prepared import built_once, rows

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


@built_once
def _customer_statement() -> Select[*tuple[Any, ...]]:
    return (
        _select()
        .where(Goodwill.customer_id == bindparam("customer_id"))
        .order_by(Goodwill.requested_at.desc(), Goodwill.id.desc())
        .limit(bindparam("limit", type_=Integer))
    )


def for_customer(session: Session, customer_id: uuid.UUID, *, limit: int = 50) -> list[GoodwillRecord]:
    """The customer's requests, newest first."""
    params = {"customer_id": customer_id, "limit": limit}
    return [GoodwillRecord(*tuple(row)) for row in rows(session, _customer_statement(), params)]


@built_once
def _month_totals_statement() -> Select[*tuple[Any, ...]]:
    return (
        select(Goodwill.requested_by, func.coalesce(func.sum(Goodwill.amount_pence), 0))
        .where(
            Goodwill.requested_by.in_(bindparam("user_ids", expanding=True)),
            Goodwill.state == GoodwillState.APPROVED,
            Goodwill.requested_at >= bindparam("since", type_=Goodwill.requested_at.type),
        )
        .group_by(Goodwill.requested_by)
    )


def month_totals(session: Session, user_ids: set[uuid.UUID], since: datetime) -> dict[uuid.UUID, int]:
    """Approved amounts each user requested since `since` (the start of the month)."""
    if not user_ids:
        return {}
    params = {"user_ids": list(user_ids), "since": since}
    return {user_id: int(total) for user_id, total in rows(session, _month_totals_statement(), params)}


def month_total(session: Session, user_id: uuid.UUID, since: datetime) -> int:
    return month_totals(session, {user_id}, since).get(user_id, 0)


def pending(session: Session, since: datetime, *, limit: int = 500) -> list[GoodwillRecord]:
    """Requests awaiting a first or second approval, oldest first, with each requester's month total."""
    found = _records(
        session,
        _select()
        .where(Goodwill.state.in_(PENDING))
        .order_by(Goodwill.requested_at, Goodwill.id)
        .limit(limit),
    )
    totals = month_totals(session, {record.requested_by for record in found}, since)
    return [dataclasses.replace(r, requester_month_pence=totals.get(r.requested_by, 0)) for r in found]


@built_once
def _decided_since_statement() -> Select[*tuple[Any, ...]]:
    decided = func.coalesce(Goodwill.second_decided_at, Goodwill.decided_at)
    return (
        _select()
        .where(
            Goodwill.requested_by == bindparam("requester_id"),
            Goodwill.state.in_((GoodwillState.APPROVED, GoodwillState.REJECTED)),
            or_(
                Goodwill.authorisation.is_(None),
                Goodwill.authorisation != Authorisation.SELF_WITHIN_LIMIT,
            ),
            decided >= bindparam("since", type_=Goodwill.decided_at.type),
        )
        .order_by(decided, Goodwill.id)
        .limit(bindparam("limit", type_=Integer))
    )


def decided_since(
    session: Session, requester_id: uuid.UUID, since: datetime, *, limit: int = 50
) -> list[GoodwillRecord]:
    """`requester_id`'s requests a supervisor approved or rejected since `since`, oldest decision first
    (requests given at once within the requester's own limit are not decisions anyone waits for)."""
    params = {"requester_id": requester_id, "since": since, "limit": limit}
    return [GoodwillRecord(*tuple(row)) for row in rows(session, _decided_since_statement(), params)]


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
