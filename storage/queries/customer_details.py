"""A customer's details as text, set one at a time, and their history (customer_detail_changes):
the value each change replaced is kept there, never overwritten out of sight."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from domain.records import DetailChangeRecord
from domain.vocabulary import Channel, PhoneKind
from storage.models import Customer, CustomerDetailChange, CustomerPhone, User

PHONE_KINDS: dict[str, PhoneKind] = {
    "mobile_phone": PhoneKind.MOBILE,
    "landline_phone": PhoneKind.LANDLINE,
    "work_phone": PhoneKind.WORK,
}
FLAGS = ("marketing_consent", "vulnerable")
TEXTS = ("email", "address_line", "town", "postcode", "vulnerability_note")


def _flag(value: bool) -> str:
    return "yes" if value else "no"


def _email_key(email: str) -> str:
    """As console.normalise.email_key folds it for search."""
    return email.strip().casefold()


def current(session: Session, customer_id: uuid.UUID) -> dict[str, str | None] | None:
    """Every detail as the rules write it (yes/no, E.164, the printed postcode), or None: no customer."""
    customer = session.get(Customer, customer_id)
    if customer is None or customer.deleted:
        return None
    values: dict[str, str | None] = {name: getattr(customer, name) for name in TEXTS}
    values["preferred_channel"] = customer.preferred_channel.value
    for name in FLAGS:
        values[name] = _flag(getattr(customer, name))
    phones = session.scalars(
        select(CustomerPhone).where(CustomerPhone.customer_id == customer_id).order_by(CustomerPhone.id)
    ).all()
    for field, kind in PHONE_KINDS.items():
        values[field] = next((phone.e164 for phone in phones if phone.kind is kind), None)
    return values


def set_value(
    session: Session,
    customer_id: uuid.UUID,
    field: str,
    value: str | None,
    *,
    phone_id: uuid.UUID,
    at: datetime,
) -> None:
    """Set one detail (a value the rules passed). A phone of a kind the customer lacks is added as
    `phone_id`."""
    changes: dict[str, object] = {"updated_at": at, "version": Customer.version + 1}
    if field in PHONE_KINDS:
        assert value is not None
        kind = PHONE_KINDS[field]
        phone = session.scalars(
            select(CustomerPhone)
            .where(CustomerPhone.customer_id == customer_id, CustomerPhone.kind == kind)
            .order_by(CustomerPhone.id)
        ).first()
        if phone is None:
            session.add(
                CustomerPhone(id=phone_id, customer_id=customer_id, kind=kind, e164=value, is_primary=False)
            )
        else:
            phone.e164 = value
    elif field in FLAGS:
        changes[field] = value == "yes"
    elif field == "preferred_channel":
        changes[field] = Channel(str(value))
    else:
        changes[field] = value
        if field == "email":
            changes["email_key"] = _email_key(value) if value is not None else None
        if field == "postcode":
            changes["postcode_key"] = (value or "").replace(" ", "").upper()
    session.execute(update(Customer).where(Customer.id == customer_id).values(changes))
    session.flush()


def add_change(session: Session, record: DetailChangeRecord) -> None:
    session.add(
        CustomerDetailChange(
            id=record.id,
            customer_id=record.customer_id,
            field=record.field,
            old_value=record.old_value,
            new_value=record.new_value,
            reason=record.reason,
            changed_by=record.changed_by,
            changed_at=record.changed_at,
            restores_id=record.restores_id,
        )
    )
    session.flush()


def _records(session: Session, *where: object) -> list[DetailChangeRecord]:
    rows = session.execute(
        select(CustomerDetailChange, User.display_name)
        .join(User, User.id == CustomerDetailChange.changed_by)
        .where(*where)  # type: ignore[arg-type]
        .order_by(CustomerDetailChange.changed_at.desc(), CustomerDetailChange.id)
    ).all()
    return [
        DetailChangeRecord(
            id=row.id,
            customer_id=row.customer_id,
            field=row.field,
            old_value=row.old_value,
            new_value=row.new_value,
            reason=row.reason,
            changed_by=row.changed_by,
            changed_by_name=name,
            changed_at=row.changed_at,
            restores_id=row.restores_id,
        )
        for row, name in rows
    ]


def changes(session: Session, customer_id: uuid.UUID) -> list[DetailChangeRecord]:
    """The customer's detail history, newest first."""
    return _records(session, CustomerDetailChange.customer_id == customer_id)


def get(session: Session, change_id: uuid.UUID) -> DetailChangeRecord | None:
    found = _records(session, CustomerDetailChange.id == change_id)
    return found[0] if found else None


def others_with_phone(session: Session, e164: str, customer_id: uuid.UUID | None) -> list[tuple[str, str]]:
    """(account number, name) of the other customers holding this number."""
    query = (
        select(Customer.account_number, Customer.given_name, Customer.family_name)
        .join(CustomerPhone, CustomerPhone.customer_id == Customer.id)
        .where(CustomerPhone.e164 == e164, ~Customer.deleted)
    )
    if customer_id is not None:
        query = query.where(Customer.id != customer_id)
    return [
        (account, f"{given} {family}") for account, given, family in session.execute(query.distinct()).all()
    ]


def others_with_email(session: Session, email: str, customer_id: uuid.UUID | None) -> list[tuple[str, str]]:
    """(account number, name) of the other customers holding this email."""
    query = select(Customer.account_number, Customer.given_name, Customer.family_name).where(
        Customer.email_key == _email_key(email), ~Customer.deleted
    )
    if customer_id is not None:
        query = query.where(Customer.id != customer_id)
    return [(account, f"{given} {family}") for account, given, family in session.execute(query).all()]


def add_customer(
    session: Session,
    *,
    customer_id: uuid.UUID,
    account_number: str,
    values: dict[str, str | None],
    name_keys: tuple[str, str],
    marketing_consent: bool,
    phone_id: uuid.UUID | None,
    phone_kind: PhoneKind | None,
    at: datetime,
) -> None:
    """A new customer (values the rules passed) and their phone, if any."""
    email, postcode = values["email"], values["postcode"] or ""
    session.add(
        Customer(
            id=customer_id,
            account_number=account_number,
            title=None,
            given_name=values["given_name"],
            family_name=values["family_name"],
            given_key=name_keys[0],
            family_key=name_keys[1],
            email=email,
            email_key=_email_key(email) if email else None,
            address_line=values["address_line"],
            town=values["town"],
            postcode=postcode,
            postcode_key=postcode.replace(" ", ""),
            vulnerable=False,
            vulnerability_note=None,
            marketing_consent=marketing_consent,
            preferred_channel=Channel(str(values["preferred_channel"])),
            account_owner_id=None,
            customer_since=at.date(),
            created_at=at,
            updated_at=at,
            version=1,
            deleted=False,
        )
    )
    session.flush()
    if values["phone"] is not None and phone_id is not None and phone_kind is not None:
        session.add(
            CustomerPhone(
                id=phone_id, customer_id=customer_id, kind=phone_kind, e164=values["phone"], is_primary=True
            )
        )
        session.flush()
