"""The notice relay: ONE server connection LISTENs for change notices; workstations subscribe over TCP
(or TLS) with a ticket and the keys they care about, and each gets only the notices whose keys meet
theirs. On (re)subscribe it answers the head now; after its own link to the server comes back it sends
every subscriber the head, so one that missed notices pulls once. Idle subscribers cost a socket and
a waiting reader each; one sweep every `keepalive` pings them all and drops the silent."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg

from console.clock import Clock
from console.sync.notice_keys import EVERYONE, Notice, is_key, parse_notice
from console.sync.relay_client import KEEPALIVE, LINE_LIMIT, SILENCE_LIMIT, decode, encode
from console.sync.relay_ticket import Ticket, TicketError, check, ticket_from_json
from console.sync.remote import CHANGES_CHANNEL, first_line

log = logging.getLogger(__name__)

MAX_KEYS = 100_000  # customer keys in one subscription
MAX_BUFFERED = 1024 * 1024  # bytes waiting for a subscriber that does not read: it is dropped
RECONNECT_FIRST, RECONNECT_MOST = 1.0, 30.0

ServerConnect = Callable[[], Awaitable[psycopg.AsyncConnection[Any]]]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(eq=False)
class Subscriber:
    writer: asyncio.StreamWriter
    ticket: Ticket
    heard: datetime  # when it last said anything
    keys: frozenset[str] = field(default_factory=frozenset)

    def send(self, message: dict[str, Any]) -> bool:
        """Queue a line; False (and the link closed) when it has let too much pile up unread."""
        if self.writer.is_closing():
            return False
        transport = self.writer.transport
        if transport.get_write_buffer_size() > MAX_BUFFERED:
            self.writer.close()
            return False
        self.writer.write(encode(message))
        return True


class NoticeRelay:
    def __init__(
        self,
        connect: ServerConnect,
        *,
        clock: Clock,
        sleep: Sleep = asyncio.sleep,
        keepalive: float = KEEPALIVE,
    ) -> None:
        self._connect = connect
        self._clock = clock
        self._sleep = sleep
        self.keepalive = keepalive
        self.head = -1
        self._secret: bytes | None = None
        self._subscribers: set[Subscriber] = set()
        self._everyone: set[Subscriber] = set()
        self._by_key: dict[str, set[Subscriber]] = {}
        self.listening = asyncio.Event()  # the LISTEN is in place
        self.backend_pid: int | None = None  # the server backend of its one connection
        self.connections = 0  # server connections made so far
        self.notices = 0  # notices received
        self.sent = 0  # notices forwarded, counted per subscriber

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    # -- the server side --------------------------------------------------------------------------

    async def listen(self) -> None:
        """Hold the one LISTEN connection until cancelled; reconnect after a drop, with backoff."""
        delay = RECONNECT_FIRST
        while True:
            try:
                connection = await self._connect()
            except Exception as exc:
                log.info("notice relay: cannot reach the server: %s", first_line(exc))
                await self._sleep(delay)
                delay = min(delay * 2, RECONNECT_MOST)
                continue
            delay = RECONNECT_FIRST
            try:
                await self._hold(connection)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.info("notice relay: the link to the server dropped: %s", first_line(exc))
            finally:
                self.listening.clear()
                self.backend_pid = None
                with contextlib.suppress(Exception):
                    await connection.close()
            await self._sleep(0)

    async def _hold(self, connection: psycopg.AsyncConnection[Any]) -> None:
        await connection.execute(f"LISTEN {CHANGES_CHANNEL}")
        cursor = await connection.execute("SELECT api.notice_relay_state()")
        row = await cursor.fetchone()
        assert row is not None
        state = json.loads(row[0]) if isinstance(row[0], str) else row[0]
        self._secret = bytes.fromhex(state["secret"])
        reconnected = self.connections > 0
        self.connections += 1
        self.backend_pid = connection.info.backend_pid
        self.head = max(self.head, int(state["head"]))
        self.listening.set()
        if reconnected:  # notices may have been missed: everyone behind this head pulls once
            for subscriber in list(self._subscribers):
                self._send(subscriber, {"head": self.head})
        while True:
            async for notify in connection.notifies(timeout=self.keepalive):
                notice = parse_notice(notify.payload)
                if notice is not None:
                    self.forward(notice)
            await connection.execute("SELECT 1")  # a quiet spell: is the server still there?

    def forward(self, notice: Notice) -> int:
        """Send the notice's head to every subscriber whose keys meet its keys; how many got it."""
        self.notices += 1
        self.head = max(self.head, notice.head)
        if notice.for_everyone:
            targets: set[Subscriber] = set(self._subscribers)
        else:
            targets = set(self._everyone)
            for key in notice.keys:
                targets |= self._by_key.get(key, set())
        for subscriber in targets:
            self._send(subscriber, {"head": notice.head})
        self.sent += len(targets)
        return len(targets)

    # -- the subscribers' side --------------------------------------------------------------------

    async def serve(self, host: str, port: int, tls: ssl.SSLContext | None = None) -> asyncio.Server:
        """Start taking subscriptions on host:port (port 0: any free port)."""
        return await asyncio.start_server(self._subscriber, host, port, ssl=tls, limit=LINE_LIMIT)

    async def _subscriber(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        subscriber: Subscriber | None = None
        try:
            try:
                line = await asyncio.wait_for(reader.readline(), self.keepalive)
                subscriber = self._admit(writer, decode(line))
            except (TicketError, ValueError) as exc:
                writer.write(encode({"error": f"subscription refused: {exc}"}))
                return
            except (TimeoutError, asyncio.LimitOverrunError):
                writer.write(encode({"error": "subscription refused: no subscription came"}))
                return
            while line := await reader.readline():
                subscriber.heard = self._clock.now()
                message = decode(line)
                if "keys" in message:
                    self._index(subscriber, self._wanted(subscriber.ticket, message["keys"]))
                elif "ping" in message:
                    self._send(subscriber, {"pong": 1})
        except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TicketError):
            pass  # a broken or misbehaving subscriber: dropped below
        finally:
            if subscriber is not None:
                self._drop(subscriber)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def _admit(self, writer: asyncio.StreamWriter, message: dict[str, Any]) -> Subscriber:
        if self._secret is None:
            raise TicketError("the relay is not connected to the server yet: try again shortly")
        ticket = ticket_from_json(message.get("ticket"))
        check(ticket, self._secret, self._clock.now())
        subscriber = Subscriber(writer, ticket, self._clock.now())
        self._subscribers.add(subscriber)
        self._index(subscriber, self._wanted(ticket, message.get("keys", [EVERYONE])))
        self._send(subscriber, {"head": self.head})
        return subscriber

    @staticmethod
    def _wanted(ticket: Ticket, keys: object) -> frozenset[str]:
        """The ticket's own keys and the customer keys (or *) asked for; TicketError for others."""
        if not isinstance(keys, list) or len(keys) > MAX_KEYS:
            raise TicketError(f"keys must be a list of at most {MAX_KEYS:,}")
        for key in keys:
            if not isinstance(key, str) or not is_key(key):
                raise TicketError(f"{str(key)[:60]!r} is not a key")
            if not (key == EVERYONE or key.startswith("c:") or key in ticket.keys):
                raise TicketError(f"the ticket does not allow the key {key}")
        return frozenset(keys) | frozenset(ticket.keys)

    def _index(self, subscriber: Subscriber, keys: frozenset[str]) -> None:
        self._unindex(subscriber)
        subscriber.keys = keys
        if EVERYONE in keys:
            self._everyone.add(subscriber)
        for key in keys:
            self._by_key.setdefault(key, set()).add(subscriber)

    def _unindex(self, subscriber: Subscriber) -> None:
        self._everyone.discard(subscriber)
        for key in subscriber.keys:
            holders = self._by_key.get(key)
            if holders is not None:
                holders.discard(subscriber)
                if not holders:
                    del self._by_key[key]

    def _drop(self, subscriber: Subscriber) -> None:
        self._unindex(subscriber)
        self._subscribers.discard(subscriber)

    def _send(self, subscriber: Subscriber, message: dict[str, Any]) -> None:
        if not subscriber.send(message):
            self._drop(subscriber)

    def close_all(self) -> None:
        """End every subscriber's link (the relay is stopping)."""
        for subscriber in list(self._subscribers):
            self._drop(subscriber)
            subscriber.writer.close()

    def sweep(self) -> None:
        """Ping every subscriber; drop those silent for SILENCE_LIMIT keepalives, and end those whose
        ticket expired (they come back with a fresh one)."""
        now = self._clock.now()
        for subscriber in list(self._subscribers):
            if (now - subscriber.heard).total_seconds() >= self.keepalive * SILENCE_LIMIT:
                self._drop(subscriber)
                subscriber.writer.close()
            elif subscriber.ticket.expired(now):
                self._send(subscriber, {"error": "the ticket has expired: fetch a new one"})
                self._drop(subscriber)
                subscriber.writer.close()
            else:
                self._send(subscriber, {"ping": 1})

    async def keep_alive(self) -> None:
        while True:
            await self._sleep(self.keepalive)
            self.sweep()

    async def run(self, host: str, port: int, tls: ssl.SSLContext | None = None) -> None:
        """Listen and serve until cancelled."""
        server = await self.serve(host, port, tls)
        tasks = [asyncio.create_task(self.listen()), asyncio.create_task(self.keep_alive())]
        try:
            async with server:
                await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self.close_all()


def server_tls(cert: str, key: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    return context
