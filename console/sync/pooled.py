"""Calls through a connection pooler's shared login (docs/security.md, "Pooled sessions"): the
session token a workstation gets with its own login (api.open_session), and the one-message
transaction that names it before each call."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, LiteralString

import psycopg
from psycopg import sql

# The setting api.person() (storage/server/28_pooled_sessions.sql) reads the token from.
SESSION_SETTING = "console.session"

# Each call runs as one simple-protocol message of two statements, which PostgreSQL runs as one
# transaction: the token is set for that transaction only (a pooled server connection serves the
# next call of another workstation) and the call's own result is the second.
_NAME_SESSION = "SELECT pg_catalog.set_config('console.session', {token}, true)"
_SET_TIMEOUT = "SELECT pg_catalog.set_config('statement_timeout', {ms}, true)"


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
        try:
            with self._open_direct() as connection:
                connection.execute("SELECT api.end_session(%s)", (token,))
        except psycopg.Error:
            pass


def session_ended(exc: BaseException) -> bool:
    """Whether the server refused a pooled call because its session expired or was ended."""
    return isinstance(exc, psycopg.errors.InvalidAuthorizationSpecification)


def pooled_query(
    query: LiteralString | sql.Composable, token: str, timeout_ms: int | None = None
) -> sql.Composed:
    """`query` (with %s placeholders, bound on the client) after the statements naming the session
    and, if given, the statement timeout: the query's result is the message's last."""
    parts: list[sql.Composable] = [sql.SQL(_NAME_SESSION).format(token=sql.Literal(token))]
    if timeout_ms is not None:
        parts.append(sql.SQL(_SET_TIMEOUT).format(ms=sql.Literal(f"{timeout_ms}ms")))
    parts.append(sql.SQL(query) if isinstance(query, str) else query)
    return sql.SQL("; ").join(parts)
