"""Build single rows with every required column filled, for tests that need exact, known data."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from console.ids import new_id
from console.normalise import email_key, name_key, phone_e164, postcode_key
from domain.vocabulary import (
    CaseKind,
    CaseStatus,
    Channel,
    Direction,
    PhoneKind,
    Role,
    Severity,
    Team,
)
from storage.models import Case, ContactEvent, Customer, CustomerPhone, User

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def user(username: str = "alex", role: Role = Role.ADVISOR, **extra: Any) -> User:
    values: dict[str, Any] = {
        "id": new_id(),
        "username": username,
        "display_name": username.title(),
        "role": role,
        "team": Team.FRONT_LINE,
        "goodwill_limit_pence": 5000 if role is Role.ADVISOR else 50000,
        "active": True,
        "created_at": T0,
    }
    return User(**(values | extra))


def customer(
    given: str = "Priya",
    family: str = "Shah",
    account: str = "40000001",
    postcode: str = "SW1A 1AA",
    email: str | None = "priya.shah@example.co.uk",
    **extra: Any,
) -> Customer:
    values: dict[str, Any] = {
        "id": new_id(),
        "account_number": account,
        "title": None,
        "given_name": given,
        "family_name": family,
        "given_key": name_key(given),
        "family_key": name_key(family),
        "email": email,
        "email_key": email_key(email) if email else None,
        "address_line": "1 High Street",
        "town": "London",
        "postcode": postcode,
        "postcode_key": postcode_key(postcode),
        "vulnerable": False,
        "vulnerability_note": None,
        "marketing_consent": True,
        "preferred_channel": Channel.PHONE,
        "account_owner_id": None,
        "customer_since": date(2015, 4, 1),
        "created_at": T0,
        "updated_at": T0,
        "version": 1,
        "deleted": False,
    }
    return Customer(**(values | extra))


def phone(
    owner: Customer, number: str, kind: PhoneKind = PhoneKind.MOBILE, primary: bool = True
) -> CustomerPhone:
    e164 = phone_e164(number)
    assert e164, number
    return CustomerPhone(id=new_id(), customer_id=owner.id, kind=kind, e164=e164, is_primary=primary)


def event(
    owner: Customer,
    at: datetime = T0,
    channel: Channel = Channel.PHONE,
    summary: str = "Customer called",
    advisor: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
) -> ContactEvent:
    return ContactEvent(
        id=new_id(),
        customer_id=owner.id,
        case_id=case_id,
        channel=channel,
        direction=Direction.INBOUND,
        advisor_id=advisor,
        occurred_at=at,
        recorded_at=at,
        subject=None,
        summary=summary,
    )


def case(
    owner: Customer, reference: str = "CS-0000001", status: CaseStatus = CaseStatus.OPEN, **extra: Any
) -> Case:
    values: dict[str, Any] = {
        "id": new_id(),
        "reference": reference,
        "customer_id": owner.id,
        "kind": CaseKind.BROADBAND_FAULT,
        "title": "Broadband keeps dropping",
        "status": status,
        "severity": Severity.MEDIUM,
        "owner_id": None,
        "opened_at": T0,
        "target_at": None,
        "resolved_at": None,
        "closed_at": None,
        "updated_at": T0,
        "next_step": None,
        "root_cause_category": None,
        "root_cause_text": None,
        "formal_complaint": False,
        "complaint_deadline_at": None,
        "reopened_count": 0,
        "version": 1,
    }
    return Case(**(values | extra))
