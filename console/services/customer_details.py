"""Changing a customer's details with a reason, never losing the value replaced, and bringing an
earlier detail back; each change is a line on the timeline and a `customer.*` mutation."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from console.clock import Clock
from console.details_rules import (
    FIELD_WORDS,
    DetailRuleError,
    NewCustomer,
    check_new_customer,
    check_reason,
    check_value,
)
from console.ids import new_id
from console.normalise import name_key
from console.services.events import console_event
from console.sync import outbox
from domain import mutation_kinds
from domain.records import DetailChangeRecord, UserRecord
from domain.vocabulary import PhoneKind
from storage import writes
from storage.queries import customer_details as queries
from storage.store import Store


@dataclass(frozen=True)
class Duplicate:
    """Another customer already holding a number or email being set: a warning, not a refusal."""

    field: str
    value: str
    account_number: str
    name: str

    def words(self) -> str:
        return f"{self.value} already belongs to {self.name} ({self.account_number})"


def shown(value: str | None) -> str:
    """A detail's value in a timeline line or the history list."""
    return value if value is not None else "(none)"


class DetailsService:
    def __init__(self, store: Store, clock: Clock, user: UserRecord) -> None:
        self._store = store
        self._clock = clock
        self.user = user

    def current(self, customer_id: uuid.UUID) -> dict[str, str | None]:
        with self._store.read() as session:
            found = queries.current(session, customer_id)
        if found is None:
            raise DetailRuleError("no such customer")
        return found

    def history(self, customer_id: uuid.UUID) -> list[DetailChangeRecord]:
        """Every change of the customer's details, newest first."""
        with self._store.read() as session:
            return queries.changes(session, customer_id)

    def duplicates(self, customer_id: uuid.UUID | None, values: Mapping[str, str | None]) -> list[Duplicate]:
        """Numbers and emails among `values` (checked ones) that other customers already hold."""
        found: list[Duplicate] = []
        with self._store.read() as session:
            for field, value in values.items():
                if value is None:
                    continue
                if field.endswith("_phone"):
                    owners = queries.others_with_phone(session, value, customer_id)
                elif field == "email":
                    owners = queries.others_with_email(session, value, customer_id)
                else:
                    continue
                found += [Duplicate(field, value, account, name) for account, name in owners]
        return found

    def create(self, new: NewCustomer) -> uuid.UUID:
        """Check everything first (DetailRuleError, nothing saved), then make the customer with a
        provisional account number (the server gives the real one) and their line on the timeline."""
        values = check_new_customer(new)
        now = self._clock.now()
        customer_id, phone_id = new_id(), new_id() if values["phone"] else None
        phone = values["phone"]
        kind = None if phone is None else PhoneKind.MOBILE if phone.startswith("+447") else PhoneKind.LANDLINE
        account = "P" + customer_id.hex[:9].upper()
        name = f"{values['given_name']} {values['family_name']}"
        reason = str(values["reason"])
        event = console_event(
            self.user.id,
            customer_id,
            None,
            now,
            f"New customer: {name}",
            f"New customer: {name}. Reason: {reason}",
        )
        payload: dict[str, object] = {
            key: values[key]
            for key in (
                "given_name",
                "family_name",
                "email",
                "address_line",
                "town",
                "postcode",
                "preferred_channel",
                "phone",
            )
        }
        payload |= {
            "id": str(customer_id),
            "marketing_consent": new.marketing_consent,
            "phone_id": str(phone_id) if phone_id else None,
            "reason": reason,
            "event_id": str(event.id),
        }
        with self._store.durable_write() as session:
            writes.write(
                session,
                lambda s: queries.add_customer(
                    s,
                    customer_id=customer_id,
                    account_number=account,
                    values=values,
                    name_keys=(name_key(str(values["given_name"])), name_key(str(values["family_name"]))),
                    marketing_consent=new.marketing_consent,
                    phone_id=phone_id,
                    phone_kind=kind,
                    at=now,
                ),
                actor=self.user.username,
                at=now,
                queue=outbox.queue,
                line=event,
                mutation=writes.Mutation(mutation_kinds.CUSTOMER_CREATE, payload, customer_id),
                audit=writes.AuditAction("customer.create", "customer", customer_id, {"account": account}),
            )
        return customer_id

    def change(
        self, customer_id: uuid.UUID, values: Mapping[str, str | None], reason: str
    ) -> list[DetailChangeRecord]:
        """Check every value and the reason first (DetailRuleError, nothing saved), then set the ones
        that differ, each kept with the value it replaces, all in one unit of work."""
        why = check_reason(reason)
        checked = {field: check_value(field, value) for field, value in values.items()}
        made: list[DetailChangeRecord] = []
        with self._store.durable_write() as session:
            before = queries.current(session, customer_id)
            if before is None:
                raise DetailRuleError("no such customer")
            for field, value in checked.items():
                if before[field] != value:
                    made.append(self._set(session, customer_id, field, before[field], value, why, None))
        return made

    def restore(self, change_id: uuid.UUID, reason: str) -> DetailChangeRecord:
        """Bring back the value change `change_id` replaced, as a change of its own."""
        why = check_reason(reason)
        with self._store.durable_write() as session:
            earlier = queries.get(session, change_id)
            if earlier is None:
                raise DetailRuleError("no such detail change")
            if earlier.old_value is None:
                raise DetailRuleError("there is no earlier value to bring back")
            before = queries.current(session, earlier.customer_id)
            if before is None:
                raise DetailRuleError("no such customer")
            return self._set(
                session,
                earlier.customer_id,
                earlier.field,
                before[earlier.field],
                earlier.old_value,
                why,
                earlier.id,
            )

    def _set(
        self,
        session: Session,
        customer_id: uuid.UUID,
        field: str,
        old: str | None,
        new: str | None,
        reason: str,
        restores: uuid.UUID | None,
    ) -> DetailChangeRecord:
        now = self._clock.now()
        change_id = new_id()
        record = DetailChangeRecord(
            id=change_id,
            customer_id=customer_id,
            field=field,
            old_value=old,
            new_value=new,
            reason=reason,
            changed_by=self.user.id,
            changed_by_name=self.user.display_name,
            changed_at=now,
            restores_id=restores,
        )
        verb = "restored" if restores is not None else "changed"
        subject = f"Details {verb}: {FIELD_WORDS[field]} {shown(old)} → {shown(new)}"
        event = console_event(self.user.id, customer_id, None, now, subject, f"{subject}. Reason: {reason}")
        if restores is not None:
            kind = mutation_kinds.CUSTOMER_RESTORE_DETAIL
            payload: dict[str, object] = {
                "id": str(change_id),
                "restores_id": str(restores),
                "reason": reason,
                "event_id": str(event.id),
            }
        else:
            kind = mutation_kinds.CUSTOMER_CHANGE_DETAILS
            payload = {
                "id": str(change_id),
                "customer_id": str(customer_id),
                "field": field,
                "value": new,
                "reason": reason,
                "event_id": str(event.id),
            }

        def apply(s: Session) -> DetailChangeRecord:
            queries.set_value(s, customer_id, field, new, phone_id=change_id, at=now)
            queries.add_change(s, record)
            return record

        return writes.write(
            session,
            apply,
            actor=self.user.username,
            at=now,
            queue=outbox.queue,
            line=event,
            mutation=writes.Mutation(kind, dict(payload), change_id),
            audit=writes.AuditAction(
                f"customer.{'restore_detail' if restores else 'change_details'}",
                "customer",
                customer_id,
                {"field": field, "change_id": str(change_id)},
            ),
        )
