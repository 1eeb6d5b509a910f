"""The link to the central server: psycopg's AsyncConnection calling api.apply_mutations (a page),
api.apply_mutation (one), api.pull_changes or api.pull_held, the first sync's api.working_set_plan,
api.snapshot_page and api.customers_records, the holdings' api.hold_customers and
api.release_customers, LISTEN for the change notice, and which faults are worth a retry. Through a
pooler's shared login each call also names the workstation's session (console.sync.pooled)."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, LiteralString, NamedTuple

import psycopg
from psycopg import errors, sql
from psycopg.types.json import Jsonb
from sqlalchemy.engine import URL, make_url

from console.sync.pooled import PooledSession, call_pooled
from domain.errors import first_line as first_line  # also what the engine and the pusher use

# The server's commit-time trigger sends this after numbering a transaction's changes.
CHANGES_CHANNEL = "console_changes"

Connect = Callable[[], Awaitable[psycopg.AsyncConnection[Any]]]


class PermanentRefusalError(Exception):
    """The server refused the call itself (not the mutation): the login is disabled, not a console
    user, or the mutation id belongs to someone else. Retrying will not help."""


def conninfo(url: str | URL) -> str:
    """A libpq connection string from a SQLAlchemy-style URL (postgresql+psycopg://...)."""
    parsed = make_url(url) if isinstance(url, str) else url
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def connector(info: str, **options: Any) -> Connect:
    """Open autocommit connections with `info` (each function call is its own transaction)."""

    options.setdefault("application_name", "advisor-console sync")
    # No server-side prepared statements: behind PgBouncer in transaction mode (before 1.21) the next
    # call may run on another server connection, where psycopg's `_pg3_N` does not exist.
    options.setdefault("prepare_threshold", None)

    async def connect() -> psycopg.AsyncConnection[Any]:
        return await psycopg.AsyncConnection.connect(info, autocommit=True, connect_timeout=5, **options)

    return connect


def is_transient(exc: BaseException) -> bool:
    """Faults worth a retry with the same mutation id: the link dropped, the server is restarting,
    a serialization failure or deadlock (PostgreSQL's class 40), too many connections."""
    if isinstance(exc, (OSError, TimeoutError)):
        return True
    if isinstance(exc, errors.InsufficientPrivilege):
        return False
    if isinstance(exc, psycopg.InterfaceError):
        return True  # the connection is closed or broken
    return isinstance(exc, psycopg.OperationalError)


class Answer(NamedTuple):
    """The server's answer to one mutation of a page, split on the server: the whole answer as JSON
    text (stored as is) and the few fields the push reads, so no answer is parsed here unless its
    record is to be written."""

    mutation_id: str | None
    state: str | None
    reason: str | None
    text: str
    entity: str | None
    record_id: str | None  # the record's id, when the answer carries a record this login may read
    follow_up: bool  # it carries a follow-up record (promise.complete's next attempt)
    skew_flagged: bool


# api.apply_mutations called once (a function in FROM runs once), its answers taken apart in order.
_APPLY_PAGE = """
SELECT a.value ->> 'mutation_id', a.value ->> 'state', a.value ->> 'reason', a.value::text,
       a.value ->> 'entity',
       CASE WHEN jsonb_typeof(a.value -> 'record') = 'object' THEN a.value -> 'record' ->> 'id' END,
       jsonb_typeof(a.value -> 'follow_up') = 'object',
       a.value -> 'clock_skew_flagged' = 'true'::pg_catalog.jsonb
  FROM pg_catalog.jsonb_array_elements(api.apply_mutations(%s::pg_catalog.jsonb))
       WITH ORDINALITY AS a(value, n)
 ORDER BY a.n
"""


class ServerLink:
    """One connection to the server, opened on first use and again after it breaks. With `session`,
    `connect` reaches a pooler's shared login and every call names the session (renewed once when
    the server says it ended)."""

    def __init__(self, connect: Connect, session: PooledSession | None = None) -> None:
        self._connect = connect
        self._connection: psycopg.AsyncConnection[Any] | None = None
        self.session = session
        self.batches = True  # False once the server turned out to lack api.apply_mutations

    async def connection(self) -> psycopg.AsyncConnection[Any]:
        if self._connection is None or self._connection.closed:
            self._connection = await self._connect()
        return self._connection

    @property
    def is_open(self) -> bool:
        """Whether it holds a server connection now."""
        return self._connection is not None and not self._connection.closed

    async def drop(self) -> None:
        """Forget a connection that failed; the next call opens a fresh one."""
        connection, self._connection = self._connection, None
        if connection is not None and not connection.closed:
            with contextlib.suppress(psycopg.Error):
                await connection.close()

    async def _rows(
        self, query: LiteralString | sql.Composed, params: tuple[Any, ...]
    ) -> list[tuple[Any, ...]]:
        """`query`'s rows as this login, or as the pooled session's person (renewed once when the
        server says it ended); refusals of the call itself raise PermanentRefusalError."""
        connection = await self.connection()
        try:
            if self.session is None:
                cursor = await connection.execute(query, params)
                return await cursor.fetchall()
            return await call_pooled(connection, self.session, query, params)
        except (errors.InsufficientPrivilege, errors.InvalidAuthorizationSpecification) as exc:
            raise PermanentRefusalError(first_line(exc)) from None

    async def _row(
        self, query: LiteralString | sql.Composed, params: tuple[Any, ...]
    ) -> tuple[Any, ...] | None:
        rows = await self._rows(query, params)
        return rows[0] if rows else None

    async def apply_mutation(
        self,
        *,
        mutation_id: uuid.UUID,
        client_id: uuid.UUID,
        client_seq: int,
        kind: str,
        payload: dict[str, Any],
        occurred_at: datetime,
    ) -> dict[str, Any]:
        row = await self._row(
            "SELECT api.apply_mutation(%s, %s, %s, %s, %s, %s)",
            (mutation_id, client_id, client_seq, kind, Jsonb(payload), occurred_at),
        )
        assert row is not None
        return _as_dict(row[0])

    async def apply_page(self, page: str) -> list[Answer]:
        """One call of api.apply_mutations with a page already written as a JSON array (text): one
        answer each, in order. A server answer that is not an array of objects raises psycopg.Error."""
        rows = await self._rows(_APPLY_PAGE, (page,))
        return [
            Answer(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]), bool(row[7])) for row in rows
        ]

    async def pull_changes(self, after: int, max_rows: int) -> dict[str, Any]:
        row = await self._row("SELECT api.pull_changes(%s, %s)", (after, max_rows))
        assert row is not None
        return _as_dict(row[0])

    async def audit_witness(self, seqs: Sequence[int]) -> dict[str, Any]:
        """The audit chain's head now and its hash at each of `seqs` (the heads this workstation saw)."""
        return await self._call("SELECT api.audit_witness(%s)", (list(seqs),))

    async def sync_mark(self, client_id: uuid.UUID, through_seq: int, client_now: datetime) -> dict[str, Any]:
        """Tell the server this workstation pushed everything up to `through_seq` and pulled, now."""
        return await self._call("SELECT api.sync_mark(%s, %s, %s)", (client_id, through_seq, client_now))

    async def notice_ticket(self) -> dict[str, Any]:
        """The signed-in person's ticket for the notice relay (api.notice_ticket), as the server wrote it."""
        return await self._call("SELECT api.notice_ticket()", ())

    async def pull_held(self, client_id: uuid.UUID, after: int, max_rows: int) -> dict[str, Any]:
        """pull_changes for a workstation that holds its working set: only changes of the customers
        it holds, of no customer, and of its user's working set."""
        return await self._call("SELECT api.pull_held(%s, %s, %s)", (client_id, after, max_rows))

    async def working_set_plan(self, days: int) -> dict[str, Any]:
        """The change log's head, the working set's customers and the reference data's row counts."""
        return await self._call("SELECT api.working_set_plan(%s)", (days,))

    async def hold_customers(self, client_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> None:
        """From now on the pulls of `client_id` bring these customers' changes."""
        await self._scalar("SELECT api.hold_customers(%s, %s)", (client_id, list(ids)))

    async def release_customers(self, client_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> None:
        """The workstation dropped these customers: their changes no longer reach its pulls."""
        await self._scalar("SELECT api.release_customers(%s, %s)", (client_id, list(ids)))

    async def customers_records(self, ids: Sequence[uuid.UUID]) -> dict[str, Any]:
        """These customers' records as this login may read them, and the head they were read at."""
        return await self._call("SELECT api.customers_records(%s)", (list(ids),))

    async def snapshot_page(self, entity: str, after: uuid.UUID | None, max_rows: int) -> dict[str, Any]:
        """The next rows of `entity` after the id `after`, as this login may read them."""
        return await self._call("SELECT api.snapshot_page(%s, %s, %s)", (entity, after, max_rows))

    async def _call(self, query: LiteralString, params: tuple[Any, ...]) -> dict[str, Any]:
        return _as_dict(await self._scalar(query, params))

    async def _scalar(self, query: LiteralString, params: tuple[Any, ...]) -> Any:
        row = await self._row(query, params)
        assert row is not None
        return row[0]

    async def current_row(self, table: str, row_id: uuid.UUID) -> dict[str, Any] | None:
        """The server's row as this login may read it (row-level security applies), or None."""
        query = sql.SQL("SELECT to_jsonb(t) FROM public.{} AS t WHERE t.id = %s").format(
            sql.Identifier(table)
        )
        row = await self._row(query, (row_id,))
        return _as_dict(row[0]) if row is not None else None

    async def close(self) -> None:
        await self.drop()


def _as_dict(value: Any) -> dict[str, Any]:
    found = json.loads(value) if isinstance(value, str) else value
    if not isinstance(found, dict):
        raise TypeError(f"the server answered {type(found).__name__}, not an object")
    return found


async def notices(connect: Connect) -> AsyncIterator[str]:
    """An empty string once LISTEN is in place, then each change notice the server sends (the new
    head of its change log), on a connection of its own. Ends with the exception when the link
    drops; behind a transaction-mode pooler LISTEN never fires, and polling keeps clients current."""
    connection = await connect()
    try:
        await connection.execute(f"LISTEN {CHANGES_CHANNEL}")
        yield ""
        async for notice in connection.notifies():
            yield notice.payload
    finally:
        await connection.close()
