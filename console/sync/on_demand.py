"""Customers a workstation does not hold, while online: the server's search (api.search_customers)
and one customer's records (api.customer_records), held on the server (api.hold_customers) and kept
in the local store by the replica's own writer, the one a pull and a first sync use, so later pulls
keep them current. Through a pooler's shared login each call names the workstation's session
(console.sync.pooled)."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, LiteralString

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy.orm import Session

from console.clock import Clock, SystemClock
from console.search import plan_search
from console.sync.holding import StaleRecordsError as StaleRecordsError
from console.sync.holding import keep
from console.sync.pooled import PooledSession, call_pooled_blocking
from domain.records import CustomerMatch
from storage import replica
from storage.queries import holdings
from storage.queries import sync as queries
from storage.store import Store

# How long the window waits for the server before it searches its own copy instead.
SEARCH_TIMEOUT_MS = 2_000
SERVER_MAX = 200  # api.search_customers' own cap

SyncConnect = Callable[[], psycopg.Connection[Any]]


def probes(text: str) -> list[dict[str, Any]]:
    """What the advisor typed, normalised by the local search's own rules, as the server's probes."""
    return [{"kind": str(probe.kind), "keys": list(probe.keys)} for probe in plan_search(text)]


def matches(answer: Any) -> list[CustomerMatch]:
    """The server's answer to a search as result rows."""
    rows = json.loads(answer) if isinstance(answer, str) else answer
    return [
        CustomerMatch(
            id=uuid.UUID(str(row["id"])),
            account_number=str(row["account_number"]),
            name=str(row["name"]),
            postcode=str(row["postcode"]),
            town=str(row["town"]),
            phone_e164=row.get("phone_e164"),
            email=row.get("email"),
        )
        for row in rows or []
    ]


def keep_records(session: Session, answer: dict[str, Any], now: datetime) -> replica.ApplyReport:
    """Write one customer's records (api.customer_records) in the caller's transaction and hold them
    (console.sync.holding.keep): kept only while the store's cursor is no later than their head."""
    applied = keep(session, answer, now)
    holdings.touch(session, uuid.UUID(str(answer["customer_id"])), now)
    return applied


def connector(info: str, *, pooled: bool = False, **options: Any) -> SyncConnect:
    """Blocking connections for the window's background thread, each statement cut short after
    SEARCH_TIMEOUT_MS so a slow server falls back to the local copy rather than keep the advisor.
    Through a pooler (`pooled`) the timeout is set in each call's transaction instead: a pooler
    passes no startup options."""

    def connect() -> psycopg.Connection[Any]:
        seconds = max(2, SEARCH_TIMEOUT_MS // 1000)  # libpq's shortest connect timeout
        if not pooled:
            options.setdefault("options", f"-c statement_timeout={SEARCH_TIMEOUT_MS}")
        return psycopg.Connection.connect(
            info,
            autocommit=True,
            connect_timeout=seconds,
            application_name="advisor-console search",
            prepare_threshold=None,
            **options,
        )

    return connect


class ServerReads:
    """One blocking connection to the server for search and fetch, opened on first use and again
    after it breaks. Used from one thread at a time (the window's background reader)."""

    def __init__(
        self, connect: SyncConnect, clock: Clock | None = None, session: PooledSession | None = None
    ) -> None:
        self._connect = connect
        self._clock = clock or SystemClock()
        self._connection: psycopg.Connection[Any] | None = None
        self._session = session  # set when `connect` reaches a pooler's shared login

    def _call(self, query: LiteralString, params: tuple[Any, ...]) -> Any:
        if self._connection is None or self._connection.closed:
            self._connection = self._connect()
        try:
            if self._session is None:
                row = self._connection.execute(query, params).fetchone()
            else:
                rows = call_pooled_blocking(self._connection, self._session, query, params, SEARCH_TIMEOUT_MS)
                row = rows[0] if rows else None
        except (psycopg.OperationalError, psycopg.InterfaceError):
            self.close()
            raise
        assert row is not None
        return row[0]

    def search(self, text: str, limit: int) -> list[CustomerMatch]:
        found = probes(text)
        if not found:
            return []
        answer = self._call("SELECT api.search_customers(%s, %s)", (Jsonb(found), min(limit, SERVER_MAX)))
        return matches(answer)

    def customer_records(self, customer_id: uuid.UUID) -> dict[str, Any]:
        answer = self._call("SELECT api.customer_records(%s)", (customer_id,))
        found = json.loads(answer) if isinstance(answer, str) else answer
        if not isinstance(found, dict):
            raise TypeError("the server's answer for a customer is not an object")
        return found

    def fetch_customer(self, store: Store, customer_id: uuid.UUID) -> replica.ApplyReport:
        """Hold the customer on the server, read their records and keep them; read again once if a
        pull overtook them."""
        with store.write() as session:
            client = queries.client_id(session, self._clock.now())
        self._call("SELECT api.hold_customers(%s, %s)", (client, [customer_id]))
        for attempt in range(2):
            answer = self.customer_records(customer_id)
            try:
                with store.write() as session:
                    return keep_records(session, answer, self._clock.now())
            except StaleRecordsError:
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def __enter__(self) -> ServerReads:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.closed:
            with contextlib.suppress(psycopg.Error):
                connection.close()
