"""A workstation's side of the notice relay: subscribe with a ticket and the keys it cares about, then
receive the change log's heads as they come (the first at once: the head now). Line-delimited JSON
over TCP or TLS; both sides ping every `keepalive` seconds, so a dead link is noticed.

Stable API (the load harness drives it without a store): `subscribe(address, ticket, keys)` yields
heads; `Subscription.open(...)` also lets the keys change while subscribed; `fetch_ticket` is in
console/sync/relay_ticket.py."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterable
from typing import Any

from console.relay_address import RelayAddress, parse_relay_address
from console.sync.relay_ticket import Ticket

KEEPALIVE = 30.0  # seconds between pings when nothing else was said
SILENCE_LIMIT = 3  # keepalives without a word from the other side: the link is dead
OPEN_TIMEOUT = 10.0
CLOSE_WAIT = 1.0  # seconds a closing subscription waits for the relay to see it go
LINE_LIMIT = 4 * 1024 * 1024  # a subscription of many customers is one long line


class RelayRefusedError(Exception):
    """The relay refused the subscription (a bad or expired ticket, keys not allowed): one line."""


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    try:
        found = json.loads(line)
    except ValueError:
        raise ValueError("a line that is not JSON") from None
    if not isinstance(found, dict):
        raise ValueError("a line that is not a JSON object")
    return found


class Subscription:
    """One open subscription. Iterate it for heads; `set_keys` replaces the customer keys."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, head: int, keepalive: float
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._keepalive = keepalive
        self._first: int | None = head
        self.head = head

    @classmethod
    async def open(
        cls,
        address: RelayAddress | str,
        ticket: Ticket,
        keys: Iterable[str],
        *,
        keepalive: float = KEEPALIVE,
        timeout: float = OPEN_TIMEOUT,
    ) -> Subscription:
        """Connect and subscribe; the relay's first answer is the head now. RelayRefusedError when it
        refuses, OSError or TimeoutError when it cannot be reached."""
        where = parse_relay_address(address) if isinstance(address, str) else address
        context = where.ssl_context()
        # asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a cancel that arrives as
        # its awaitable finishes, and a stopping engine would then wait on a subscription for ever.
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(
                where.host,
                where.port,
                ssl=context,
                server_hostname=where.host if context is not None else None,
                limit=LINE_LIMIT,
            )
        try:
            writer.write(encode({"ticket": ticket.as_json(), "keys": sorted(set(keys))}))
            await writer.drain()
            async with asyncio.timeout(timeout):
                answer = decode(await reader.readline() or b"{}")
            if "error" in answer:
                raise RelayRefusedError(str(answer["error"]))
            head = answer.get("head")
            if not isinstance(head, int):
                raise ConnectionResetError("the notice relay closed the link before it answered")
        except BaseException:
            writer.close()
            raise
        return cls(reader, writer, head, keepalive)

    async def set_keys(self, keys: Iterable[str]) -> None:
        """From now on, notices for these keys (and the ticket's own) reach this subscription."""
        self._writer.write(encode({"keys": sorted(set(keys))}))
        await self._writer.drain()

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> int:
        """The next head; raises when the link drops, goes quiet or the relay ends the subscription."""
        if self._first is not None:
            head, self._first = self._first, None
            return head
        silent = 0
        while True:
            try:
                async with asyncio.timeout(self._keepalive):
                    line = await self._reader.readline()
            except TimeoutError:
                silent += 1
                if silent >= SILENCE_LIMIT:
                    raise TimeoutError("the notice relay went quiet") from None
                self._writer.write(encode({"ping": 1}))
                await self._writer.drain()
                continue
            if not line:
                raise ConnectionResetError("the notice relay closed the link")
            silent = 0
            message = decode(line)
            if "error" in message:
                raise RelayRefusedError(str(message["error"]))
            if "ping" in message:
                self._writer.write(encode({"pong": 1}))
                await self._writer.drain()
            found = message.get("head")
            if isinstance(found, int):
                self.head = found
                return found

    async def close(self) -> None:
        """Close the connection; wait at most CLOSE_WAIT for the relay to see it (a relay that reads
        nothing would otherwise keep a cancelled subscriber waiting for ever)."""
        self._writer.close()
        with contextlib.suppress(OSError, TimeoutError, asyncio.CancelledError):
            async with asyncio.timeout(CLOSE_WAIT):
                await self._writer.wait_closed()


async def subscribe(
    address: RelayAddress | str, ticket: Ticket, keys: Iterable[str], *, keepalive: float = KEEPALIVE
) -> AsyncIterator[int]:
    """The change log's heads the relay forwards for `keys` (and the ticket's keys): the head now
    first, then one per notice that meets them. Ends with the exception when the link drops."""
    subscription = await Subscription.open(address, ticket, keys, keepalive=keepalive)
    try:
        async for head in subscription:
            yield head
    finally:
        await subscription.close()
