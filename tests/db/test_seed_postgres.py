"""The seed's COPY path on the central PostgreSQL: the same data, searchable the same way."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from console.seed import seed_store
from console.services.customers import CustomerService
from storage.store import Store

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_seed_on_postgres_matches_sqlite(pg_store: Store, sqlite_store: Store) -> None:
    on_pg = seed_store(pg_store, customers=150, seed=3, now=NOW)
    on_sqlite = seed_store(sqlite_store, customers=150, seed=3, now=NOW)
    assert (on_pg.customers, on_pg.events, on_pg.cases) == (
        on_sqlite.customers,
        on_sqlite.events,
        on_sqlite.cases,
    )
    service = CustomerService(pg_store)
    (chloe,) = service.search("(0)7700-900123")
    assert chloe.account_number == "10000003"
    assert service.cases(chloe.id)[0].status.is_open
    with pytest.raises(ValueError, match="seed an empty store"):
        seed_store(pg_store, customers=10, seed=3, now=NOW)
