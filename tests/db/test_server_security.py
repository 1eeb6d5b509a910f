"""What each console role may do on the central server, tried as real login roles: a permission
matrix over every table and operation, EXECUTE on the api functions only, and row-level
security hiding other advisors' goodwill, deleted customers and the audit log."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from domain.vocabulary import Role
from storage.server.scram import scram_verifier
from tests.helpers import passwords
from tests.helpers.central import Central, goodwill_payload

pytestmark = pytest.mark.postgres

OPERATIONS = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
# What each role reads directly (RLS narrows the rows); every other table and every write is refused.
READS = {
    "alembic_version",
    "users",
    "customers",
    "customer_phones",
    "account_owner_changes",
    "contact_events",
    "cases",
    "case_owner_changes",
    "promises",
    "handoffs",
    "goodwill",
    "offers",
    "offer_impressions",
    "feedback",
    "mutation_log",
    "customer_detail_changes",
}
READABLE = {Role.ADVISOR: READS, Role.SUPERVISOR: READS | {"audit_log"}}
# Push (one or a batch) and pull; the first sync's reference pages (SECURITY INVOKER: they read as
# the caller) and the two they call (the change log's head, the entity list).
CALLABLE = {
    "api.apply_mutation",
    "api.apply_mutations",
    "api.pull_changes",
    "api.snapshot_page",
    "api.change_head",
    "api.snapshot_entities",
    # Online search and customers' records on demand or by the page (SECURITY INVOKER too).
    "api.search_customers",
    "api.customer_records",
    "api.customers_records",
    # The working set's plan, the customers a workstation holds and the pull filtered by them.
    "api.working_set_plan",
    "api.hold_customers",
    "api.release_customers",
    "api.pull_held",
    # Row-level security's check that the reader is an active user (every policy calls it).
    "api.reader_is_active",
    "api.audit_witness",
    "api.sync_mark",
    # The caller's signed ticket for the notice relay (87_notice_relay.sql).
    "api.notice_ticket",
    # Pooled sessions (28_pooled_sessions.sql): who is calling (policies call it), opening a session
    # with one's own login and ending one.
    "api.person",
    "api.open_session",
    "api.end_session",
}
# The pooler's shared login: what either role may call, except opening a session, and the person's
# row its own policies read.
GATEWAY_CALLABLE = (CALLABLE - {"api.open_session"}) | {"api.person_user"}


def all_tables(central: Central) -> list[tuple[str, str, str]]:
    """(schema, table, a column an UPDATE may name) for every table in public and api."""
    with central.admin.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT DISTINCT ON (1, 2) c.table_schema, c.table_name, c.column_name "
                "FROM information_schema.columns c "
                "JOIN information_schema.tables t USING (table_schema, table_name) "
                "WHERE c.table_schema IN ('public', 'api') AND t.table_type = 'BASE TABLE' "
                "AND c.is_identity = 'NO' ORDER BY 1, 2, c.ordinal_position"
            )
        ).all()
    return [(row[0], row[1], row[2]) for row in rows]


def statement(operation: str, qualified: str, column: str) -> str:
    return {
        "SELECT": f"SELECT * FROM {qualified} LIMIT 1",
        "INSERT": f"INSERT INTO {qualified} DEFAULT VALUES",
        "UPDATE": f'UPDATE {qualified} SET "{column}" = "{column}" WHERE false',
        "DELETE": f"DELETE FROM {qualified} WHERE false",
        "TRUNCATE": f"TRUNCATE {qualified}",
    }[operation]


def outcome(engine: Engine, sql: str) -> str:
    """'allowed' when the privilege check passes (even if a constraint then refuses the row)."""
    connection = engine.connect()
    try:
        connection.execute(text(sql))
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == "42501":
            return "denied"
        return "allowed"  # e.g. a NOT NULL violation: the role had the privilege
    finally:
        connection.rollback()
        connection.close()
    return "allowed"


def test_permission_matrix_every_role_table_and_operation(central: Central) -> None:
    tables = all_tables(central)
    assert len(tables) >= 20 and ("api", "pending_change", "entity") in tables
    actual: dict[tuple[str, str, str], str] = {}
    expected: dict[tuple[str, str, str], str] = {}
    for role in (Role.ADVISOR, Role.SUPERVISOR):
        engine = central.login(central.add_user(role, 5_000))
        for schema, table, column in tables:
            qualified = f'{schema}."{table}"'
            for operation in OPERATIONS:
                key = (role.value, qualified, operation)
                actual[key] = outcome(engine, statement(operation, qualified, column))
                readable = schema == "public" and table in READABLE[role]
                expected[key] = "allowed" if operation == "SELECT" and readable else "denied"
    assert actual == expected
    # 2 roles x every table x 5 operations, and the one append-only table refuses even its owner.
    assert len(actual) == 2 * len(tables) * 5


def test_sequences_are_not_theirs_either(central: Central) -> None:
    engine = central.login(central.add_user(Role.SUPERVISOR, 5_000))
    with central.admin.connect() as connection:
        sequences = (
            connection.execute(
                text(
                    "SELECT schemaname || '.' || sequencename FROM pg_sequences "
                    "WHERE schemaname IN ('public', 'api')"
                )
            )
            .scalars()
            .all()
        )
    assert sequences
    for sequence in sequences:
        assert outcome(engine, f"SELECT nextval('{sequence}')") == "denied", sequence


def test_execute_only_on_the_api_functions(central: Central) -> None:
    users = [central.add_user(Role.ADVISOR, 5_000), central.add_user(Role.SUPERVISOR, 5_000)]
    with central.admin.connect() as connection:
        for user in users:
            executable = set(
                connection.execute(
                    text(
                        "SELECT n.nspname || '.' || p.proname FROM pg_proc p "
                        "JOIN pg_namespace n ON n.oid = p.pronamespace "
                        "WHERE n.nspname IN ('public', 'api') "
                        "AND has_function_privilege(:who, p.oid, 'EXECUTE')"
                    ),
                    {"who": user.username},
                ).scalars()
            )
            assert executable == CALLABLE
        gateway = set(
            connection.execute(
                text(
                    "SELECT n.nspname || '.' || p.proname FROM pg_proc p "
                    "JOIN pg_namespace n ON n.oid = p.pronamespace "
                    "WHERE n.nspname IN ('public', 'api') "
                    "AND has_function_privilege('console_gateway', p.oid, 'EXECUTE')"
                )
            ).scalars()
        )
        assert gateway == GATEWAY_CALLABLE
        unpinned = (
            connection.execute(
                text(
                    "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                    "WHERE n.nspname IN ('public', 'api') AND p.prosecdef AND NOT EXISTS "
                    "(SELECT FROM unnest(p.proconfig) AS setting WHERE setting LIKE 'search_path=%')"
                )
            )
            .scalars()
            .all()
        )
        definers = (
            connection.execute(
                text(
                    "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                    "WHERE n.nspname = 'api' AND p.prosecdef ORDER BY 1"
                )
            )
            .scalars()
            .all()
        )
    assert unpinned == []
    assert definers == [
        "apply_mutation",
        "apply_mutations",
        "audit_witness",
        "change_head",
        "end_session",  # pooled sessions (28_pooled_sessions.sql): the sessions table is the server's
        "hold_customers",
        "notice_relay_state",  # the notice_relay login's only function (87_notice_relay.sql)
        "notice_ticket",
        "number_changes",
        "open_session",
        "person",
        "person_user",
        "pull_changes",
        "pull_held",
        "reader_is_active",
        "refuse_foreign_password",
        "release_customers",
        "sync_mark",
        "working_set_plan",
    ]


def test_row_level_security_hides_what_each_role_may_not_read(central: Central) -> None:
    alex = central.add_user(Role.ADVISOR, 5_000)
    bea = central.add_user(Role.ADVISOR, 5_000)
    sam = central.add_user(Role.SUPERVISOR, 50_000)
    customer = central.customer()
    gone = central.customer(deleted=True)
    mine = central.apply(central.login(alex), "goodwill.request", goodwill_payload(customer, 9_000))
    theirs = central.apply(central.login(bea), "goodwill.request", goodwill_payload(customer, 1_000))

    def ids(engine: Engine, sql: str) -> set[str]:
        with engine.connect() as connection:
            return {str(value) for value in connection.execute(text(sql)).scalars()}

    as_alex, as_sam = central.login(alex), central.login(sam)
    assert ids(as_alex, "SELECT id FROM goodwill") == {mine["entity_id"]}
    assert ids(as_sam, "SELECT id FROM goodwill") == {mine["entity_id"], theirs["entity_id"]}
    for engine in (as_alex, as_sam):
        visible = ids(engine, "SELECT id FROM customers")
        assert str(customer) in visible and str(gone) not in visible
    assert ids(as_alex, "SELECT mutation_id FROM mutation_log") == {mine["mutation_id"]}
    assert outcome(as_alex, "SELECT * FROM audit_log") == "denied"
    assert len(ids(as_sam, "SELECT seq FROM audit_log")) >= 2
    # Both requests' timeline lines are on the customer's shared history.
    assert len(ids(as_alex, f"SELECT id FROM contact_events WHERE customer_id = '{customer}'")) == 2


def test_pull_gives_each_role_what_it_may_read_and_moves_past_the_rest(central: Central) -> None:
    alex = central.add_user(Role.ADVISOR, 5_000)
    bea = central.add_user(Role.ADVISOR, 5_000)
    sam = central.add_user(Role.SUPERVISOR, 50_000)
    customer = central.customer()
    mine = central.apply(central.login(alex), "goodwill.request", goodwill_payload(customer, 9_000))
    for _ in range(3):
        central.apply(central.login(bea), "goodwill.request", goodwill_payload(customer, 1_000))

    def goodwill_ids(page: dict[str, object]) -> set[str]:
        changes = page["changes"]
        assert isinstance(changes, list)
        return {change["entity_id"] for change in changes if change["entity"] == "goodwill"}

    everything = central.pull(central.login(sam), 0, 100)
    # Three users added (published for everyone), then four requests with their timeline lines.
    assert everything["head"] == everything["next_after"] == 3 + 8 and not everything["more"]
    assert len(goodwill_ids(everything)) == 4
    seen = central.pull(central.login(alex), 0, 100)
    assert goodwill_ids(seen) == {mine["entity_id"]}
    assert len([c for c in seen["changes"] if c["entity"] == "contact_event"]) == 4
    assert len([c for c in seen["changes"] if c["entity"] == "user"]) == 3
    # A page whose rows are all hidden from the caller still moves the cursor on.
    tail = central.pull(central.login(alex), 9, 1)
    assert tail["changes"] == [] and tail["next_after"] == 10 and tail["more"]


def test_the_first_sync_reads_as_the_caller(central: Central) -> None:
    """snapshot_page and customers_records are SECURITY INVOKER: row-level security and grants
    decide, exactly as for a direct read; an entity outside the list is refused, not read."""
    alex = central.add_user(Role.ADVISOR, 5_000)
    sam = central.add_user(Role.SUPERVISOR, 50_000)
    customer = central.customer()
    gone = central.customer(deleted=True)
    mine = central.apply(central.login(alex), "goodwill.request", goodwill_payload(customer, 1_000))
    central.apply(central.login(sam), "goodwill.request", goodwill_payload(customer, 2_000))

    def page(engine: Engine, entity: str) -> dict[str, Any]:
        with engine.connect() as connection:
            found: dict[str, Any] = connection.execute(
                text("SELECT api.snapshot_page(:e, NULL, 100)"), {"e": entity}
            ).scalar_one()
        return found

    as_alex, as_sam = central.login(alex), central.login(sam)
    assert {row["id"] for row in page(as_alex, "goodwill")["rows"]} == {mine["entity_id"]}
    assert len(page(as_sam, "goodwill")["rows"]) == 2
    customers = {row["id"] for row in page(as_alex, "customer")["rows"]}
    assert str(customer) in customers and str(gone) not in customers
    # Colleagues' names, roles and limits: every console role reads the users table.
    assert {row["username"] for row in page(as_alex, "user")["rows"]} >= {alex.username, sam.username}
    with as_alex.connect() as connection:
        records = connection.execute(
            text("SELECT api.customers_records(:ids)"), {"ids": [customer, gone]}
        ).scalar_one()
    assert records["customer_ids"] == [str(customer)] and records["head"] >= 1
    assert [r["data"]["id"] for r in records["records"] if r["entity"] == "goodwill"] == [
        str(mine["entity_id"])
    ]
    for refused in ("audit_log", "mutation_log", "users; DROP TABLE users"):
        with pytest.raises(DBAPIError, match="no snapshot of"):
            page(as_alex, refused)


def test_a_login_that_is_not_a_console_user_is_refused(central: Central) -> None:
    name = f"stranger_{uuid.uuid4().hex[:8]}"
    central.passwords[name] = passwords.new_password()
    verifier = scram_verifier(central.passwords[name])  # never the password itself in a statement
    with central.admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{verifier}' IN ROLE advisor")
    central.roles.append(name)
    with pytest.raises(DBAPIError, match="not a console user"):
        central.pull(central.login(name))
