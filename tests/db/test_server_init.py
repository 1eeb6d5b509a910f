"""`server init`: run twice it changes nothing in the catalog (functions, grants, policies, roles,
triggers, tables); it needs a role that can create roles; it refuses SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from domain.vocabulary import Role
from storage import migrate
from storage.errors import StoreError
from storage.location import StoreLocation, parse_location
from storage.server import init_server
from storage.store import open_store
from tests.helpers.central import Central

pytestmark = pytest.mark.postgres

CATALOG = {
    "functions": """
        SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), md5(p.prosrc), p.prosecdef,
               p.provolatile, p.proconfig::text, p.proacl::text, pg_get_userbyid(p.proowner)
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname IN ('public', 'api')""",
    "relations": """
        SELECT n.nspname, c.relname, c.relkind, c.relacl::text, c.relrowsecurity, c.relforcerowsecurity,
               pg_get_userbyid(c.relowner)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname IN ('public', 'api')""",
    "columns": """
        SELECT table_schema, table_name, column_name, data_type, column_default, is_nullable, collation_name
          FROM information_schema.columns WHERE table_schema IN ('public', 'api')""",
    "constraints": """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), condeferrable, condeferred
          FROM pg_constraint WHERE connamespace IN ('public'::regnamespace, 'api'::regnamespace)""",
    "indexes": "SELECT schemaname, tablename, indexdef FROM pg_indexes WHERE schemaname IN ('public', 'api')",
    "policies": """
        SELECT polrelid::regclass::text, polname, polcmd, polpermissive, polroles::regrole[]::text,
               pg_get_expr(polqual, polrelid)
          FROM pg_policy""",
    "triggers": """
        SELECT tgrelid::regclass::text, tgname, tgenabled, tgdeferrable, tginitdeferred, tgfoid::regproc::text
          FROM pg_trigger WHERE NOT tgisinternal""",
    "schemas": "SELECT nspname, nspacl::text, pg_get_userbyid(nspowner) FROM pg_namespace",
    "default_privileges": "SELECT pg_get_userbyid(defaclrole), defaclnamespace::regnamespace::text, "
    "defaclobjtype, defaclacl::text FROM pg_default_acl",
    "group_roles": """
        SELECT rolname, rolcanlogin, rolinherit, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls
          FROM pg_roles WHERE rolname IN ('advisor', 'supervisor')""",
    "database": "SELECT datacl::text FROM pg_database WHERE datname = current_database()",
    "state": "SELECT (SELECT last_seq FROM api.change_counter), (SELECT count(*) FROM audit_log), "
    "(SELECT count(*) FROM api.pending_change), (SELECT version_num FROM alembic_version)",
}


def catalog(connection: Connection) -> dict[str, list[tuple[object, ...]]]:
    return {
        name: sorted((tuple(row) for row in connection.execute(text(query))), key=repr)
        for name, query in CATALOG.items()
    }


def test_init_twice_changes_nothing(central: Central) -> None:
    init_server(central.location)  # a database made from a template does not keep its grants
    central.add_user(Role.ADVISOR, 5_000)
    with central.admin.connect() as connection:
        before = catalog(connection)
    assert before["group_roles"] == [
        ("advisor", False, True, False, False, False, False),
        ("supervisor", False, True, False, False, False, False),
    ]
    assert {row[1] for row in before["policies"]} >= {
        "goodwill_own_requests",
        "goodwill_all",
        "customers_not_deleted",
    }
    report = init_server(central.location)
    assert report.revision == migrate.head_revision()
    with central.admin.connect() as connection:
        after = catalog(connection)
    for name in CATALOG:
        assert after[name] == before[name], name


def test_init_upgrades_a_store_made_by_the_migrations_alone(pg_location: StoreLocation) -> None:
    open_store(pg_location).close()
    init_server(pg_location)
    central = Central.open(pg_location)
    try:
        with central.admin.connect() as connection:
            assert connection.execute(text("SELECT last_seq FROM api.change_counter")).scalar() == 0
    finally:
        central.admin.dispose()


def test_init_needs_a_role_that_may_create_roles(central: Central) -> None:
    advisor = central.add_user(Role.ADVISOR, 5_000)
    as_advisor = parse_location(
        central.location.url.set(
            username=advisor.username, password=central.passwords[advisor.username]
        ).render_as_string(False)
    )
    with pytest.raises(StoreError, match="superuser or a role with CREATEROLE"):
        init_server(as_advisor)


def test_init_refuses_sqlite(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="PostgreSQL"):
        init_server(parse_location(f"{tmp_path}/store.db"))


def test_init_writes_the_teams_files_acknowledge_hours(central: Central) -> None:
    from console.teams import load_teams

    shipped = [(t.team.value, t.words, t.acknowledge_hours) for t in load_teams().teams]
    init_server(central.location, [*shipped[:-1], ("complaints", "Complaints desk", 6)])
    with central.admin.connect() as connection:
        rows = dict(
            connection.execute(text("SELECT team, acknowledge_hours FROM api.team_acknowledge")).all()
        )
    assert rows == {team: hours for team, _words, hours in shipped} | {"complaints": 6}
