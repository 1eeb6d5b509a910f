"""Seeding a real SQLite store: counts read back, constraints hold, a second seed is refused,
and the bulk loader writes exactly what SQLAlchemy itself would."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select, text

from console import seed
from console.seed import SeedReport, generator, seed_store, worker
from console.seed.rows import Rows
from console.seed.stories import CAUSE_NOT_INVESTIGATED, HOUSEHOLD_ACCOUNTS
from console.services.customers import CustomerService
from storage import bulk
from storage.location import parse_location
from storage.models import (
    Case,
    ContactEvent,
    Customer,
    CustomerPhone,
    Goodwill,
    Handoff,
    Offer,
    Promise,
    User,
)
from storage.queries import customer_details
from storage.store import Store, open_store

NOW = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
CUSTOMERS = 200


def fresh_store(folder: Path) -> Store:
    return open_store(parse_location(str(folder / "store.db")))


@pytest.fixture
def empty_store(tmp_path: Path) -> Iterator[Store]:
    store = fresh_store(tmp_path)
    yield store
    store.close()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, SeedReport]]:
    store = fresh_store(tmp_path_factory.mktemp("seeded"))
    calls: list[tuple[int, int]] = []
    report = seed_store(
        store, customers=CUSTOMERS, seed=3, now=NOW, progress=lambda d, t: calls.append((d, t))
    )
    assert calls[-1] == (CUSTOMERS, CUSTOMERS)
    yield store, report
    store.close()


def count(store: Store, model: type) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_counts_read_back_match_the_report(seeded: tuple[Store, SeedReport]) -> None:
    store, report = seeded
    assert report.customers == count(store, Customer) == CUSTOMERS + 6  # the stories' six
    assert report.events == count(store, ContactEvent)
    assert 8 * CUSTOMERS <= report.events <= 12 * CUSTOMERS
    assert report.cases == count(store, Case) > 0.2 * CUSTOMERS
    assert report.promises == count(store, Promise) > 0
    assert report.handoffs == count(store, Handoff) > 0
    assert report.goodwill == count(store, Goodwill) > 0
    assert report.offers == count(store, Offer) == 8
    assert report.users == count(store, User) >= 10
    assert report.elapsed_seconds > 0
    assert "customers" in report.summary()


def test_foreign_keys_and_integrity_hold(seeded: tuple[Store, SeedReport]) -> None:
    store, _ = seeded
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def test_load_settings_are_restored(seeded: tuple[Store, SeedReport]) -> None:
    store, _ = seeded
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -2000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_demo_phone_search_finds_the_story_customer(seeded: tuple[Store, SeedReport]) -> None:
    store, _ = seeded
    with store.read() as session:
        found = session.execute(
            select(Customer.given_name, Customer.family_name, Customer.account_number)
            .join(CustomerPhone, CustomerPhone.customer_id == Customer.id)
            .where(CustomerPhone.e164 == "+447700900123")
        ).all()
    assert [tuple(row) for row in found] == [("Chloe", "Bennett", "10000003")]


def test_the_households_landline_matches_several_customers(seeded: tuple[Store, SeedReport]) -> None:
    """What `advisor-console call 01154960789` looks up on the demo data: a pick list of three."""
    store, _ = seeded
    found = CustomerService(store).search("0115 496 0789")
    assert sorted(m.account_number for m in found) == sorted([CAUSE_NOT_INVESTIGATED, *HOUSEHOLD_ACCOUNTS])
    assert {m.postcode for m in found} == {"NG5 2LP"}  # one household, at one address


def test_the_lost_callback_number_story_keeps_its_earlier_number(seeded: tuple[Store, SeedReport]) -> None:
    store, _ = seeded
    with store.read() as session:
        customer_id = session.scalar(select(Customer.id).where(Customer.account_number == "10000002"))
        assert customer_id is not None
        history = customer_details.changes(session, customer_id)
    assert [(c.old_value, c.new_value) for c in history] == [
        ("+441174960465", "+441174960456"),
        ("+441174960456", "+441174960465"),
    ]
    assert history[0].restores_id == history[1].id and "Formal complaint" in history[0].reason


def test_rows_read_back_through_the_models(seeded: tuple[Store, SeedReport]) -> None:
    store, _ = seeded
    with store.read() as session:
        event = session.scalars(select(ContactEvent).order_by(ContactEvent.id).limit(1)).one()
        assert event.occurred_at.tzinfo is not None
        assert isinstance(event.id, uuid.UUID)
        advisor = session.scalars(select(User).where(User.username == "advisor")).one()
        assert advisor.display_name == "Alex Advisor"
        red = session.scalars(
            select(Handoff).where(Handoff.status == "awaiting_ack", Handoff.acknowledge_by < NOW)
        ).all()
        assert red
        due_soon = session.scalars(
            select(Promise).where(
                Promise.status == "open",
                Promise.due_at > NOW,
                Promise.due_at <= NOW + timedelta(minutes=15),
            )
        ).all()
        assert any(p.owner_id == advisor.id for p in due_soon)


def test_a_second_seed_is_refused(seeded: tuple[Store, SeedReport]) -> None:
    store, _ = seeded
    with pytest.raises(ValueError, match=r"store already has 206 customers; seed an empty store"):
        seed_store(store, customers=10, now=NOW)
    assert count(store, Customer) == CUSTOMERS + 6


@pytest.mark.parametrize("customers", [0, 20_000_001])
def test_counts_out_of_range_are_refused(empty_store: Store, customers: int) -> None:
    with pytest.raises(ValueError, match="customers must be between 1 and 20,000,000"):
        seed_store(empty_store, customers=customers, now=NOW)
    assert count(empty_store, Customer) == 0


def test_naive_now_is_refused(empty_store: Store) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        seed_store(empty_store, customers=1, now=datetime(2026, 1, 1))


def dump_after_seeding(folder: Path, customers: int) -> list[list[Any]]:
    folder.mkdir()
    store = fresh_store(folder)
    try:
        seed_store(store, customers=customers, seed=5, now=NOW)
        with store.engine.connect() as connection:
            return [
                list(connection.exec_driver_sql(f"SELECT * FROM {name} ORDER BY 1").fetchall())
                for name in Rows().__dataclass_fields__
            ]
    finally:
        store.close()


def test_same_seed_and_time_give_the_same_store(tmp_path: Path) -> None:
    assert dump_after_seeding(tmp_path / "a", 20) == dump_after_seeding(tmp_path / "b", 20)


def test_worker_process_writes_the_same_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alone = dump_after_seeding(tmp_path / "alone", 60)
    monkeypatch.setattr(seed, "PARALLEL_FROM", 1)
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 100)  # several chunks cross the pipe
    monkeypatch.setattr(generator, "BATCH_CUSTOMERS", 10)
    chunks: list[int] = []
    real = worker.from_worker

    def counted(*args: Any, **kwargs: Any) -> Iterator[worker.Chunk]:
        for chunk in real(*args, **kwargs):
            chunks.append(chunk[1])
            yield chunk

    monkeypatch.setattr(worker, "from_worker", counted)
    assert dump_after_seeding(tmp_path / "worker", 60) == alone
    assert len(chunks) > 3 and chunks[-1] == 60


def test_fast_datetime_text_equals_sqlalchemys(empty_store: Store) -> None:
    dialect = empty_store.engine.dialect
    column = bulk.table("contact_events").c.occurred_at
    generic = column.type.dialect_impl(dialect).bind_processor(dialect)
    assert generic is not None
    rng = random.Random(4)
    for _ in range(2_000):
        value = datetime.fromtimestamp(rng.randrange(0, 4 * 10**9) + rng.choice([0, 0.5]), UTC)
        if rng.random() < 0.3:
            value = value.astimezone(timezone(timedelta(hours=rng.randrange(-11, 12))))
        assert bulk.sqlite_datetime(value) == generic(value)
    with pytest.raises(ValueError, match="naive"):
        bulk.sqlite_datetime(datetime(2026, 1, 1))


def test_bulk_rows_equal_what_core_insert_writes(empty_store: Store) -> None:
    created = datetime(2026, 3, 29, 1, 30, 15, 250, tzinfo=UTC)
    row = {
        "id": uuid.UUID(int=1),
        "username": "asha.patel",
        "display_name": "Asha Patel",
        "role": "advisor",
        "team": "billing",
        "goodwill_limit_pence": 3_000,
        "active": True,
        "created_at": created,
    }
    other = {**row, "id": uuid.UUID(int=2), "username": "asha.patel2"}
    assert bulk.insert_rows(empty_store.engine, "users", [row]) == 1
    with empty_store.engine.begin() as connection:
        connection.execute(insert(bulk.table("users")), [other])
    with empty_store.engine.connect() as connection:
        stored = connection.execute(text("SELECT * FROM users ORDER BY username")).fetchall()
    fast, core = stored[0], stored[1]
    assert fast[0] != core[0]
    assert fast[2:] == core[2:]


def test_bulk_fills_python_defaults_when_columns_are_missing(empty_store: Store) -> None:
    row = {
        "id": uuid.UUID(int=9),
        "code": "TEST",
        "title": "Test offer",
        "description": "An offer without the active column",
        "product": "test",
        "monthly_price_pence": 100,
    }
    assert bulk.insert_rows(empty_store.engine, "offers", iter([row]), chunk_rows=1) == 1
    with empty_store.read() as session:
        assert session.scalars(select(Offer.active)).one() is True


def test_bulk_refuses_unknown_tables(empty_store: Store) -> None:
    with pytest.raises(ValueError, match="no table named"):
        bulk.insert_rows(empty_store.engine, "nope", [{"a": 1}])


def test_seed_with_existing_users_is_refused(empty_store: Store) -> None:
    bulk.insert_rows(
        empty_store.engine,
        "users",
        [
            {
                "id": uuid.UUID(int=5),
                "username": "someone",
                "display_name": "Someone",
                "role": "advisor",
                "team": "sales",
                "goodwill_limit_pence": 2_500,
                "active": True,
                "created_at": NOW,
            }
        ],
    )
    with pytest.raises(ValueError, match="store already has 1 user; seed an empty store"):
        seed_store(empty_store, customers=1, now=NOW)
