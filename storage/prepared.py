"""Reads that run often: statements built once with bound parameters, and the session's connection as
a plain-SQL Reader (`plain`, `reader_on`: storage/plain.py) for the pane's reads (storage/pane_sql.py).

Building a select costs SQLAlchemy about a millisecond (coercing each column and clause, then the
cache key), ten times what SQLite takes to answer it at a million customers. A statement built once
(`@built_once` on a function returning it, with `bindparam` for what varies) is compiled once too:
SQLAlchemy's compiled cache finds it by its memoized key. `rows` runs it on the session's connection,
as Core: plain rows, without the ORM's result machinery the column-only selects do not need.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any, ParamSpec, TypeVar, cast

from sqlalchemy import Connection, Executable, Row
from sqlalchemy.orm import Session

from storage.plain import Reader, StatementHook

Statement = TypeVar("Statement", bound=Executable)
Options = ParamSpec("Options")


def built_once(build: Callable[Options, Statement]) -> Callable[Options, Statement]:
    """Decorator: `build` runs once for each set of (hashable) options; later calls return the same
    statement."""
    return cast(Callable[Options, Statement], cache(build))


def rows(
    session: Session, statement: Executable, params: Mapping[str, Any]
) -> Sequence[Row[*tuple[Any, ...]]]:
    """Every row of `statement` for `params`, read in the session's transaction.

    The session's pending changes are flushed first, as its own `execute` would (autoflush).
    """
    if session.autoflush:
        session.flush()  # returns at once when nothing is pending
    return session.connection().execute(statement, dict(params)).all()


def plain(session: Session) -> Reader:
    """The session's DB-API connection as a plain-SQL Reader (storage/plain.py), in the session's
    transaction (its pending changes flushed first)."""
    if session.autoflush:
        session.flush()  # returns at once when nothing is pending
    return reader_on(session.connection())


def reader_on(connection: Connection) -> Reader:
    """A Reader on `connection`'s DB-API connection, in its transaction. Its statements reach the engine's
    `before_cursor_execute` listeners, as SQLAlchemy's own do (cursor and context None), so what watches
    the engine sees them."""
    driver = connection.connection.driver_connection
    assert driver is not None
    return Reader(driver, sqlite=connection.dialect.name == "sqlite", hook=_engine_events(connection))


def _engine_events(connection: Connection) -> StatementHook | None:
    if not connection.dispatch.before_cursor_execute:
        return None
    listeners = connection.dispatch.before_cursor_execute

    def hook(_driver: object, statement: str, parameters: object) -> None:
        listeners(connection, None, statement, parameters, None, False)

    return hook
