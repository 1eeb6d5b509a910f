"""The notice relay on a real PostgreSQL: notices carry their audience, tickets are signed by the server
and checked by the relay, and a subscription gets only the heads whose keys meet its own."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import signal
import socket
import ssl
import subprocess
import sys
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import text

from console.relay_address import RelayAddress
from console.sync.notice_keys import customer_key, parse_notice
from console.sync.relay_client import RelayRefusedError, Subscription, subscribe
from console.sync.relay_server import server_tls
from console.sync.relay_ticket import Ticket, fetch_ticket, sign
from console.sync.remote import CHANGES_CHANNEL, ServerLink, connector, conninfo
from domain.records import UserRecord
from domain.vocabulary import Role, Team
from tests.db.test_sync_notice_drop import contact_payload
from tests.helpers.central import Central, goodwill_payload
from tests.helpers.login import make_certificates
from tests.helpers.relay import relay_connect, relay_running

pytestmark = pytest.mark.postgres


async def ticket_for(central: Central, user: UserRecord) -> Ticket:
    link = ServerLink(connector(conninfo(central.login(user).url)))
    try:
        return await fetch_ticket(link)
    finally:
        await link.close()


def secret(central: Central) -> bytes:
    with central.admin.begin() as connection:
        state = connection.execute(text("SELECT api.notice_relay_state()")).scalar_one()
    return bytes.fromhex(state["secret"])


def test_a_ticket_names_its_user_team_and_role_and_is_signed_with_the_secret(central: Central) -> None:
    tech = central.add_user(Role.ADVISOR, 5_000, hint="tech", team=Team.TECHNICAL)
    ticket = asyncio.run(ticket_for(central, tech))
    assert ticket.user == tech.id
    assert ticket.keys == (f"u:{tech.id}", "t:technical", "r:advisor")
    expected = hmac.new(secret(central), ticket.signed_text().encode(), hashlib.sha256).hexdigest()
    assert ticket.sig == expected


def test_no_client_role_reads_the_secret(central: Central) -> None:
    advisor = central.add_user(Role.ADVISOR, 5_000, hint="adv")
    with central.login(advisor).connect() as connection:
        for query in ("SELECT secret FROM api.notice_secret", "SELECT api.notice_relay_state()"):
            with pytest.raises(Exception, match="permission denied"):
                connection.execute(text(query))
            connection.rollback()


def listen_payloads(central: Central, act: Any) -> list[str]:
    """The change notices sent while `act()` ran."""
    info = conninfo(central.location.url)
    with psycopg.connect(info, autocommit=True) as connection:
        connection.execute(f"LISTEN {CHANGES_CHANNEL}")
        act()
        return [notice.payload for notice in connection.notifies(timeout=1.0)]


def test_a_notice_carries_the_head_and_the_keys_of_its_changes(central: Central) -> None:
    advisor = central.add_user(Role.ADVISOR, 5_000, hint="adv")
    customer = central.customer()
    login = central.login(advisor)
    payloads = listen_payloads(
        central, lambda: central.apply(login, "contact.add", contact_payload(customer, "Hi"))
    )
    notices = [parse_notice(payload) for payload in payloads]
    assert len(notices) == 1 and notices[0] is not None
    assert notices[0].keys == {customer_key(customer)}
    asked = goodwill_payload(customer, 90_000)  # above the limit: awaits a supervisor
    payloads = listen_payloads(central, lambda: central.apply(login, "goodwill.request", asked))
    found = parse_notice(payloads[0])
    assert found is not None
    assert found.keys == {customer_key(customer), f"u:{advisor.id}", "r:supervisor"}


async def heads(subscription: Subscription, count: int) -> list[int]:
    return [await asyncio.wait_for(anext(subscription), 10) for _ in range(count)]


async def no_head(subscription: Subscription) -> bool:
    """Nothing more arrives within a short while (a notice would have come by then)."""
    try:
        await asyncio.wait_for(anext(subscription), 0.5)
    except TimeoutError:
        return True
    return False


def test_a_subscription_gets_the_head_at_once_and_then_only_its_customers_notices(central: Central) -> None:
    advisor = central.add_user(Role.ADVISOR, 5_000, hint="adv")
    mine, other = central.customer(), central.customer()
    login = central.login(advisor)

    async def scenario() -> None:
        ticket = await ticket_for(central, advisor)
        async with relay_running(central) as running:
            holder = await Subscription.open(running.address, ticket, [customer_key(mine)])
            everyone = await Subscription.open(running.address, ticket, ["*"])
            first = await heads(holder, 1)
            assert first == await heads(everyone, 1)
            await asyncio.to_thread(central.apply, login, "contact.add", contact_payload(other, "Not yours"))
            [other_head] = await heads(everyone, 1)
            assert await no_head(holder)
            await asyncio.to_thread(central.apply, login, "contact.add", contact_payload(mine, "Yours"))
            assert await heads(holder, 1) == await heads(everyone, 1) == [other_head + 1]
            await holder.set_keys([customer_key(other)])
            await asyncio.to_thread(central.apply, login, "contact.add", contact_payload(other, "Now yours"))
            assert await heads(holder, 1) == [other_head + 2]
            assert running.relay.subscribers == 2
            await holder.close()
            await everyone.close()

    asyncio.run(scenario())


def test_bad_expired_or_forged_tickets_are_refused_in_one_line(central: Central) -> None:
    advisor = central.add_user(Role.ADVISOR, 5_000, hint="adv")

    async def refusal(address: Any, ticket: Any, keys: list[str]) -> str:
        with pytest.raises(RelayRefusedError) as refused:
            async for _head in subscribe(address, ticket, keys):
                pass
        return str(refused.value)

    async def scenario() -> None:
        ticket = await ticket_for(central, advisor)
        async with relay_running(central) as running:
            address = running.address
            forged = replace(ticket, keys=(*ticket.keys[:2], "r:supervisor"))
            assert await refusal(address, forged, ["*"]) == (
                "subscription refused: the ticket's signature is not the server's"
            )
            tampered = replace(ticket, expires=ticket.expires + 86_400)
            assert "signature" in await refusal(address, tampered, ["*"])  # the expiry is signed too
            expired = replace(ticket, expires=1_000)
            expired = replace(expired, sig=sign(expired.signed_text(), secret(central)))
            assert await refusal(address, expired, ["*"]) == (
                "subscription refused: the ticket has expired: fetch a new one"
            )
            assert await refusal(address, ticket, ["r:supervisor"]) == (
                "subscription refused: the ticket does not allow the key r:supervisor"
            )
            assert "is not a key" in await refusal(address, ticket, ["c:nobody"])
            other = uuid.uuid4()
            assert (await refusal(address, replace(ticket, user=other), ["*"])).endswith("not the server's")

    asyncio.run(scenario())


def test_over_tls_the_workstation_checks_the_relay_is_who_it_says(central: Central, tmp_path: Path) -> None:
    advisor = central.add_user(Role.ADVISOR, 5_000, hint="adv")
    certificates = make_certificates(tmp_path)
    assert certificates.valid is not None

    async def scenario() -> None:
        ticket = await ticket_for(central, advisor)
        async with relay_running(central, tls=server_tls(*map(str, certificates.valid))) as running:
            trusted = replace(running.address, cafile=str(certificates.ca_file))
            subscription = await Subscription.open(trusted, ticket, ["*"])
            assert await heads(subscription, 1) == [running.relay.head]
            await subscription.close()
            with pytest.raises(ssl.SSLCertVerificationError):
                await Subscription.open(running.address, ticket, ["*"])  # the system's authorities only
        async with relay_running(central, tls=server_tls(*map(str, certificates.untrusted))) as running:
            with pytest.raises(ssl.SSLCertVerificationError):
                await Subscription.open(
                    replace(running.address, cafile=str(certificates.ca_file)), ticket, ["*"]
                )

    asyncio.run(scenario())


def test_the_relay_login_may_only_listen_and_read_its_state(central: Central) -> None:
    async def scenario() -> None:
        connection = await relay_connect(central)()
        async with connection:
            cursor = await connection.execute("SELECT api.notice_relay_state()")
            assert (await cursor.fetchone()) is not None
            for query in (
                "SELECT count(*) FROM public.customers",
                "SELECT count(*) FROM public.change_log",
                "SELECT api.notice_ticket()",
                "SELECT api.pull_changes(0, 10)",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    await connection.execute(query)

    asyncio.run(scenario())


def test_the_tickets_own_keys_need_no_asking_goodwill_reaches_its_requester_and_the_supervisors(
    central: Central,
) -> None:
    advisor = central.add_user(Role.ADVISOR, 5_000, hint="adv")
    supervisor = central.add_user(Role.SUPERVISOR, 50_000, hint="sup")
    other = central.add_user(Role.ADVISOR, 5_000, hint="oth")
    customer = central.customer()

    async def scenario() -> None:
        async with relay_running(central) as running:
            subscriptions = {
                person.username: await Subscription.open(
                    running.address, await ticket_for(central, person), []
                )
                for person in (advisor, supervisor, other)
            }
            for subscription in subscriptions.values():
                await heads(subscription, 1)
            asked = goodwill_payload(customer, 90_000)  # above the advisor's limit: a supervisor decides
            made = await asyncio.to_thread(central.apply, central.login(advisor), "goodwill.request", asked)
            assert made["state"] == "accepted", made
            assert await heads(subscriptions[advisor.username], 1) == [running.relay.head]
            assert await heads(subscriptions[supervisor.username], 1) == [running.relay.head]
            assert await no_head(subscriptions[other.username])
            for subscription in subscriptions.values():
                await subscription.close()

    asyncio.run(scenario())


def test_the_notice_relay_command_forwards_notices_until_interrupted(central: Central) -> None:
    """`advisor-console notice-relay` as a process: a subscription gets the head, then a change's."""
    advisor = central.add_user(Role.ADVISOR, 5_000, hint="adv")
    customer = central.customer()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = central.location.url.set(drivername="postgresql", username="notice_relay", password=None)
    command = ["notice-relay", "--server", server.render_as_string(False), "--listen", f"127.0.0.1:{port}"]
    process = subprocess.Popen(
        [sys.executable, "-m", "console", *command],
        stderr=subprocess.PIPE,
        text=True,
    )

    async def scenario() -> None:
        ticket = await ticket_for(central, advisor)
        address = RelayAddress("127.0.0.1", port, tls=False)
        async with asyncio.timeout(120):  # the process starts slowly on a busy machine
            while True:  # until the process takes subscriptions and holds its LISTEN
                try:
                    subscription = await Subscription.open(address, ticket, [customer_key(customer)])
                    break
                except (OSError, RelayRefusedError):
                    await asyncio.sleep(0.1)
        [head] = await heads(subscription, 1)
        await asyncio.to_thread(
            central.apply, central.login(advisor), "contact.add", contact_payload(customer, "Hello")
        )
        assert await heads(subscription, 1) == [head + 1]
        await subscription.close()

    try:
        asyncio.run(scenario())
    finally:
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "Traceback" not in err
    assert err.splitlines()[0] == f"notice relay: taking subscriptions on tcp://127.0.0.1:{port}"
