"""Attacks on the central server through an advisor's own door (their PostgreSQL login, signed in with
their password), each shown to do no harm: nobody holds the audit chain or the change counter for
long, an oversized payload is refused before any work, a disabled person reads nothing, and a
password set outside the console neither works nor reaches the server's log."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import text

from console.ids import new_id
from domain import mutation_kinds as kinds
from domain.records import UserRecord
from domain.vocabulary import Role
from storage.server import init_server, login_roles
from storage.server.users import UserAdminError, disable_user, set_password
from tests.conftest import ThrowawayServer
from tests.helpers import passwords
from tests.helpers.central import Central, goodwill_payload
from tests.helpers.login import LOGIN_DATABASES, require_passwords

pytestmark = pytest.mark.postgres

NOW = datetime.now(UTC)
# What every table a client role reads (tests/db/test_server_security.py's READS, and the audit log).
READ_TABLES = (
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
)


@pytest.fixture
def central(pg_cluster: ThrowawayServer, central_template: str) -> Iterator[Central]:
    """A central server on which every console login signs in with its password."""
    require_passwords(pg_cluster.uri)
    name = pg_cluster.create_database(LOGIN_DATABASES, template=central_template)
    server = Central.open(pg_cluster.location(name))
    try:
        yield server
    finally:
        server.close()
        pg_cluster.drop_database(name)


def door(central: Central, user: UserRecord, password: str | None = None) -> psycopg.Connection[Any]:
    """The person's own connection, signed in with their password, autocommit (as psql would be)."""
    url = central.location.url.set(
        drivername="postgresql", username=user.username, password=password or central.passwords[user.username]
    )
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


def call(connection: psycopg.Connection[Any], kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    row = connection.execute(
        "SELECT api.apply_mutation(%s, %s, 1, %s, %s::jsonb, %s)",
        (new_id(), uuid.uuid4(), kind, json.dumps(payload), NOW),
    ).fetchone()
    assert row is not None
    result: dict[str, Any] = row[0]
    return result


def timed_request(central: Central, user: UserRecord, customer: uuid.UUID) -> float:
    """Seconds an honest goodwill request (an audited write) takes, start to commit."""
    with door(central, user) as connection:
        connection.execute("SET statement_timeout = '60s'")
        started = time.monotonic()
        made = call(connection, kinds.GOODWILL_REQUEST, goodwill_payload(customer, 1_000))
        assert made["state"] == "accepted", made
        return time.monotonic() - started


def dead(connection: psycopg.Connection[Any]) -> bool:
    try:
        connection.execute("SELECT 1")
    except psycopg.Error:  # ended: the driver reports how
        return True
    return False


def shorten_longest_hold(central: Central, seconds: int) -> None:
    """This test database's bound on an honest transaction (api.longest_hold), shortened so the test
    need not sit out the real one."""
    with central.admin.begin() as connection:
        connection.execute(
            text(
                "CREATE OR REPLACE FUNCTION api.longest_hold() RETURNS interval LANGUAGE sql IMMUTABLE "
                f"SET search_path = pg_catalog, pg_temp AS $$ SELECT interval '{seconds} seconds' $$"
            )
        )


# -- 1. nobody freezes audited writes -------------------------------------------------------------------


def test_no_login_can_take_the_locks_that_serialise_writes(central: Central) -> None:
    mallory = central.add_user(Role.ADVISOR, 5_000, hint="mallory")
    honest = central.add_user(Role.SUPERVISOR, 50_000)
    customer = central.customer()
    with door(central, mallory) as attacker:
        for statement in (
            "SELECT pg_advisory_lock(7246001)",  # the audit chain's key before
            "SELECT pg_try_advisory_lock(7246001)",
            "SELECT pg_advisory_lock(14, 0)",  # new account numbers
            "SELECT pg_advisory_lock(11, 0)",  # contacts per case
            "SELECT FROM api.audit_chain_head FOR UPDATE",
            "SELECT FROM api.audit_chain_head FOR KEY SHARE",
            "SELECT FROM api.change_counter FOR UPDATE",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                attacker.execute(statement)
        assert timed_request(central, honest, customer) < 5


def test_a_transaction_left_open_after_a_refused_mutation_is_ended(central: Central) -> None:
    mallory = central.add_user(Role.ADVISOR, 5_000, hint="mallory")
    honest = central.add_user(Role.SUPERVISOR, 50_000)
    customer = central.customer()
    given = role_settings(central, mallory.username)
    assert given.items() >= login_roles.TIMEOUTS.items()
    assert given.items() >= login_roles.QUIET.items()  # the suite's admin is a superuser
    # The login's own idle timeout, shortened for the test (its real one is above).
    with central.admin.begin() as connection:
        connection.exec_driver_sql(
            f"ALTER ROLE \"{mallory.username}\" SET idle_in_transaction_session_timeout = '1s'"
        )
    with door(central, mallory) as attacker:
        attacker.execute("BEGIN")
        refused = call(attacker, kinds.GOODWILL_APPROVE, {"id": str(new_id())})
        assert refused["state"] == "rejected"
        assert timed_request(central, honest, customer) < 5
        assert dead(attacker)


@pytest.mark.parametrize("head", ["audit chain", "change counter"])
def test_a_login_that_turns_its_timeouts_off_is_ended_when_it_holds_a_head_too_long(
    central: Central, head: str
) -> None:
    """The timeouts are the login's own to change: holding the audit chain (a refused mutation) or the
    change counter (an accepted one, its commit-time numbering forced early) past the longest honest
    transaction ends the session."""
    mallory = central.add_user(Role.ADVISOR, 5_000, hint="mallory")
    honest = central.add_user(Role.SUPERVISOR, 50_000)
    customer = central.customer()
    shorten_longest_hold(central, 2)
    with door(central, mallory) as attacker:
        for name in login_roles.TIMEOUTS:
            attacker.execute(sql.SQL("SET {} = 0").format(sql.Identifier(name)))
        attacker.execute("BEGIN")
        if head == "audit chain":
            assert call(attacker, kinds.GOODWILL_APPROVE, {"id": str(new_id())})["state"] == "rejected"
        else:
            made = call(attacker, kinds.GOODWILL_REQUEST, goodwill_payload(customer, 100))
            assert made["state"] == "accepted"
            attacker.execute("SET CONSTRAINTS ALL IMMEDIATE")
        took = timed_request(central, honest, customer)
        assert 1 < took < 8
        assert dead(attacker)


def test_the_longest_hold_is_the_logins_statement_timeout(central: Central) -> None:
    with central.admin.connect() as connection:
        hold = connection.execute(text("SELECT extract(epoch FROM api.longest_hold())::integer")).scalar()
    assert f"{hold}s" == login_roles.TIMEOUTS["statement_timeout"]


def role_settings(central: Central, username: str) -> dict[str, str]:
    with central.admin.connect() as connection:
        return dict(
            setting.split("=", 1)
            for setting in connection.execute(
                text(
                    "SELECT unnest(s.setconfig) FROM pg_db_role_setting s "
                    "JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = :name AND s.setdatabase = 0"
                ),
                {"name": username},
            ).scalars()
        )


def test_server_init_gives_every_existing_login_its_limits(central: Central) -> None:
    alex = central.add_user(Role.ADVISOR, 5_000)
    with central.admin.begin() as connection:
        connection.exec_driver_sql(f'ALTER ROLE "{alex.username}" RESET ALL')
    assert role_settings(central, alex.username) == {}
    init_server(central.location)
    assert role_settings(central, alex.username) == login_roles.TIMEOUTS | login_roles.QUIET


def test_a_payload_too_large_is_refused_before_any_work(central: Central) -> None:
    mallory = central.add_user(Role.ADVISOR, 5_000, hint="mallory")
    with central.admin.connect() as connection:
        before = connection.execute(
            text("SELECT (SELECT count(*) FROM audit_log), (SELECT count(*) FROM mutation_log)")
        ).one()
    with door(central, mallory) as attacker:
        started = time.monotonic()
        with pytest.raises(psycopg.errors.ProgramLimitExceeded, match="id is too long"):
            call(attacker, kinds.GOODWILL_APPROVE, {"id": "x" * 300_000})
        assert time.monotonic() - started < 2
        with pytest.raises(psycopg.errors.ProgramLimitExceeded, match="more than 40 fields"):
            call(attacker, kinds.GOODWILL_APPROVE, {f"k{n}": 1 for n in range(41)})
        with pytest.raises(psycopg.errors.ProgramLimitExceeded, match="field name is longer"):
            call(attacker, kinds.GOODWILL_APPROVE, {"k" * 64: 1})
        with pytest.raises(psycopg.errors.ProgramLimitExceeded, match="amount_pence is too long"):
            call(attacker, kinds.GOODWILL_REQUEST, {"amount_pence": 10**30})
        # Every field of every kind, one character over its bound; in one batch: each answered
        # refused and nothing of it kept.
        batch = []
        for row in kinds.TABLE:
            for field in row.fields:
                over = "y" * (kinds.MAX_LENGTH[field.type] + 1)
                batch.append(
                    {
                        "mutation_id": str(new_id()),
                        "client_id": str(uuid.uuid4()),
                        "client_seq": len(batch) + 1,
                        "kind": row.name,
                        "payload": {field.name: over},
                        "occurred_at": NOW.isoformat(),
                    }
                )
        answered = attacker.execute("SELECT api.apply_mutations(%s::jsonb)", (json.dumps(batch),)).fetchone()
        assert answered is not None
        assert len(answered[0]) == len(batch) > 100
        for sent, answer in zip(batch, answered[0], strict=True):
            assert answer["state"] == "rejected" and answer["stored"] is False, answer
            assert f"{next(iter(sent['payload']))} is too long" in answer["reason"], answer
    with central.admin.connect() as connection:
        after = connection.execute(
            text("SELECT (SELECT count(*) FROM audit_log), (SELECT count(*) FROM mutation_log)")
        ).one()
    assert tuple(after) == tuple(before)


# -- 2. a disabled person reads nothing -----------------------------------------------------------------


def test_a_disabled_users_surviving_session_reads_nothing(central: Central) -> None:
    """Row-level security asks whether the reader is active: a session that outlived the disable (here
    the users row is changed alone, as a disable that raced a new connection would leave it)."""
    alex = central.add_user(Role.ADVISOR, 5_000)
    sam = central.add_user(Role.SUPERVISOR, 50_000)
    customer = central.customer()
    central.apply(central.login(alex), kinds.GOODWILL_REQUEST, goodwill_payload(customer, 1_000))
    with door(central, alex) as survivor, door(central, sam) as colleague:
        seen = {table: survivor.execute(f"SELECT count(*) FROM {table}").fetchone() for table in READ_TABLES}
        readable = {table for table, count in seen.items() if count is not None and count[0] > 0}
        assert readable >= {"users", "customers", "goodwill", "contact_events", "mutation_log"}
        with central.admin.begin() as connection:
            connection.execute(text("UPDATE users SET active = false WHERE id = :id"), {"id": alex.id})
        for table in READ_TABLES:
            assert survivor.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table
        # A colleague who is still active reads on.
        assert colleague.execute("SELECT count(*) FROM customers").fetchone() != (0,)
        assert colleague.execute("SELECT count(*) FROM audit_log").fetchone() != (0,)


def test_disabling_ends_the_sessions_of_a_person_who_keeps_connecting(central: Central) -> None:
    alex = central.add_user(Role.ADVISOR, 5_000)
    central.customer()
    survivors: list[psycopg.Connection[Any]] = []
    stop = threading.Event()
    opened = threading.Semaphore(0)
    refused = threading.Semaphore(0)

    def keep_connecting() -> None:
        while not stop.is_set():
            try:
                connection = door(central, alex)
            except psycopg.OperationalError:
                refused.release()  # the login is disabled
                continue
            survivors.append(connection)
            opened.release()

    threads = [threading.Thread(target=keep_connecting) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(6):
            assert opened.acquire(timeout=20)
        disable_user(central.admin, alex.username)
        for _ in range(len(threads)):  # attempts after the disable, refused
            assert refused.acquire(timeout=20)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert len(survivors) >= 6
    try:
        for connection in survivors:
            try:
                count = connection.execute("SELECT count(*) FROM customers").fetchone()
            except psycopg.OperationalError:
                continue  # ended
            assert count == (0,)
    finally:
        for connection in survivors:
            connection.close()
    with pytest.raises(psycopg.OperationalError):
        door(central, alex)


# -- 5. passwords are the console's to set --------------------------------------------------------------


def server_log_text(pg_cluster: ThrowawayServer) -> str:
    return "".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in Path(pg_cluster.folder).rglob("*")
        if path.is_file() and (path.name == "log" or path.suffix == ".log" or path.parent.name == "log")
    )


def test_a_password_set_by_its_owner_does_not_work_and_is_not_logged(
    central: Central, pg_cluster: ThrowawayServer
) -> None:
    alex = central.add_user(Role.ADVISOR, 5_000)
    chosen = passwords.new_password("self")
    with door(central, alex) as own:
        # PostgreSQL lets any role change its own password; the console cannot stop the statement.
        own.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(alex.username), chosen))
    with pytest.raises(psycopg.OperationalError, match="not set by the console"):
        door(central, alex, chosen)
    assert chosen not in server_log_text(pg_cluster)
    # An administrator sets one by the rules: audited, without the password, and it works.
    with pytest.raises(UserAdminError, match="at least 8 characters"):
        set_password(central.admin, alex.username, "short")
    given = passwords.new_password("admin")
    set_password(central.admin, alex.username, given)
    central.passwords[alex.username] = given
    with door(central, alex) as connection:
        assert connection.execute("SELECT current_user").fetchone() == (alex.username,)
    with central.admin.connect() as connection:
        detail = connection.execute(
            text("SELECT detail FROM audit_log WHERE action = 'user.set_password' ORDER BY seq DESC LIMIT 1")
        ).scalar_one()
    assert detail == {"username": alex.username}
    logged = server_log_text(pg_cluster)
    assert given not in logged
    assert f'ALTER ROLE "{alex.username}" PASSWORD \'SCRAM-SHA-256$' in logged  # the log is the one read
