"""Customer look-ups: search by each kind of key; the header profile, history pages and cases in a
session (their SQL is storage/pane_sql.py's)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from domain.records import CaseSummary, CustomerMatch, CustomerProfile, TimelineEntry, TimelineKey
from domain.vocabulary import Channel
from storage import pane_sql
from storage.models import Customer, CustomerPhone
from storage.prepared import plain

# The highest code point: a prefix range `[p, p + PREFIX_END)` uses a plain B-tree index on
# both engines, where LIKE 'p%' would need engine-specific collations to do so.
PREFIX_END = "\U0010ffff"


def _prefix(
    column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None], prefix: str
) -> ColumnElement[bool]:
    return and_(column >= prefix, column < prefix + PREFIX_END)


def _primary_phone() -> ScalarSelect[str]:
    return (
        select(CustomerPhone.e164)
        .where(CustomerPhone.customer_id == Customer.id)
        .order_by(CustomerPhone.is_primary.desc(), CustomerPhone.e164)
        .limit(1)
        .scalar_subquery()
    )


def _matches(session: Session, statement: Select[Any], limit: int) -> list[CustomerMatch]:
    # dict.fromkeys: one customer may match twice (two phones), keep the first, in order.
    ids = list(dict.fromkeys(session.scalars(statement.limit(limit))))
    if not ids:
        return []
    rows = session.execute(
        select(
            Customer.id,
            Customer.account_number,
            Customer.title,
            Customer.given_name,
            Customer.family_name,
            Customer.postcode,
            Customer.town,
            _primary_phone(),
            Customer.email,
        ).where(Customer.id.in_(ids))
    ).all()
    by_id = {row[0]: row for row in rows}
    out = []
    for customer_id in ids:
        row = by_id.get(customer_id)
        if row is None:
            continue
        name = " ".join(part for part in (row[2], row[3], row[4]) if part)
        out.append(CustomerMatch(row[0], row[1], name, row[5], row[6], row[7], row[8]))
    return out


def _live(statement: Select[Any]) -> Select[*tuple[Any, ...]]:
    return statement.where(Customer.deleted.is_(False))


def by_account_prefix(session: Session, prefix: str, limit: int) -> list[CustomerMatch]:
    statement = _live(
        select(Customer.id).where(_prefix(Customer.account_number, prefix)).order_by(Customer.account_number)
    )
    return _matches(session, statement, limit)


def by_phone_prefix(session: Session, e164_prefix: str, limit: int) -> list[CustomerMatch]:
    statement = _live(
        select(CustomerPhone.customer_id)
        .join(Customer, Customer.id == CustomerPhone.customer_id)
        .where(_prefix(CustomerPhone.e164, e164_prefix))
        .order_by(CustomerPhone.e164)
    )
    return _matches(session, statement, limit)


def by_postcode_prefix(session: Session, key_prefix: str, limit: int) -> list[CustomerMatch]:
    statement = _live(
        select(Customer.id)
        .where(_prefix(Customer.postcode_key, key_prefix))
        .order_by(Customer.postcode_key, Customer.family_key)
    )
    return _matches(session, statement, limit)


def by_email_prefix(session: Session, key_prefix: str, limit: int) -> list[CustomerMatch]:
    statement = _live(
        select(Customer.id).where(_prefix(Customer.email_key, key_prefix)).order_by(Customer.email_key)
    )
    return _matches(session, statement, limit)


def by_name(session: Session, tokens: Sequence[str], limit: int) -> list[CustomerMatch]:
    """One word: a given or family name starting with it. More: first given, last family (or reversed)."""
    if len(tokens) == 1:
        (token,) = tokens
        family = _live(
            select(Customer.id)
            .where(_prefix(Customer.family_key, token))
            .order_by(Customer.family_key, Customer.given_key)
            .limit(limit)
        )
        given = _live(
            select(Customer.id)
            .where(_prefix(Customer.given_key, token))
            .order_by(Customer.given_key, Customer.family_key)
            .limit(limit)
        )
        ids = list(dict.fromkeys([*session.scalars(family), *session.scalars(given)]))[:limit]
        return _matches(session, select(Customer.id).where(Customer.id.in_(ids)), limit)
    first, last = tokens[0], tokens[-1]
    statement = _live(
        select(Customer.id)
        .where(
            or_(
                and_(_prefix(Customer.given_key, first), _prefix(Customer.family_key, last)),
                and_(_prefix(Customer.family_key, first), _prefix(Customer.given_key, last)),
            )
        )
        .order_by(Customer.family_key, Customer.given_key)
    )
    return _matches(session, statement, limit)


def customer_id_for_account(session: Session, account_number: str) -> uuid.UUID | None:
    return pane_sql.customer_id_for_account(plain(session), account_number)


def profile(session: Session, customer_id: uuid.UUID) -> CustomerProfile | None:
    return pane_sql.profile(plain(session), customer_id)


def history_page(
    session: Session,
    customer_id: uuid.UUID,
    *,
    channels: frozenset[Channel] | None = None,
    after: TimelineKey | None = None,
    limit: int = 200,
) -> list[TimelineEntry]:
    """Newest first, by keyset: page N costs the same as page 1, whatever the history's length."""
    return pane_sql.history_page(plain(session), customer_id, channels=channels, after=after, limit=limit)


def cases_for(session: Session, customer_id: uuid.UUID) -> list[CaseSummary]:
    """Open cases first (oldest first: the longest-waiting problem on top), then the rest, newest first."""
    return pane_sql.cases(plain(session), customer_id)


def case_by_id(session: Session, case_id: uuid.UUID) -> CaseSummary | None:
    return pane_sql.case_by_id(plain(session), case_id)


def customer_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Customer)) or 0
