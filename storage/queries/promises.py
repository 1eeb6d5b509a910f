"""Promises: per customer, per owner (the worklist), and the guarded write that ends one."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from domain.records import PromiseRecord
from domain.vocabulary import PromiseKind, PromiseStatus
from storage import pane_sql
from storage.models import Case, Customer, Promise, User
from storage.prepared import plain


def _select() -> Select[*tuple[Any, ...]]:
    return (
        select(
            Promise.id,
            Promise.customer_id,
            (Customer.given_name + " " + Customer.family_name),
            Customer.account_number,
            Promise.case_id,
            Case.reference,
            Promise.kind,
            Promise.owner_id,
            User.display_name,
            Promise.created_at,
            Promise.due_at,
            Promise.window_end_at,
            Promise.phone_e164,
            Promise.note,
            Promise.status,
            Promise.outcome,
            Promise.closed_at,
            Promise.escalated_at,
            Promise.version,
        )
        .join(Customer, Customer.id == Promise.customer_id)
        .join(User, User.id == Promise.owner_id)
        .outerjoin(Case, Case.id == Promise.case_id)
    )


def _records(session: Session, statement: Select[*tuple[Any, ...]]) -> list[PromiseRecord]:
    return [PromiseRecord(*tuple(row)) for row in session.execute(statement)]


def get(session: Session, promise_id: uuid.UUID) -> PromiseRecord | None:
    found = _records(session, _select().where(Promise.id == promise_id))
    return found[0] if found else None


def for_customer(session: Session, customer_id: uuid.UUID, *, include_closed: int = 5) -> list[PromiseRecord]:
    """Open promises by due time, then the most recently closed few."""
    return pane_sql.promises(plain(session), customer_id, include_closed=include_closed)


def open_for_owner(session: Session, owner_id: uuid.UUID) -> list[PromiseRecord]:
    """The worklist: read at every start and after every change."""
    return pane_sql.open_for_owner(plain(session), owner_id)


def open_due_between(
    session: Session,
    start: datetime | None,
    end: datetime,
    *,
    newest_first: bool = False,
    limit: int | None = None,
) -> list[PromiseRecord]:
    """Across the team: open promises due in [start, end) (from any time when `start` is None), by due
    time (latest first when `newest_first`), at most `limit` of them."""
    statement = _select().where(Promise.status == PromiseStatus.OPEN, Promise.due_at < end)
    if start is not None:
        statement = statement.where(Promise.due_at >= start)
    statement = statement.order_by(Promise.due_at.desc() if newest_first else Promise.due_at)
    if limit is not None:
        statement = statement.limit(limit)
    return _records(session, statement)


def open_owners_due_between(session: Session, start: datetime, end: datetime) -> list[tuple[str, int]]:
    """Owners of the open promises due in [start, end), with how many each, most first."""
    statement = (
        select(User.display_name, func.count())
        .select_from(Promise)
        .join(User, User.id == Promise.owner_id)
        .where(Promise.status == PromiseStatus.OPEN, Promise.due_at >= start, Promise.due_at < end)
        .group_by(User.id, User.display_name)
        .order_by(func.count().desc(), User.display_name)
    )
    return [(str(name), int(count)) for name, count in session.execute(statement)]


def count_open_due_before(session: Session, end: datetime) -> int:
    statement = select(func.count()).where(Promise.status == PromiseStatus.OPEN, Promise.due_at < end)
    return int(session.scalar(statement.select_from(Promise)) or 0)


def add(
    session: Session,
    *,
    promise_id: uuid.UUID,
    customer_id: uuid.UUID,
    case_id: uuid.UUID | None,
    kind: PromiseKind,
    owner_id: uuid.UUID,
    created_at: datetime,
    due_at: datetime,
    window_end_at: datetime | None,
    phone_e164: str | None,
    note: str | None,
) -> PromiseRecord:
    """Record a new open promise in the caller's unit of work and return it as stored."""
    session.add(
        Promise(
            id=promise_id,
            customer_id=customer_id,
            case_id=case_id,
            kind=kind,
            owner_id=owner_id,
            created_at=created_at,
            due_at=due_at,
            window_end_at=window_end_at,
            phone_e164=phone_e164,
            note=note,
            status=PromiseStatus.OPEN,
            version=1,
        )
    )
    session.flush()
    made = get(session, promise_id)
    assert made is not None
    return made


def owners(session: Session, promise_id: uuid.UUID) -> tuple[uuid.UUID | None, uuid.UUID | None] | None:
    """(the promise's owner, its case's owner) as the store holds them now; None for no such promise."""
    row = session.execute(
        select(Promise.owner_id, Case.owner_id)
        .outerjoin(Case, Case.id == Promise.case_id)
        .where(Promise.id == promise_id)
    ).first()
    return (row[0], row[1]) if row is not None else None


def close(
    session: Session,
    promise_id: uuid.UUID,
    *,
    version: int,
    status: PromiseStatus,
    outcome: str,
    closed_at: datetime,
    customer_told: bool | None,
    follow_up_id: uuid.UUID | None,
) -> bool:
    """End an open promise at the version the advisor saw; False if someone else got there first."""
    result = session.execute(
        update(Promise)
        .where(Promise.id == promise_id, Promise.version == version, Promise.status == PromiseStatus.OPEN)
        .values(
            status=status,
            outcome=outcome,
            closed_at=closed_at,
            customer_told=customer_told,
            follow_up_id=follow_up_id,
            version=Promise.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def mark_escalated(session: Session, promise_id: uuid.UUID, at: datetime) -> bool:
    result = session.execute(
        update(Promise)
        .where(Promise.id == promise_id, Promise.escalated_at.is_(None), Promise.status == PromiseStatus.OPEN)
        .values(escalated_at=at)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def reassign(session: Session, promise_id: uuid.UUID, *, version: int, owner_id: uuid.UUID) -> bool:
    """Give an open promise to `owner_id` at the version the supervisor saw; False if it moved meanwhile."""
    result = session.execute(
        update(Promise)
        .where(Promise.id == promise_id, Promise.version == version, Promise.status == PromiseStatus.OPEN)
        .values(owner_id=owner_id, version=Promise.version + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
