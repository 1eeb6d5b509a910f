"""The customers a workstation holds whole (table `holdings`): kept with the change log's head their
records were read at, touched when opened, and evicted (their rows deleted) when nobody opened them
for a while and nothing of theirs waits in the outbox."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Table, and_, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from domain.vocabulary import MutationState
from storage.models import (
    Case,
    CaseContactCount,
    ContactEvent,
    CustomerContact,
    Goodwill,
    Handoff,
    Holding,
    OutboxEntry,
    Promise,
    WrapUpDraft,
)
from storage.models.base import Base
from storage.queries import sync as sync_queries
from storage.replica import ENTITIES

_CHUNK = 500


def _chunks(ids: Iterable[uuid.UUID]) -> Iterable[list[uuid.UUID]]:
    ordered = list(ids)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


def hold(session: Session, customer_ids: Iterable[uuid.UUID], since_seq: int, now: datetime) -> None:
    """These customers' records, read at the change log's `since_seq`, are now held whole: a change
    at or before that number is older than them. Held again, a customer keeps the later number and
    is no longer evicted."""
    rows = [
        {"customer_id": found, "since_seq": since_seq, "held_at": now, "touched_at": now, "evicted_at": None}
        for found in dict.fromkeys(customer_ids)
    ]
    if not rows:
        return
    sqlite_dialect = session.get_bind().dialect.name == "sqlite"
    statement = (sqlite.insert if sqlite_dialect else postgresql.insert)(Holding)
    later = (func.max if sqlite_dialect else func.greatest)(Holding.since_seq, statement.excluded.since_seq)
    statement = statement.on_conflict_do_update(
        index_elements=["customer_id"], set_={"since_seq": later, "evicted_at": None}
    )
    for start in range(0, len(rows), _CHUNK):
        session.execute(statement, rows[start : start + _CHUNK])


def touch(session: Session, customer_id: uuid.UUID, now: datetime) -> None:
    """An advisor opened the customer: their eviction clock starts again."""
    session.execute(update(Holding).where(Holding.customer_id == customer_id).values(touched_at=now))


def is_held(session: Session, customer_id: uuid.UUID) -> bool:
    return (
        session.execute(
            select(Holding.customer_id).where(
                Holding.customer_id == customer_id, Holding.evicted_at.is_(None)
            )
        ).scalar()
        is not None
    )


def held_keys(session: Session) -> list[uuid.UUID]:
    """Every customer held whole, in id order (what this workstation is interested in)."""
    return list(
        session.execute(
            select(Holding.customer_id).where(Holding.evicted_at.is_(None)).order_by(Holding.customer_id)
        ).scalars()
    )


def since_seqs(session: Session, customer_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int | None]:
    """For each of `customer_ids` this store has a holding for: the head its records were read at,
    or None once evicted (its changes are no longer kept)."""
    found: dict[uuid.UUID, int | None] = {}
    for chunk in _chunks(set(customer_ids)):
        rows = session.execute(
            select(Holding.customer_id, Holding.since_seq, Holding.evicted_at).where(
                Holding.customer_id.in_(chunk)
            )
        )
        for customer_id, since_seq, evicted_at in rows:
            found[customer_id] = None if evicted_at is not None else int(since_seq)
    return found


def untouched_since(session: Session, before: datetime) -> list[uuid.UUID]:
    """Held customers nobody opened since `before`: candidates for eviction."""
    return list(
        session.execute(
            select(Holding.customer_id)
            .where(Holding.evicted_at.is_(None), Holding.touched_at < before)
            .order_by(Holding.customer_id)
        ).scalars()
    )


def busy(session: Session) -> set[uuid.UUID]:
    """Customers with something not yet on the server: a mutation waiting in the outbox (by the
    customer its payload names, or the record it changes), or a wrap-up draft."""
    pending = sync_queries.pending_entity_ids(session)
    found: set[uuid.UUID] = set(pending)  # a customer's own mutations name the customer
    rows = session.execute(select(OutboxEntry.payload).where(OutboxEntry.state == MutationState.PENDING))
    for (payload,) in rows:
        named = payload.get("customer_id") if isinstance(payload, dict) else None
        if isinstance(named, str):
            found.add(uuid.UUID(named))
    for model in (Case, Promise, Goodwill, Handoff, ContactEvent):
        for chunk in _chunks(pending):
            found.update(session.execute(select(model.customer_id).where(model.id.in_(chunk))).scalars())
    found.update(session.execute(select(WrapUpDraft.customer_id)).scalars())
    return found


def _tables() -> list[Table]:
    """The tables of a customer's records (replica.ENTITIES), children first."""
    names = {str(model.__tablename__) for model in ENTITIES.values()}
    return [table for table in reversed(Base.metadata.sorted_tables) if table.name in names]


def evict(session: Session, customer_ids: list[uuid.UUID], now: datetime) -> int:
    """Drop these customers' records from the store, in the caller's transaction, and mark their
    holdings evicted (released on the server later). The board's derived rows of their contacts go
    too, so a customer fetched again is counted afresh. Returns how many customers were dropped."""
    busy_now = busy(session)
    dropped = [found for found in customer_ids if found not in busy_now]
    if not dropped:
        return 0
    for chunk in _chunks(dropped):
        session.execute(
            update(Holding)
            .where(Holding.customer_id.in_(chunk), Holding.evicted_at.is_(None))
            .values(evicted_at=now)
        )
        cases = select(Case.id).where(Case.customer_id.in_(chunk))
        events = select(ContactEvent.id).where(ContactEvent.customer_id.in_(chunk))
        session.execute(delete(CustomerContact).where(CustomerContact.event_id.in_(events)))
        session.execute(delete(CaseContactCount).where(CaseContactCount.case_id.in_(cases)))
        tables = _tables()
        for table in tables:
            if "customer_id" not in table.c and "case_id" in table.c:  # case owner changes
                session.execute(delete(table).where(table.c.case_id.in_(cases)))
        for table in tables:
            if table.name == "promises":  # a promise may name its follow-up: unlink them first
                session.execute(update(table).where(table.c.customer_id.in_(chunk)).values(follow_up_id=None))
            if table.name == "customers":
                session.execute(delete(table).where(table.c.id.in_(chunk)))
            elif "customer_id" in table.c:
                session.execute(delete(table).where(table.c.customer_id.in_(chunk)))
    return len(dropped)


def evicted(session: Session) -> list[uuid.UUID]:
    """Customers dropped from the store whose release the server has not confirmed yet."""
    return list(
        session.execute(
            select(Holding.customer_id).where(Holding.evicted_at.is_not(None)).order_by(Holding.customer_id)
        ).scalars()
    )


def forget(session: Session, customer_ids: Iterable[uuid.UUID]) -> None:
    """The server released them: nothing of them is left here."""
    for chunk in _chunks(customer_ids):
        session.execute(
            delete(Holding).where(and_(Holding.customer_id.in_(chunk), Holding.evicted_at.is_not(None)))
        )
