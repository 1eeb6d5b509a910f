"""storage.writes.write: an act's row, timeline line, outbox mutation and audit entry, all or none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.ids import new_id
from console.services.events import console_event
from console.sync import outbox
from domain import mutation_kinds
from domain.records import PromiseRecord
from domain.vocabulary import Channel, PromiseKind
from storage import audit, writes
from storage.models import AuditEntry, ContactEvent, Customer, OutboxEntry, Promise, User
from storage.queries import promises
from storage.store import Store
from tests.helpers import factories

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def counts(store: Store) -> dict[str, int]:
    with store.read() as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Promise, ContactEvent, OutboxEntry, AuditEntry)
        }


def act(store: Store, *, fail_audit: bool = False) -> PromiseRecord:
    """A promise made through the write function, its audit step failing on request."""
    with store.read() as session:
        owner = session.scalars(select(User)).one()
        customer_id = session.scalars(select(Customer.id)).one()
    promise_id = new_id()
    event = console_event(owner.id, customer_id, None, NOW, "Promise made: callback", "ring back")

    def entry(made: PromiseRecord) -> writes.AuditAction:
        if fail_audit:
            raise RuntimeError("the audit step failed")
        return writes.AuditAction("promise.create", "promise", made.id, {"due_at": made.due_at.isoformat()})

    def change(session: Session) -> PromiseRecord:
        return promises.add(
            session,
            promise_id=promise_id,
            customer_id=customer_id,
            case_id=None,
            kind=PromiseKind.CALLBACK,
            owner_id=owner.id,
            created_at=NOW,
            due_at=NOW + timedelta(hours=2),
            window_end_at=None,
            phone_e164=None,
            note="ring back",
        )

    payload = outbox.promise_create(
        promise_id=promise_id,
        customer_id=customer_id,
        case_id=None,
        kind=PromiseKind.CALLBACK,
        due_at=NOW + timedelta(hours=2),
        window_end_at=None,
        phone_e164=None,
        note="ring back",
        event_id=event.id,
    )
    with store.durable_write() as session:
        return writes.write(
            session,
            change,
            actor=owner.username,
            at=NOW,
            queue=outbox.queue,
            line=event,
            mutation=writes.Mutation(mutation_kinds.PROMISE_CREATE, payload, promise_id),
            audit=entry,
        )


def seed(store: Store) -> None:
    with store.write() as session:
        session.add_all([factories.user("alex"), factories.customer()])


def test_all_four_steps_are_written(sqlite_store: Store) -> None:
    seed(sqlite_store)
    made = act(sqlite_store)
    assert counts(sqlite_store) == {"Promise": 1, "ContactEvent": 1, "OutboxEntry": 1, "AuditEntry": 1}
    with sqlite_store.read() as session:
        line = session.scalars(select(ContactEvent)).one()
        queued = session.scalars(select(OutboxEntry)).one()
        entry = session.scalars(select(AuditEntry)).one()
        assert audit.verify(session) == []
    assert made.note == "ring back" and made.owner_name == "Alex"
    assert line.channel is Channel.SYSTEM and line.summary == "ring back"
    assert queued.kind == "promise.create" and queued.entity_id == made.id and queued.actor == "alex"
    assert queued.payload["event_id"] == str(line.id)
    assert entry.action == "promise.create" and entry.entity_id == made.id and entry.actor == "alex"


def test_a_failing_step_leaves_nothing(sqlite_store: Store) -> None:
    seed(sqlite_store)
    with pytest.raises(RuntimeError, match="audit step failed"):
        act(sqlite_store, fail_audit=True)
    assert counts(sqlite_store) == {"Promise": 0, "ContactEvent": 0, "OutboxEntry": 0, "AuditEntry": 0}


def test_an_unknown_mutation_kind_leaves_nothing(sqlite_store: Store) -> None:
    seed(sqlite_store)
    with sqlite_store.read() as session:
        owner = session.scalars(select(User)).one()
        customer_id = session.scalars(select(Customer.id)).one()
    event = console_event(owner.id, customer_id, None, NOW, "Called", "rang the customer")
    with pytest.raises(ValueError, match="unknown mutation kind"), sqlite_store.durable_write() as session:
        writes.write(
            session,
            actor=owner.username,
            at=NOW,
            queue=outbox.queue,
            line=event,
            mutation=writes.Mutation("contact.shout", {}, event.id),
        )
    assert counts(sqlite_store)["ContactEvent"] == 0
