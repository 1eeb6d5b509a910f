"""A small asyncio TCP proxy for fault tests: clients connect to 127.0.0.1, each connection is joined
to the PostgreSQL server's socket, and the wire protocol is read just enough to number requests
(up to each Sync or simple Query) and find their replies (up to ReadyForQuery), so a test can stop
the server before a request arrives, or cut the link after the server committed, before its answer
reaches the client."""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104

# What a request calls, from its SQL text (or the text of the prepared statement it binds).
APPLY = "apply"  # api.apply_mutation (and any batch of it): the server commits before it answers
PULL = "pull"  # api.pull_changes
OTHER = "other"


@dataclass
class Request:
    """One client request: the messages up to a Sync (extended protocol) or one simple Query."""

    connection: int
    kind: str = OTHER
    number: int = 0  # the how-manieth request of this kind, counted over all connections
    messages: list[bytes] = field(default_factory=list)


@dataclass(frozen=True)
class Fault:
    """`before`: run `then` instead of forwarding the request, then close the link. `after`: forward
    it, hold the server's whole reply (its ReadyForQuery comes after the COMMIT), run `then`, close
    the link without passing the reply on."""

    when: str
    then: Callable[[], Awaitable[None]] | None = None


Decide = Callable[[Request], Awaitable[Fault | None]]


async def no_fault(_request: Request) -> Fault | None:
    return None


def classify(sql: str) -> str:
    lowered = sql.lower()
    if "apply_mutation" in lowered:
        return APPLY
    if "pull_changes" in lowered:
        return PULL
    return OTHER


def _cstring(body: bytes, start: int) -> tuple[str, int]:
    end = body.index(b"\x00", start)
    return body[start:end].decode("utf-8", "replace"), end + 1


class _CutError(Exception):
    """The fault plan closed this link."""


class PgProxy:
    """Listens on 127.0.0.1 (an ephemeral port); `decide` is asked about every complete request."""

    def __init__(self, socket_path: Path, decide: Decide = no_fault) -> None:
        self.socket_path = socket_path
        self.decide = decide
        self.port = 0
        self.counts: dict[str, int] = {APPLY: 0, PULL: 0, OTHER: 0}
        self.refused = 0  # client connections made while the server was down
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.Task[None]] = set()
        self._connections = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def conninfo(self, **keywords: str) -> str:
        """A libpq connection string through the proxy (no SSL or GSS negotiation to read)."""
        words = {"host": "127.0.0.1", "port": str(self.port), "sslmode": "disable", "gssencmode": "disable"}
        return " ".join(f"{key}={value}" for key, value in (words | keywords).items())

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._links):
            task.cancel()
        if self._links:
            await asyncio.wait(list(self._links))

    async def _accept(self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._links.add(task)
        try:
            await self._serve(client_in, client_out)
        except asyncio.CancelledError:  # close(): end quietly (asyncio logs a cancelled handler)
            pass
        finally:
            self._links.discard(task)

    async def _serve(self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter) -> None:
        self._connections += 1
        link = _Link(self, self._connections, client_out)
        try:
            server_in, server_out = await asyncio.open_unix_connection(str(self.socket_path))
        except OSError:  # the server is down: the client sees the link close at once
            self.refused += 1
            client_out.close()
            return
        link.server_out = server_out
        upstream = asyncio.create_task(link.client_to_server(client_in))
        downstream = asyncio.create_task(link.server_to_client(server_in))
        try:
            await asyncio.wait({upstream, downstream}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (upstream, downstream):
                task.cancel()
            # Each ends with EOF, a cut, a reset or the cancellation: none of it matters here.
            await asyncio.gather(upstream, downstream, return_exceptions=True)
            if link.action is not None:  # a stop in progress: the client hears of it only after
                await asyncio.gather(link.action, return_exceptions=True)
            for writer in (client_out, server_out):
                writer.close()
                with contextlib.suppress(OSError, ConnectionError):
                    await writer.wait_closed()


class _Link:
    """One client connection and its server connection."""

    def __init__(self, proxy: PgProxy, number: int, client_out: asyncio.StreamWriter) -> None:
        self.proxy = proxy
        self.number = number
        self.client_out = client_out
        self.server_out: asyncio.StreamWriter | None = None
        self.statements: dict[str, str] = {}  # prepared statement name -> its SQL kind
        self.in_flight: deque[tuple[Request, Fault | None]] = deque()
        self.raw_replies = 0  # single-byte answers owed for SSL / GSS requests
        self.frozen = False  # a fault is acting: nothing more reaches the client
        self.action: asyncio.Future[None] | None = None

    async def client_to_server(self, reader: asyncio.StreamReader) -> None:
        assert self.server_out is not None
        # Untyped messages first: SSL / GSS requests, then the startup message.
        while True:
            head = await reader.readexactly(8)
            length, code = struct.unpack("!ii", head)
            rest = await reader.readexactly(length - 8)
            if code in (SSL_REQUEST, GSSENC_REQUEST):
                self.raw_replies += 1
            self.server_out.write(head + rest)
            await self.server_out.drain()
            if code not in (SSL_REQUEST, GSSENC_REQUEST):
                break
        request = Request(self.number)
        while True:
            kind = await reader.readexactly(1)
            (length,) = struct.unpack("!i", await reader.readexactly(4))
            body = await reader.readexactly(length - 4)
            message = kind + struct.pack("!i", length) + body
            request.messages.append(message)
            self._note(request, kind, body)
            if kind == b"X":  # Terminate
                self.server_out.write(b"".join(request.messages))
                await self.server_out.drain()
                return
            if kind not in (b"S", b"Q", b"H"):
                continue
            if kind == b"H":  # Flush: the client waits for what it sent so far
                self.server_out.write(b"".join(request.messages))
                request.messages.clear()
                await self.server_out.drain()
                continue
            await self._send(request)
            request = Request(self.number)

    def _note(self, request: Request, kind: bytes, body: bytes) -> None:
        if kind == b"Q":
            sql, _ = _cstring(body, 0)
            request.kind = _merge(request.kind, classify(sql))
        elif kind == b"P":
            name, at = _cstring(body, 0)
            sql, _ = _cstring(body, at)
            self.statements[name] = classify(sql)
            request.kind = _merge(request.kind, self.statements[name])
        elif kind == b"B":
            _portal, at = _cstring(body, 0)
            statement, _ = _cstring(body, at)
            request.kind = _merge(request.kind, self.statements.get(statement, OTHER))

    async def _send(self, request: Request) -> None:
        assert self.server_out is not None
        proxy = self.proxy
        proxy.counts[request.kind] += 1
        request.number = proxy.counts[request.kind]
        fault = await proxy.decide(request)
        if fault is not None and fault.when == "before":
            await self._run(fault)
            raise _CutError
        self.in_flight.append((request, fault))
        self.server_out.write(b"".join(request.messages))
        await self.server_out.drain()

    async def server_to_client(self, reader: asyncio.StreamReader) -> None:
        while True:
            if self.raw_replies:
                self.raw_replies -= 1
                self.client_out.write(await reader.readexactly(1))
                await self.client_out.drain()
                continue
            kind = await reader.readexactly(1)
            (length,) = struct.unpack("!i", await reader.readexactly(4))
            body = await reader.readexactly(length - 4)
            fault = self.in_flight[0][1] if self.in_flight else None
            held = fault is not None and fault.when == "after"
            if not held and not self.frozen:
                self.client_out.write(kind + struct.pack("!i", length) + body)
                await self.client_out.drain()
            if kind == b"Z" and self.in_flight:
                self.in_flight.popleft()
                if held:
                    assert fault is not None
                    await self._run(fault)
                    raise _CutError

    async def _run(self, fault: Fault) -> None:
        """The fault's action, to its end: the client hears nothing more on this link meanwhile
        (not even the server's own goodbye when the action stops it), and the link closes only
        after it, so what the client sees next does not depend on how fast the action was."""
        self.frozen = True
        if fault.then is None:
            return
        self.action = asyncio.ensure_future(fault.then())
        await asyncio.shield(self.action)


def _merge(current: str, found: str) -> str:
    if APPLY in (current, found):
        return APPLY
    if PULL in (current, found):
        return PULL
    return OTHER
