"""Offers: the facts the suppressor decides on, the active offers, impressions, and the proof report."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from domain.records import ImpressionViolation, SuppressorFacts
from domain.vocabulary import CaseStatus
from storage.models import Case, Customer, Offer, OfferImpression, User
from storage.prepared import built_once, rows

OPEN_STATUSES = [status for status in CaseStatus if status.is_open]


def _rows(session: Session, statement: Select[*tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in session.execute(statement)]


@built_once
def _facts_statement(lock: bool) -> Select[*tuple[Any, ...]]:
    statement = select(Customer.id, Customer.vulnerable, Customer.marketing_consent).where(
        Customer.id == bindparam("customer_id")
    )
    return statement.with_for_update() if lock else statement


def facts(session: Session, customer_id: uuid.UUID, *, lock: bool = False) -> SuppressorFacts | None:
    """The customer's flags; `lock` holds the customer row (PostgreSQL) until the transaction ends, so
    a writer that changes the customer's cases under the same lock cannot slip in between."""
    found = rows(session, _facts_statement(lock), {"customer_id": customer_id})
    return SuppressorFacts(*found[0]) if found else None


def active_offer_ids(session: Session, offer_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    if not offer_ids:
        return set()
    statement = select(Offer.id).where(Offer.id.in_(list(offer_ids)), Offer.active.is_(True))
    return set(session.scalars(statement))


def add_impressions(
    session: Session,
    customer_id: uuid.UUID,
    offer_ids: Sequence[uuid.UUID],
    advisor_id: uuid.UUID | None,
    shown_at: datetime,
    ids: Sequence[uuid.UUID],
) -> None:
    session.add_all(
        OfferImpression(
            id=impression_id,
            customer_id=customer_id,
            offer_id=offer_id,
            advisor_id=advisor_id,
            shown_at=shown_at,
        )
        for impression_id, offer_id in zip(ids, offer_ids, strict=True)
    )
    session.flush()


def impression_count(session: Session, customer_id: uuid.UUID | None = None) -> int:
    statement = select(func.count()).select_from(OfferImpression)
    if customer_id is not None:
        statement = statement.where(OfferImpression.customer_id == customer_id)
    return int(session.scalar(statement) or 0)


def case_open_at(moment: Any) -> ColumnElement[bool]:
    """The joined `Case` was open at `moment`: from its opening until it was resolved (or closed); a
    case open now counts from its opening on, so a reopened case errs on the side of reporting."""
    ended = func.coalesce(Case.resolved_at, Case.closed_at)
    return and_(
        Case.opened_at <= moment,
        or_(Case.status.in_(OPEN_STATUSES), ended.is_(None), ended > moment),
    )


def violations(session: Session, limit: int = 1000) -> list[ImpressionViolation]:
    """Impressions shown while a case of the same customer was open at `shown_at`.

    A case counts as open at a moment from its opening until it was resolved (or closed); a case
    open now counts from its opening on, so a reopened case errs on the side of reporting.
    """
    open_then = case_open_at(OfferImpression.shown_at)
    statement = (
        select(
            OfferImpression.id,
            OfferImpression.customer_id,
            Customer.account_number,
            Offer.code,
            User.display_name,
            OfferImpression.shown_at,
            Case.reference,
            Case.opened_at,
        )
        .join(Case, and_(Case.customer_id == OfferImpression.customer_id, open_then))
        .join(Customer, Customer.id == OfferImpression.customer_id)
        .join(Offer, Offer.id == OfferImpression.offer_id)
        .outerjoin(User, User.id == OfferImpression.advisor_id)
        .order_by(OfferImpression.shown_at, Case.reference)
        .limit(limit)
    )
    return [ImpressionViolation(*row) for row in _rows(session, statement)]
