"""Users (advisors, supervisors) and customers with their phone numbers and account owners."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from domain.vocabulary import Channel, PhoneKind, Role, Team
from storage.models.base import Base, enum_column, uuid_pk
from storage.types import UTCDateTime, search_key


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = uuid_pk()
    username: Mapped[str] = mapped_column(String(63), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    team: Mapped[Team] = mapped_column(enum_column(Team, "team"))
    goodwill_limit_pence: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        # Name search reads a prefix range in name order; both orders so "jo" needs no sort.
        Index("ix_customers_family_given", "family_key", "given_key"),
        Index("ix_customers_given_family", "given_key", "family_key"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    account_number: Mapped[str] = mapped_column(search_key(16), unique=True)
    title: Mapped[str | None] = mapped_column(String(16))
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    # Search keys: case- and accent-folded copies, indexed for prefix search.
    given_key: Mapped[str] = mapped_column(search_key(100))
    family_key: Mapped[str] = mapped_column(search_key(100))
    email: Mapped[str | None] = mapped_column(String(254))
    email_key: Mapped[str | None] = mapped_column(search_key(254), index=True)
    address_line: Mapped[str] = mapped_column(String(200))
    town: Mapped[str] = mapped_column(String(100))
    postcode: Mapped[str] = mapped_column(String(10))
    postcode_key: Mapped[str] = mapped_column(search_key(8), index=True)
    vulnerable: Mapped[bool] = mapped_column(Boolean, default=False)
    vulnerability_note: Mapped[str | None] = mapped_column(Text)
    marketing_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    preferred_channel: Mapped[Channel] = mapped_column(enum_column(Channel, "preferred_channel"))
    account_owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"), index=True)
    customer_since: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class CustomerPhone(Base):
    __tablename__ = "customer_phones"
    __table_args__ = (Index("ix_customer_phones_e164", "e164"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("customers.id"), index=True)
    kind: Mapped[PhoneKind] = mapped_column(enum_column(PhoneKind, "phone_kind"))
    e164: Mapped[str] = mapped_column(search_key(16))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)


class AccountOwnerChange(Base):
    """Who owned the account before whom: the header shows the named owner and this history."""

    __tablename__ = "account_owner_changes"

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("customers.id"), index=True)
    from_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id"))
    to_user_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CustomerDetailChange(Base):
    """One customer detail set, with the value it replaced (kept, never overwritten out of sight), who
    changed it, when and why; `restores_id` names the change whose earlier value it brought back."""

    __tablename__ = "customer_detail_changes"
    __table_args__ = (Index("ix_customer_detail_changes_customer", "customer_id", "changed_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("customers.id"))
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    changed_by: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    restores_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
