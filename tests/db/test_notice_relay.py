"""The notice relay on a real PostgreSQL: notices carry their audience, tickets are signed by the server
and checked by the relay, and a subscription gets only the heads whose keys meet its own."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import uuid
from dataclasses import replace
from typing import Any

import psycopg
import pytest
from sqlalchemy import text

from console.sync.notice_keys import customer_key, parse_notice
from console.sync.relay_client import RelayRefusedError, Subscription, subscribe
from console.sync.relay_ticket import Ticket, fetch_ticket, sign
from console.sync.remote import CHANGES_CHANNEL, conninfo
from domain.records import UserRecord
from domain.vocabulary import Role, Team
from tests.db.test_sync_notice_drop import contact_payload
from tests.helpers.central import Central, goodwill_payload
from tests.helpers.relay import relay_running

pytestmark = pytest.mark.postgres


async def ticket_for(central: Central, user: UserRecord) -> Ticket:
    async with await psycopg.AsyncConnection.connect(
        conninfo(central.login(user).url), autocommit=True
    ) as connection:
        return await fetch_ticket(connection)


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
