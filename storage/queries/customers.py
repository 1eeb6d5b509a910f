"""Customer look-ups: search by each kind of key, the header profile, history pages and cases."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    ScalarSelect,
    Select,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from domain.records import (
    CaseSummary,
    CustomerMatch,
    CustomerProfile,
    OwnerChange,
    TimelineEntry,
    TimelineKey,
)
from domain.vocabulary import CaseStatus, Channel
from storage.models import (
    AccountOwnerChange,
    Case,
    ContactEvent,
    Customer,
    CustomerPhone,
    User,
)
from storage.prepared import built_once, rows

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
    return session.scalar(select(Customer.id).where(Customer.account_number == account_number))


@built_once
def _profile_statement() -> Select[*tuple[Any, ...]]:
    return (
        select(
            Customer.id,
            Customer.account_number,
            Customer.title,
            Customer.given_name,
            Customer.family_name,
            Customer.email,
            Customer.address_line,
            Customer.town,
            Customer.postcode,
            Customer.vulnerable,
            Customer.vulnerability_note,
            Customer.marketing_consent,
            Customer.preferred_channel,
            Customer.customer_since,
            _OWNER.display_name,
        )
        .outerjoin(_OWNER, _OWNER.id == Customer.account_owner_id)
        .where(Customer.id == bindparam("customer_id"))
    )


@built_once
def _phones_statement() -> Select[*tuple[Any, ...]]:
    return (
        select(CustomerPhone.e164)
        .where(CustomerPhone.customer_id == bindparam("customer_id"))
        .order_by(CustomerPhone.is_primary.desc(), CustomerPhone.e164)
    )


@built_once
def _owner_changes_statement() -> Select[*tuple[Any, ...]]:
    return (
        select(
            AccountOwnerChange.changed_at,
            _GIVER.display_name,
            _TAKER.display_name,
            AccountOwnerChange.note,
        )
        .outerjoin(_GIVER, _GIVER.id == AccountOwnerChange.from_user_id)
        .join(_TAKER, _TAKER.id == AccountOwnerChange.to_user_id)
        .where(AccountOwnerChange.customer_id == bindparam("customer_id"))
        .order_by(AccountOwnerChange.changed_at.desc())
        .limit(5)
    )


def profile(session: Session, customer_id: uuid.UUID) -> CustomerProfile | None:
    params = {"customer_id": customer_id}
    found = rows(session, _profile_statement(), params)
    if not found:
        return None
    (
        id_,
        account_number,
        title,
        given_name,
        family_name,
        email,
        address_line,
        town,
        postcode,
        vulnerable,
        vulnerability_note,
        marketing_consent,
        preferred_channel,
        customer_since,
        owner_name,
    ) = found[0]
    phones = tuple(row[0] for row in rows(session, _phones_statement(), params))
    changes = tuple(
        OwnerChange(changed_at, from_name, to_name, note)
        for changed_at, from_name, to_name, note in rows(session, _owner_changes_statement(), params)
    )
    return CustomerProfile(
        id=id_,
        account_number=account_number,
        title=title,
        given_name=given_name,
        family_name=family_name,
        email=email,
        phones=phones,
        address_line=address_line,
        town=town,
        postcode=postcode,
        vulnerable=vulnerable,
        vulnerability_note=vulnerability_note,
        marketing_consent=marketing_consent,
        preferred_channel=preferred_channel,
        customer_since=customer_since,
        account_owner=owner_name,
        owner_changes=changes,
    )


@built_once
def _history_statement(filtered: bool, paged: bool) -> Select[*tuple[Any, ...]]:
    """A history page's select; `filtered`: only the channels given, `paged`: after a keyset."""
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
        .where(ContactEvent.customer_id == bindparam("customer_id"))
        .order_by(ContactEvent.occurred_at.desc(), ContactEvent.id.desc())
        .limit(bindparam("limit", type_=Integer))
    )
    if filtered:
        statement = statement.where(ContactEvent.channel.in_(bindparam("channels", expanding=True)))
    if paged:
        statement = statement.where(
            tuple_(ContactEvent.occurred_at, ContactEvent.id)
            < tuple_(
                bindparam("after_at", type_=ContactEvent.occurred_at.type),
                bindparam("after_id", type_=ContactEvent.id.type),
            )
        )
    return statement


def history_page(
    session: Session,
    customer_id: uuid.UUID,
    *,
    channels: frozenset[Channel] | None = None,
    after: TimelineKey | None = None,
    limit: int = 200,
) -> list[TimelineEntry]:
    """Newest first, by keyset: page N costs the same as page 1, whatever the history's length."""
    params: dict[str, Any] = {"customer_id": customer_id, "limit": limit}
    if channels is not None:
        params["channels"] = sorted(channels)
    if after is not None:
        params["after_at"], params["after_id"] = after.occurred_at, after.id
    statement = _history_statement(channels is not None, after is not None)
    return [TimelineEntry(*row) for row in rows(session, statement, params)]


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


@built_once
def _cases_statement() -> Select[*tuple[Any, ...]]:
    is_open = Case.status.in_(OPEN_STATUSES)
    return (
        case_select()
        .where(Case.customer_id == bindparam("customer_id"))
        .order_by(
            case((is_open, 0), else_=1),
            case((is_open, Case.opened_at), else_=None),
            Case.opened_at.desc(),
        )
    )


def cases_for(session: Session, customer_id: uuid.UUID) -> list[CaseSummary]:
    """Open cases first (oldest first: the longest-waiting problem on top), then the rest, newest first."""
    return [
        CaseSummary(*tuple(row)) for row in rows(session, _cases_statement(), {"customer_id": customer_id})
    ]


def case_by_id(session: Session, case_id: uuid.UUID) -> CaseSummary | None:
    row = session.execute(case_select().where(Case.id == case_id)).first()
    return CaseSummary(*tuple(row)) if row is not None else None


def customer_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Customer)) or 0
