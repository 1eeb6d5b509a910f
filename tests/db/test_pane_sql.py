"""The pane's plain-SQL reads give the same records, field by field, as the ORM queries they replace,
for the story customers and a seeded store, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from console.seed import seed_store
from console.seed.stories import STORY_ACCOUNTS
from console.services.offers import suppressor_cases_among
from domain.vocabulary import Channel
from storage import pane_sql
from storage.location import StoreLocation, parse_location
from storage.models import Customer, User
from storage.prepared import plain
from storage.queries import customers, goodwill, handoffs, offers, promises, users
from storage.store import Store, open_store

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
SINCE = NOW - timedelta(days=60)


def field_by_field(new: Any, old: Any) -> None:
    """Equal, and each field of the same type (a str is not an enum member, nor a hex text a UUID)."""
    assert new == old
    if isinstance(new, list | tuple):
        for a, b in zip(new, old, strict=True):
            field_by_field(a, b)
    elif dataclasses.is_dataclass(new):
        for item in dataclasses.fields(new):
            a, b = getattr(new, item.name), getattr(old, item.name)
            assert type(a) is type(b), (item.name, a, b)
            if isinstance(a, datetime):
                assert a.tzinfo is UTC and b.tzinfo is UTC, item.name
            field_by_field(a, b)


def ids_of(store: Store) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    with store.read() as session:
        customer_ids = list(session.scalars(select(Customer.id).order_by(Customer.account_number)))
        stories = list(
            session.scalars(select(Customer.id).where(Customer.account_number.in_(STORY_ACCOUNTS)))
        )
        user_ids = list(session.scalars(select(User.id)))
    assert len(stories) == len(STORY_ACCOUNTS) and set(stories) <= set(customer_ids)
    return customer_ids, user_ids


def compare_everything(store: Store) -> None:
    customer_ids, user_ids = ids_of(store)
    seen = dict.fromkeys(
        ("phones", "changes", "history", "cases", "promises", "handoffs", "goodwill", "decided"), False
    )
    with store.snapshot() as session:
        reader = plain(session)
        for customer_id in [*customer_ids, uuid.uuid4()]:
            profile = pane_sql.profile(reader, customer_id)
            field_by_field(profile, customers.profile(session, customer_id))
            history = pane_sql.history_page(reader, customer_id, limit=200)
            field_by_field(history, customers.history_page(session, customer_id, limit=200))
            if len(history) > 3:
                key = history[2].key
                channels = frozenset({history[0].channel, Channel.LETTER})
                for kwargs in ({"after": key}, {"channels": channels}, {"channels": channels, "after": key}):
                    field_by_field(
                        pane_sql.history_page(reader, customer_id, limit=5, **kwargs),  # type: ignore[arg-type]
                        customers.history_page(session, customer_id, limit=5, **kwargs),  # type: ignore[arg-type]
                    )
            found = pane_sql.cases(reader, customer_id)
            field_by_field(found, customers.cases_for(session, customer_id))
            for since in (SINCE, NOW - timedelta(days=3000), NOW):
                field_by_field(
                    suppressor_cases_among(found, since), offers.suppressor_cases(session, customer_id, since)
                )
            promised = pane_sql.promises(reader, customer_id)
            field_by_field(promised, promises.for_customer(session, customer_id))
            field_by_field(
                pane_sql.promises(reader, customer_id, include_closed=0),
                promises.for_customer(session, customer_id, include_closed=0),
            )
            handed = pane_sql.handoffs(reader, customer_id)
            field_by_field(handed, handoffs.for_customer(session, customer_id))
            given = pane_sql.goodwill_for_customer(reader, customer_id)
            field_by_field(given, goodwill.for_customer(session, customer_id))
            if profile is not None:
                seen["phones"] |= len(profile.phones) > 1
                seen["changes"] |= bool(profile.owner_changes)
            seen["history"] |= len(history) > 3
            seen["cases"] |= len(found) > 1
            seen["promises"] |= len(promised) > 1
            seen["handoffs"] |= len(handed) > 1
            seen["goodwill"] |= bool(given)
        field_by_field(pane_sql.active_offers(reader), offers.active_offers(session))
        pending = goodwill.pending(session, SINCE)
        field_by_field(pane_sql.goodwill_pending(reader, SINCE), pending)
        assert pending
        for since in (SINCE, NOW - timedelta(days=3000)):
            totals = pane_sql.month_totals(reader, user_ids, since)
            assert totals == goodwill.month_totals(session, set(user_ids), since)
            for user_id in [*user_ids, uuid.uuid4()]:
                decided = pane_sql.goodwill_decided_since(reader, user_id, since)
                field_by_field(decided, goodwill.decided_since(session, user_id, since))
                seen["decided"] |= bool(decided)
                found_user = users.by_id(session, user_id)
                assert pane_sql.goodwill_limit(reader, user_id) == (
                    found_user.goodwill_limit_pence if found_user else None
                )
    assert all(seen.values()), seen  # the comparison covered parts with something in them


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    location = parse_location(str(Path(tmp_path_factory.mktemp("pane-sql")) / "store.db"))
    store = open_store(location)
    seed_store(store, customers=40, seed=3, now=NOW)
    yield store
    store.close()


def test_the_plain_reads_equal_the_orm_reads_on_sqlite(seeded: Store) -> None:
    compare_everything(seeded)


@pytest.mark.postgres
def test_the_plain_reads_equal_the_orm_reads_on_postgres(pg_location: StoreLocation) -> None:
    store = open_store(pg_location)
    try:
        seed_store(store, customers=40, seed=3, now=NOW)
        compare_everything(store)
    finally:
        store.close()
