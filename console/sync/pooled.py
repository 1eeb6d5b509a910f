"""Calls through a connection pooler's shared login (docs/security.md, "Pooled sessions"): the
session token a workstation gets with its own login (api.open_session), and the pipelined
transaction that names it before each call."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Any, LiteralString

import psycopg
from psycopg import sql

# Each call is one transaction, pipelined (one round trip). A pooled server connection serves the
# next call of another workstation, and anyone signed in through the pooler may leave settings on
# it: so the transaction begins READ WRITE at READ COMMITTED whatever the connection's defaults say,
# puts every setting back to the gateway login's own (RESET ALL: its timeouts, the search path),
# then names the session for this transaction only (api.person(),
# storage/server/28_pooled_sessions.sql, reads it), then runs the call. The token is a bound
# parameter, never part of a statement's text: pg_stat_activity shows every backend of the shared
# login the text of its statement, so a token written into it could be read by anyone else signed
# in through the pooler.
RESET = "RESET ALL"
NAME_SESSION = "SELECT pg_catalog.set_config('console.session', %s, true)"
SET_TIMEOUT = "SELECT pg_catalog.set_config('statement_timeout', %s, true)"


class PooledSession:
    """The token of this workstation's pooled session, opened through `open_direct` (a connection as
    the person's own login) on first use and again when the server says it has ended. Shared by the
    sync engine's link and the window's server reads (another thread), hence the lock."""

    def __init__(self, open_direct: Callable[[], psycopg.Connection[Any]]) -> None:
        self._open_direct = open_direct
        self._lock = threading.Lock()
        self._token: str | None = None
        self.opened = 0  # sessions opened (a renewal counts)

    def token(self) -> str:
        with self._lock:
            if self._token is None:
                self._token = self._open()
            return self._token

    def renew(self, stale: str) -> str:
        """A new token in place of `stale`, unless another caller renewed it already."""
        with self._lock:
            if self._token is None or self._token == stale:
                self._token = self._open()
            return self._token

    def _open(self) -> str:
        with self._open_direct() as connection:
            row = connection.execute("SELECT api.open_session() ->> 'token'").fetchone()
        assert row is not None and row[0]
        self.opened += 1
        return str(row[0])

    def end(self) -> None:
        """Sign out: the server forgets the token (best effort: it expires in 12 hours anyway)."""
        with self._lock:
            token, self._token = self._token, None
        if token is None:
            return
        with contextlib.suppress(psycopg.Error), self._open_direct() as connection:
            connection.execute("SELECT api.end_session(%s)", (token,))


# A call the server refuses because its session expired or was ended (SQLSTATE 28000) is made once
# more with a session opened anew; a second refusal is the caller's to report.


async def call_pooled(
    connection: psycopg.AsyncConnection[Any],
    session: PooledSession,
    query: LiteralString | sql.Composed,
    params: tuple[Any, ...],
) -> list[tuple[Any, ...]]:
    """`query`'s rows as the person of `session`, renewed once if the server says it ended."""
    token = await asyncio.to_thread(session.token)
    try:
        return await run_pooled(connection, token, query, params)
    except psycopg.errors.InvalidAuthorizationSpecification:
        token = await asyncio.to_thread(session.renew, token)
    return await run_pooled(connection, token, query, params)


def call_pooled_blocking(
    connection: psycopg.Connection[Any],
    session: PooledSession,
    query: LiteralString | sql.Composed,
    params: tuple[Any, ...],
    timeout_ms: int,
) -> list[tuple[Any, ...]]:
    """call_pooled on a blocking connection, the statement cut short after `timeout_ms`."""
    token = session.token()
    try:
        return run_pooled_blocking(connection, token, query, params, timeout_ms)
    except psycopg.errors.InvalidAuthorizationSpecification:
        token = session.renew(token)
    return run_pooled_blocking(connection, token, query, params, timeout_ms)


async def run_pooled(
    connection: psycopg.AsyncConnection[Any],
    token: str,
    query: LiteralString | sql.Composed,
    params: tuple[Any, ...],
) -> list[tuple[Any, ...]]:
    """`query`'s rows, run in one transaction that names the session `token`."""
    await connection.set_read_only(False)
    await connection.set_isolation_level(psycopg.IsolationLevel.READ_COMMITTED)
    async with connection.pipeline(), connection.transaction():
        await connection.execute(RESET)
        await connection.execute(NAME_SESSION, (token,))
        cursor = await connection.execute(query, params)
    return await cursor.fetchall()


def run_pooled_blocking(
    connection: psycopg.Connection[Any],
    token: str,
    query: LiteralString | sql.Composed,
    params: tuple[Any, ...],
    timeout_ms: int,
) -> list[tuple[Any, ...]]:
    """run_pooled on a blocking connection, the statement cut short after `timeout_ms`."""
    connection.read_only = False
    connection.isolation_level = psycopg.IsolationLevel.READ_COMMITTED
    with connection.pipeline(), connection.transaction():
        connection.execute(RESET)
        connection.execute(NAME_SESSION, (token,))
        connection.execute(SET_TIMEOUT, (f"{timeout_ms}ms",))
        cursor = connection.execute(query, params)
    return cursor.fetchall()
