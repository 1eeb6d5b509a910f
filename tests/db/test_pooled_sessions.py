"""Pooled sessions against a real central PostgreSQL: calls through the shared console_gateway login
(as a pooler makes them) act as the person whose session they name, read what that person's own
login reads and nothing more, and are refused without a valid session; an ended session is renewed
through the person's own login."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from console.sync.on_demand import ServerReads
from console.sync.on_demand import connector as reads_connector
from console.sync.pooled import PooledSession, run_pooled_blocking
from console.sync.remote import PermanentRefusalError, ServerLink, connector, conninfo
from domain.records import UserRecord
from domain.vocabulary import GoodwillKind, GoodwillState, Role
from storage.queries import goodwill as goodwill_queries
from storage.server import init_server
from storage.server.users import disable_user, set_password
from tests.helpers.central import NOW, Central, goodwill_payload
from tests.helpers.workstations import shared_customer, workstation

pytestmark = pytest.mark.postgres

GATEWAY = "console_gateway"
OTHER_BACKENDS = (
    "SELECT query FROM pg_stat_activity WHERE usename = 'console_gateway' AND pid <> pg_backend_pid()"
)


def gateway_info(central: Central) -> str:
    return conninfo(central.location.url.set(username=GATEWAY, password=None))


def direct(central: Central, user: UserRecord) -> Callable[[], psycopg.Connection[Any]]:
    info = conninfo(central.login(user).url)
    return lambda: psycopg.connect(info, autocommit=True)


def pooled_link(central: Central, user: UserRecord) -> ServerLink:
    return ServerLink(connector(gateway_info(central)), session=PooledSession(direct(central, user)))


def as_gateway(central: Central, token: str | None, query: str) -> list[tuple[Any, ...]]:
    """`query` on a gateway connection in a transaction that names `token` (None: names none)."""
    with psycopg.connect(gateway_info(central)) as connection:
        if token is not None:
            connection.execute("SELECT set_config('console.session', %s, true)", (token,))
        return connection.execute(query).fetchall()  # type: ignore[arg-type]


def push_goodwill(link: ServerLink, customer: uuid.UUID, pence: int, client: uuid.UUID) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        try:
            return await link.apply_mutation(
                mutation_id=uuid.uuid4(),
                client_id=client,
                client_seq=1,
                kind="goodwill.request",
                payload=goodwill_payload(customer, pence),
                occurred_at=NOW,
            )
        finally:
            await link.close()

    return asyncio.run(run())


def test_a_pooled_call_acts_as_the_person_whose_session_it_names(central: Central) -> None:
    alex = central.add_user(Role.ADVISOR, 5_000)
    customer = central.customer()
    link = pooled_link(central, alex)

    answer = push_goodwill(link, customer, 1_000, central.client_id)

    assert answer["state"] == "accepted", answer
    with central.admin.connect() as connection:
        actor = connection.execute(
            text("SELECT actor FROM mutation_log WHERE mutation_id = :id"), {"id": answer["mutation_id"]}
        ).scalar_one()
        sessions = (
            connection.execute(
                text("SELECT username FROM api.sessions WHERE username = :u"), {"u": alex.username}
            )
            .scalars()
            .all()
        )
    assert actor == alex.username
    assert sessions == [alex.username]
    assert link.session is not None and link.session.opened == 1

    async def pull() -> dict[str, Any]:
        try:
            return await link.pull_changes(0, 100)
        finally:
            await link.close()

    page = asyncio.run(pull())
    assert any(change["entity"] == "goodwill" for change in page["changes"])


def test_a_pooled_session_reads_what_the_persons_own_login_reads(central: Central) -> None:
    alex = central.add_user(Role.ADVISOR, 5_000)
    bea = central.add_user(Role.ADVISOR, 5_000)
    sam = central.add_user(Role.SUPERVISOR, 50_000)
    customer = central.customer()
    mine = central.apply(central.login(alex), "goodwill.request", goodwill_payload(customer, 1_000))
    central.apply(central.login(bea), "goodwill.request", goodwill_payload(customer, 2_000))
    tokens = {user.username: PooledSession(direct(central, user)).token() for user in (alex, sam)}

    alex_goodwill = as_gateway(central, tokens[alex.username], "SELECT id::text FROM goodwill")
    sam_goodwill = as_gateway(central, tokens[sam.username], "SELECT id FROM goodwill")
    alex_log = as_gateway(central, tokens[alex.username], "SELECT DISTINCT actor FROM mutation_log")
    alex_audit = as_gateway(central, tokens[alex.username], "SELECT count(*) FROM audit_log")
    sam_audit = as_gateway(central, tokens[sam.username], "SELECT count(*) FROM audit_log")

    assert alex_goodwill == [(mine["entity_id"],)]  # not Bea's
    assert len(sam_goodwill) == 2  # a supervisor reads every request
    assert alex_log == [(alex.username,)]
    assert alex_audit == [(0,)]  # only supervisors read the audit log
    assert sam_audit[0][0] > 0
    with central.login(alex).connect() as connection:  # the same rows as the person's own login
        own = connection.execute(text("SELECT id::text FROM goodwill")).all()
    assert [tuple(row) for row in own] == alex_goodwill


@pytest.mark.parametrize(
    "token",
    [None, "", "0" * 64, "not-a-token'; SELECT 1; --"],
    ids=["none", "empty", "forged", "quoted"],
)
def test_the_gateway_without_a_valid_session_is_refused_everything(
    central: Central, token: str | None
) -> None:
    central.add_user(Role.ADVISOR, 5_000)
    central.customer()
    for query in (
        "SELECT count(*) FROM customers",
        "SELECT count(*) FROM users",
        "SELECT api.pull_changes(0, 10)",
        "SELECT api.notice_ticket()",
    ):
        with pytest.raises(psycopg.errors.InvalidAuthorizationSpecification, match="session"):
            as_gateway(central, token, query)


def test_the_gateway_cannot_open_a_session_or_read_the_sessions(central: Central) -> None:
    init_server(central.location)  # a database made from a template does not keep its grants
    alex = central.add_user(Role.ADVISOR, 5_000)
    token = PooledSession(direct(central, alex)).token()
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_gateway(central, token, "SELECT api.open_session()")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_gateway(central, token, "SELECT count(*) FROM api.sessions")
    with central.admin.connect() as connection:
        stored = (
            connection.execute(text("SELECT encode(token_sha256, 'hex') FROM api.sessions")).scalars().all()
        )
    assert token not in stored and len(stored) == 1  # only its hash is kept


def test_the_transactions_own_session_wins_over_one_left_on_the_connection(central: Central) -> None:
    """A pooled server connection serves many workstations: a token someone set for the whole
    connection does not decide who a later call is, the call's own transaction does."""
    alex = central.add_user(Role.ADVISOR, 5_000)
    bea = central.add_user(Role.ADVISOR, 5_000)
    alex_token = PooledSession(direct(central, alex)).token()
    bea_token = PooledSession(direct(central, bea)).token()
    with psycopg.connect(gateway_info(central), autocommit=True) as connection:
        connection.execute("SELECT set_config('console.session', %s, false)", (alex_token,))
        rows = run_pooled_blocking(connection, bea_token, "SELECT api.person()", (), 2_000)
    assert rows == [(bea.username,)]


def test_no_token_is_ever_in_the_text_another_backend_can_read(central: Central) -> None:
    """Every pooled backend is the same login, and pg_stat_activity shows a login the statement
    text of its other backends: the token goes as a bound parameter, never in that text."""
    alex = central.add_user(Role.ADVISOR, 5_000)
    bea = central.add_user(Role.ADVISOR, 5_000)
    alex_token = PooledSession(direct(central, alex)).token()
    bea_token = PooledSession(direct(central, bea)).token()
    seen: list[str] = []
    with (
        psycopg.connect(gateway_info(central), autocommit=True) as calling,
        psycopg.connect(gateway_info(central), autocommit=True) as watching,
    ):
        worker = threading.Thread(
            target=run_pooled_blocking, args=(calling, alex_token, "SELECT pg_sleep(0.5), %s", ("x",), 5_000)
        )
        worker.start()
        while worker.is_alive():
            rows = run_pooled_blocking(
                watching,
                bea_token,
                OTHER_BACKENDS,
                (),
                5_000,
            )
            seen += [str(row[0]) for row in rows]
        worker.join()
    assert any("pg_sleep" in text for text in seen)  # the other backend's text was readable
    assert not any(alex_token in text for text in seen)


def test_an_ended_session_is_renewed_once_through_the_persons_own_login(central: Central) -> None:
    alex = central.add_user(Role.ADVISOR, 5_000)
    customer = central.customer()
    link = pooled_link(central, alex)
    assert link.session is not None
    link.session.token()
    with central.admin.begin() as connection:
        connection.execute(text("UPDATE api.sessions SET expires_at = now() - interval '1 second'"))

    answer = push_goodwill(link, customer, 1_000, central.client_id)

    assert answer["state"] == "accepted", answer
    assert link.session.opened == 2
    with central.admin.connect() as connection:  # the expired one went when the new one opened
        left = connection.execute(text("SELECT count(*) FROM api.sessions")).scalar_one()
    assert left == 1


def test_disabling_a_user_ends_their_pooled_sessions(central: Central) -> None:
    alex = central.add_user(Role.ADVISOR, 5_000)
    customer = central.customer()
    link = pooled_link(central, alex)
    assert link.session is not None
    token = link.session.token()

    disable_user(central.admin, alex.username)

    with pytest.raises(psycopg.errors.InvalidAuthorizationSpecification):
        as_gateway(central, token, "SELECT api.pull_changes(0, 10)")
    with pytest.raises((PermanentRefusalError, psycopg.OperationalError)):
        push_goodwill(
            link, customer, 1_000, central.client_id
        )  # the renewal signs in as a disabled login: refused
    with central.admin.connect() as connection:
        logged = connection.execute(
            text("SELECT count(*) FROM mutation_log WHERE actor = :u"), {"u": alex.username}
        ).scalar_one()
    assert logged == 0


def test_the_windows_server_reads_go_through_the_pooled_session(central: Central) -> None:
    alex = central.add_user(Role.ADVISOR, 5_000)
    customer = central.customer()
    central.case(customer, owner_id=alex.id)
    session = PooledSession(direct(central, alex))
    with ServerReads(reads_connector(gateway_info(central), pooled=True), session=session) as reads:
        records = reads.customer_records(customer)
        with central.admin.begin() as connection:
            connection.execute(text("UPDATE api.sessions SET expires_at = now() - interval '1 second'"))
        again = reads.customer_records(customer)
    assert [item["entity"] for item in records["records"]].count("case") == 1
    assert again["records"] == records["records"]
    assert session.opened == 2


def test_two_workstations_sync_an_approval_through_pooled_sessions(central: Central, tmp_path: Path) -> None:
    """The sync engine on a pooled link: the advisor's request reaches the supervisor, whose
    approval reaches the advisor's store, every call through the shared gateway login."""
    advisor = central.add_user(Role.ADVISOR, 5_000, hint="adv", display_name="Alex Advisor")
    supervisor = central.add_user(Role.SUPERVISOR, 50_000, hint="sup", display_name="Sam Supervisor")
    people = [advisor, supervisor]
    alex = workstation(central, tmp_path, advisor, people)
    sam = workstation(central, tmp_path, supervisor, people)
    customer = shared_customer(central, [alex.store, sam.store])
    try:
        asked = alex.goodwill.request(
            customer, GoodwillKind.COMPENSATION, "60.00", "service outage", "outage"
        )
        asyncio.run(alex.engine(link=pooled_link(central, advisor)).sync_once())
        asyncio.run(sam.engine(link=pooled_link(central, supervisor)).sync_once())
        [queued] = sam.goodwill.pending()
        sam.goodwill.approve(queued, "fair")
        asyncio.run(sam.engine(link=pooled_link(central, supervisor)).sync_once())
        asyncio.run(alex.engine(link=pooled_link(central, advisor)).sync_once())
        with alex.store.read() as session:
            local = goodwill_queries.get(session, asked.id)
        assert local is not None and local.state is GoodwillState.APPROVED
        with central.admin.connect() as connection:
            actors = connection.execute(text("SELECT DISTINCT actor FROM mutation_log")).scalars().all()
        assert sorted(actors) == sorted([advisor.username, supervisor.username])
    finally:
        alex.store.close()
        sam.store.close()


def test_a_pooler_in_the_settings_gives_the_engine_a_pooled_link(central: Central) -> None:
    """pooler_url: the link's calls go to the pooler, and its session is opened as the person with
    their own login at server_url (here the suite's server, signing in as the person)."""
    from console.settings import Settings
    from widgets.app import pooled_link

    alex = central.add_user(Role.ADVISOR, 5_000)
    direct_info = conninfo(central.location.url.set(username=None, password=None))
    settings = Settings(pooler_url="postgresql://pool.example.net:6432/console_pool")

    link = pooled_link(settings, direct_info, alex.username, central.passwords[alex.username])

    assert pooled_link(Settings(), direct_info, alex.username, "x") is None
    assert link is not None and link.session is not None
    link.session.token()
    with central.admin.connect() as connection:
        opened = connection.execute(text("SELECT username FROM api.sessions")).scalars().all()
    assert opened == [alex.username]


def test_settings_left_on_a_pooled_connection_do_not_reach_the_next_call(central: Central) -> None:
    """Anyone signed in through the pooler runs SQL as the shared login and may leave settings on
    a server connection another person's call uses next: each call begins READ WRITE and puts the
    login's own settings back before it runs."""
    alex = central.add_user(Role.ADVISOR, 5_000)
    customer = central.customer()
    bea = central.add_user(Role.ADVISOR, 5_000)
    bea_token = PooledSession(direct(central, bea)).token()
    tampering = (
        "SET default_transaction_read_only = on",
        "SET statement_timeout = '1ms'",
        "SET search_path = pg_temp, public",
        "SET lock_timeout = 0",
    )
    with psycopg.connect(gateway_info(central), autocommit=True) as connection:
        for statement in tampering:
            connection.execute(statement)  # type: ignore[arg-type]
        rows = run_pooled_blocking(
            connection,
            bea_token,
            "SELECT api.person(), current_setting('transaction_read_only'), current_setting('search_path'),"
            " current_setting('lock_timeout')",
            (),
            2_000,
        )
    assert rows == [(bea.username, "off", '"$user", public', "10s")]
    link = pooled_link(central, alex)

    async def tampered_push() -> dict[str, Any]:
        connection = await link.connection()
        for statement in tampering:
            await connection.execute(statement)  # type: ignore[arg-type]
        return await link.apply_mutation(
            mutation_id=uuid.uuid4(),
            client_id=central.client_id,
            client_seq=1,
            kind="goodwill.request",
            payload=goodwill_payload(customer, 1_000),
            occurred_at=NOW,
        )

    async def run() -> dict[str, Any]:
        try:
            return await tampered_push()
        finally:
            await link.close()

    assert asyncio.run(run())["state"] == "accepted"


def test_no_console_login_makes_a_temporary_table(central: Central) -> None:
    """A temporary table or type outlives the call on a pooled connection and is found before a real
    one of its name: no console login may make one."""
    init_server(central.location)  # a database made from a template does not keep its grants
    alex = central.add_user(Role.ADVISOR, 5_000)
    token = PooledSession(direct(central, alex)).token()
    with (
        psycopg.connect(gateway_info(central), autocommit=True) as connection,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        run_pooled_blocking(connection, token, "CREATE TEMP TABLE jsonb (x int)", (), 2_000)
    with central.login(alex).connect() as connection, pytest.raises(DBAPIError, match="permission denied"):
        connection.execute(text("CREATE TEMP TABLE jsonb (x int)"))


def test_a_pooled_session_sees_every_table_as_the_persons_own_login(central: Central) -> None:
    alex = central.add_user(Role.ADVISOR, 5_000)
    sam = central.add_user(Role.SUPERVISOR, 50_000)
    customer = central.customer()
    central.case(customer, owner_id=alex.id)
    central.apply(central.login(alex), "goodwill.request", goodwill_payload(customer, 1_000))
    central.apply(central.login(sam), "goodwill.request", goodwill_payload(customer, 2_000))
    with central.admin.connect() as connection:
        tables = (
            connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"))
            .scalars()
            .all()
        )
    for person in (alex, sam):
        token = PooledSession(direct(central, person)).token()
        for table in tables:
            query = f"SELECT count(*) FROM public.{table}"
            with central.login(person).connect() as connection:
                try:
                    own: object = connection.execute(text(query)).scalar_one()
                except DBAPIError:
                    own = "denied"
            with psycopg.connect(gateway_info(central), autocommit=True) as connection:
                try:
                    pooled: object = run_pooled_blocking(connection, token, query, (), 5_000)[0][0]  # type: ignore[arg-type]
                except psycopg.errors.InsufficientPrivilege:
                    pooled = "denied"
            if own == "denied":  # a table the role may not read at all: the gateway reads it, no row
                assert pooled in ("denied", 0), (person.username, table, pooled)
            else:
                assert pooled == own, (person.username, table, own, pooled)


def test_a_new_password_ends_the_pooled_sessions_opened_with_the_old_one(central: Central) -> None:
    alex = central.add_user(Role.ADVISOR, 5_000)
    token = PooledSession(direct(central, alex)).token()
    set_password(central.admin, alex.username, "a-new-Passw0rd-for-alex")
    with pytest.raises(psycopg.errors.InvalidAuthorizationSpecification):
        as_gateway(central, token, "SELECT api.person()")


def test_closing_the_engine_ends_its_pooled_session(central: Central, tmp_path: Path) -> None:
    advisor = central.add_user(Role.ADVISOR, 5_000)
    station = workstation(central, tmp_path, advisor, [advisor])
    try:
        engine = station.engine(link=pooled_link(central, advisor))

        async def sync_then_close() -> None:
            await engine.sync_once()
            await engine.close()

        asyncio.run(sync_then_close())
        with central.admin.connect() as connection:
            left = connection.execute(text("SELECT count(*) FROM api.sessions")).scalar_one()
        assert engine.pooled_session is not None and engine.pooled_session.opened == 1
        assert left == 0
    finally:
        station.store.close()
