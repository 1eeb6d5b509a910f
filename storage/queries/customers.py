"""Customer look-ups: search by each kind of key, the header profile, history pages and cases."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, and_, case, func, or_, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from storage.models import (
    AccountOwnerChange,
    Case,
    ContactEvent,
    Customer,
    CustomerPhone,
    User,
)
from storage.records import (
    CaseSummary,
    CustomerMatch,
    CustomerProfile,
    OwnerChange,
    TimelineEntry,
    TimelineKey,
)
from storage.vocabulary import CaseStatus, Channel

# Built once: an alias made per call costs SQLAlchemy its column adaptation again every time.
_OWNER = aliased(User, name="owner")
_GIVER, _TAKER = aliased(User, name="giver"), aliased(User, name="taker")

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


def _live(statement: Select[Any]) -> Select[Any]:
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
    return session.scalar(select(Customer.id).where(Customer.account_number == account_number))


def profile(session: Session, customer_id: uuid.UUID) -> CustomerProfile | None:
    row = session.execute(
        select(Customer, _OWNER.display_name)
        .outerjoin(_OWNER, _OWNER.id == Customer.account_owner_id)
        .where(Customer.id == customer_id)
    ).first()
    if row is None:
        return None
    customer, owner_name = row
    phones = tuple(
        session.scalars(
            select(CustomerPhone.e164)
            .where(CustomerPhone.customer_id == customer_id)
            .order_by(CustomerPhone.is_primary.desc(), CustomerPhone.e164)
        )
    )
    changes = tuple(
        OwnerChange(changed_at, from_name, to_name, note)
        for changed_at, from_name, to_name, note in session.execute(
            select(
                AccountOwnerChange.changed_at,
                _GIVER.display_name,
                _TAKER.display_name,
                AccountOwnerChange.note,
            )
            .outerjoin(_GIVER, _GIVER.id == AccountOwnerChange.from_user_id)
            .join(_TAKER, _TAKER.id == AccountOwnerChange.to_user_id)
            .where(AccountOwnerChange.customer_id == customer_id)
            .order_by(AccountOwnerChange.changed_at.desc())
            .limit(5)
        )
    )
    return CustomerProfile(
        id=customer.id,
        account_number=customer.account_number,
        title=customer.title,
        given_name=customer.given_name,
        family_name=customer.family_name,
        email=customer.email,
        phones=phones,
        address_line=customer.address_line,
        town=customer.town,
        postcode=customer.postcode,
        vulnerable=customer.vulnerable,
        vulnerability_note=customer.vulnerability_note,
        marketing_consent=customer.marketing_consent,
        preferred_channel=customer.preferred_channel,
        customer_since=customer.customer_since,
        account_owner=owner_name,
        owner_changes=changes,
    )


def history_page(
    session: Session,
    customer_id: uuid.UUID,
    *,
    channels: frozenset[Channel] | None = None,
    after: TimelineKey | None = None,
    limit: int = 200,
) -> list[TimelineEntry]:
    """Newest first, by keyset: page N costs the same as page 1, whatever the history's length."""
    statement = (
        select(
            ContactEvent.id,
            ContactEvent.occurred_at,
            ContactEvent.channel,
            ContactEvent.direction,
            User.display_name,
            ContactEvent.subject,
            ContactEvent.summary,
            Case.reference,
        )
        .outerjoin(User, User.id == ContactEvent.advisor_id)
        .outerjoin(Case, Case.id == ContactEvent.case_id)
        .where(ContactEvent.customer_id == customer_id)
        .order_by(ContactEvent.occurred_at.desc(), ContactEvent.id.desc())
        .limit(limit)
    )
    if channels is not None:
        statement = statement.where(ContactEvent.channel.in_(sorted(channels)))
    if after is not None:
        statement = statement.where(
            tuple_(ContactEvent.occurred_at, ContactEvent.id) < tuple_(after.occurred_at, after.id)
        )
    return [TimelineEntry(*row) for row in session.execute(statement)]


OPEN_STATUSES = [status for status in CaseStatus if status.is_open]


def case_select() -> Select[*tuple[Any, ...]]:
    """The columns of a CaseSummary, in order, with the owner's name."""
    return select(
        Case.id,
        Case.reference,
        Case.kind,
        Case.title,
        Case.status,
        Case.severity,
        User.display_name,
        Case.opened_at,
        Case.target_at,
        Case.resolved_at,
        Case.next_step,
        Case.formal_complaint,
        Case.owner_id,
        Case.updated_at,
        Case.version,
        Case.root_cause_category,
        Case.root_cause_text,
        Case.confirmation,
        Case.confirmation_attempts,
        Case.closed_at,
        Case.reopened_count,
        Case.complaint_made_at,
        Case.complaint_deadline_at,
        Case.deadlock_at,
        Case.adr_letter_sent_at,
        Case.customer_id,
    ).outerjoin(User, User.id == Case.owner_id)


def cases_for(session: Session, customer_id: uuid.UUID) -> list[CaseSummary]:
    """Open cases first (oldest first: the longest-waiting problem on top), then the rest, newest first."""
    is_open = Case.status.in_(OPEN_STATUSES)
    statement = (
        case_select()
        .where(Case.customer_id == customer_id)
        .order_by(
            case((is_open, 0), else_=1),
            case((is_open, Case.opened_at), else_=None),
            Case.opened_at.desc(),
        )
    )
    return [CaseSummary(*tuple(row)) for row in session.execute(statement)]


def case_by_id(session: Session, case_id: uuid.UUID) -> CaseSummary | None:
    row = session.execute(case_select().where(Case.id == case_id)).first()
    return CaseSummary(*tuple(row)) if row is not None else None


def customer_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Customer)) or 0
