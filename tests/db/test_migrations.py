"""The same Alembic migrations build, tear down and rebuild the schema on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import DBAPIError

from storage import migrate
from storage.models import AuditEntry, Base
from storage.store import Store, table_names
from tests.helpers import factories

pytestmark = pytest.mark.postgres


def test_open_upgrades_to_head(any_store: Store) -> None:
    with any_store.engine.connect() as connection:
        assert migrate.current_revision(connection) == migrate.head_revision()
    assert set(Base.metadata.tables) <= set(table_names(any_store.engine))


def test_migrated_schema_matches_the_models(any_store: Store) -> None:
    """No drift: autogenerate finds nothing to add, drop or alter after upgrade."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with any_store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_to_base_and_up_again(any_store: Store) -> None:
    migrate.downgrade(any_store.engine, "base")
    assert table_names(any_store.engine) == ["alembic_version"]
    migrate.upgrade(any_store.engine)
    assert set(Base.metadata.tables) <= set(table_names(any_store.engine))


def test_audit_log_and_contact_events_refuse_update_and_delete(any_store: Store) -> None:
    someone = factories.customer()
    with any_store.write() as session:
        session.add(someone)
        session.flush()
        session.add(factories.event(someone))
        session.add(
            AuditEntry(
                at=factories.T0,
                actor="alex",
                action="test",
                entity="none",
                detail={},
                prev_hash="0",
                hash="1",
            )
        )
    for table, column in (("audit_log", "seq"), ("contact_events", "id")):
        for statement in (f"UPDATE {table} SET {column} = {column}", f"DELETE FROM {table}"):
            with pytest.raises(DBAPIError, match="append-only"), any_store.engine.begin() as connection:
                connection.execute(text(statement))


def test_indexes_for_search_exist(any_store: Store) -> None:
    inspector = inspect(any_store.engine)
    customer_indexes = {index["name"] for index in inspector.get_indexes("customers")}
    assert {
        "ix_customers_family_given",
        "ix_customers_given_family",
        "ix_customers_postcode_key",
    } <= customer_indexes
    phone_indexes = {index["name"] for index in inspector.get_indexes("customer_phones")}
    assert "ix_customer_phones_e164" in phone_indexes


def test_head_constant_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(migrate.alembic_config()).get_current_head() == migrate.HEAD


def test_a_failed_upgrade_leaves_the_store_as_it_was(any_store: Store) -> None:
    """All migrations or none: a failure in the last one leaves no column of the earlier ones behind."""
    migrate.downgrade(any_store.engine, "0001")
    with any_store.engine.begin() as connection:
        before = {column["name"] for column in inspect(connection).get_columns("cases")}
        # Something the last migration will trip over, after the others have run.
        connection.execute(text("CREATE INDEX ix_cases_closed_at ON cases (updated_at)"))
    with pytest.raises(DBAPIError):
        migrate.upgrade(any_store.engine)
    with any_store.engine.connect() as connection:
        assert migrate.current_revision(connection) == "0001"
        assert {column["name"] for column in inspect(connection).get_columns("cases")} == before
    with any_store.engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_cases_closed_at"))
    migrate.upgrade(any_store.engine)
    with any_store.engine.connect() as connection:
        assert migrate.current_revision(connection) == migrate.head_revision()


def test_a_store_with_cases_goes_down_and_up_with_its_rows(any_store: Store) -> None:
    """SQLite rebuilds a table to drop a column: other tables point at cases, and nothing is lost."""
    someone = factories.customer()
    problem = factories.case(someone)
    with any_store.write() as session:
        session.add(someone)
        session.flush()
        session.add(problem)
        session.flush()
        session.add(factories.event(someone, case_id=problem.id))
    migrate.downgrade(any_store.engine, "0001")
    migrate.upgrade(any_store.engine)
    with any_store.engine.connect() as connection:
        assert migrate.current_revision(connection) == migrate.head_revision()
        assert connection.execute(text("SELECT count(*) FROM cases")).scalar() == 1
        assert (
            connection.execute(text("SELECT count(*) FROM contact_events WHERE case_id IS NOT NULL")).scalar()
            == 1
        )
        if connection.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").first() is None
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def _promise_row(connection: Connection, customer_id: object, owner_id: object, kind: str) -> None:
    connection.execute(
        text(
            "INSERT INTO promises (id, customer_id, kind, owner_id, created_at, due_at, status, version) "
            "VALUES (:id, :customer, :kind, :owner, :at, :at, 'open', 1)"
        ),
        {
            "id": uuid.uuid4().hex,
            "customer": customer_id,
            "kind": kind,
            "owner": owner_id,
            "at": "2026-12-06",
        },
    )


def test_letter_promises_arrive_with_0013_and_the_kind_check_still_holds(any_store: Store) -> None:
    """0013 widens the kind check by rebuilding the table on SQLite; a store holding letters refuses to
    go below it (nothing lost), one without them goes down and up; an unknown kind stays refused."""
    someone, alex = factories.customer(), factories.user()
    with any_store.write() as session:
        session.add_all([someone, alex])
    ids = (someone.id.hex, alex.id.hex) if any_store.location.is_sqlite else (someone.id, alex.id)
    with any_store.engine.begin() as connection:
        _promise_row(connection, *ids, "letter")
    with pytest.raises(RuntimeError, match="kind 'letter' exist"):
        migrate.downgrade(any_store.engine, "0012_call_records")
    with any_store.engine.begin() as connection:
        assert migrate.current_revision(connection) == migrate.HEAD
        connection.execute(text("DELETE FROM promises"))
        _promise_row(connection, *ids, "callback")
    migrate.downgrade(any_store.engine, "0012_call_records")
    with pytest.raises(DBAPIError), any_store.engine.begin() as connection:
        _promise_row(connection, *ids, "letter")
    migrate.upgrade(any_store.engine)
    with any_store.engine.begin() as connection:
        _promise_row(connection, *ids, "letter")
        assert connection.execute(text("SELECT count(*) FROM promises")).scalar() == 2
    with pytest.raises(DBAPIError), any_store.engine.begin() as connection:
        _promise_row(connection, *ids, "telegram")


def test_customer_detail_history_arrives_with_0014_and_is_never_dropped_with_rows_in_it(
    any_store: Store,
) -> None:
    """0014 adds the detail history; a store holding history refuses to go below it (nothing lost)."""
    someone, alex = factories.customer(), factories.user()
    with any_store.write() as session:
        session.add_all([someone, alex])
    ids = (someone.id.hex, alex.id.hex) if any_store.location.is_sqlite else (someone.id, alex.id)
    with any_store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO customer_detail_changes (id, customer_id, field, old_value, new_value, reason,"
                " changed_by, changed_at) VALUES (:id, :customer, 'email', 'a@b.co', NULL, 'asked', :by, :at)"
            ),
            {
                "id": uuid.uuid4().hex if any_store.location.is_sqlite else uuid.uuid4(),
                "customer": ids[0],
                "by": ids[1],
                "at": "2026-12-01 10:00:00.000000"
                if any_store.location.is_sqlite
                else "2026-12-01T10:00:00Z",
            },
        )
    with pytest.raises(RuntimeError, match="customer detail changes exist"):
        migrate.downgrade(any_store.engine, "0013_letter_promises")
    with any_store.engine.begin() as connection:
        assert migrate.current_revision(connection) == migrate.HEAD
        connection.execute(text("DELETE FROM customer_detail_changes"))
    migrate.downgrade(any_store.engine, "0013_letter_promises")
    migrate.upgrade(any_store.engine)
    with any_store.engine.begin() as connection:
        assert connection.execute(text("SELECT count(*) FROM customer_detail_changes")).scalar() == 0
