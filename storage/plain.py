"""Plain SQL on a DB-API connection (sqlite3 or psycopg), with the values read and bound as the models
store them, without SQLAlchemy: for the reads that run every time a customer is opened, and for the
start path, which reads before SQLAlchemy is imported.

SQL is written once with `:name` parameters (sqlite3's named style); for psycopg they become
`%(name)s`. So the SQL holds no `%` and no `::` cast.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Protocol

# Called before each statement with (the connection, the SQL, its parameters), as the driver gets them.
StatementHook = Callable[[Any, str, Any], None]
Convert = Callable[[Any], Any]


class DBAPIConnection(Protocol):
    """sqlite3's or psycopg's connection: both run a statement with `execute`, returning a cursor."""

    def execute(self, sql: str, params: Any = ...) -> Any: ...


_NAMED = r"(?<![:\w]):(\w+)"


def sqlite_datetime(value: datetime | None) -> str | None:
    """What a UTC timestamp is stored as on SQLite: `2026-01-02 03:04:05.000000`, in UTC, so text order
    is time order."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: times are stored in UTC and must be aware")
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]  # without its "+00:00"


_new, _set, _UNKNOWN = object.__new__, object.__setattr__, uuid.SafeUUID.unknown


def _sqlite_uuid(value: str) -> uuid.UUID:
    # What uuid.UUID(hex=value) makes, without its checks of a text that is always our own 32 hex
    # digits: a third of the time, for the ids every row holds.
    made = _new(uuid.UUID)
    _set(made, "int", int(value, 16))
    _set(made, "is_safe", _UNKNOWN)
    return made


def _sqlite_time(value: str) -> datetime:
    return datetime.fromisoformat(value + "+00:00")  # five times faster than .replace(tzinfo=UTC)


def _server_time(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _sqlite_date(value: str) -> date:
    return date.fromisoformat(value)


def enum_of(kind: type[StrEnum]) -> Convert:
    """A stored enum value to its member (a dict look-up: calling the enum costs ten times more)."""
    return {member.value: member for member in kind}.__getitem__


# The kinds of stored value a Shape's column may name besides an enum_of(...) or None (as it is).
UUID, TIME, DATE, BOOL = "uuid", "time", "date", "bool"
_SQLITE: dict[str, Convert] = {UUID: _sqlite_uuid, TIME: _sqlite_time, DATE: _sqlite_date, BOOL: bool}
_SERVER: dict[str, Convert] = {TIME: _server_time, BOOL: bool}


def _values(*values: Any) -> tuple[Any, ...]:
    return values


class Shape:
    """What a read's rows become: `make` called with each row's values, each converted from how the
    engine stores it by its column's kind (NULL stays None). Compiled once per engine into one function
    (as dataclasses builds __init__), the row loop being what a read costs beyond its SQL."""

    def __init__(self, columns: Sequence[str | Convert | None], make: Callable[..., Any] = _values) -> None:
        self.columns = tuple(columns)
        self.make = make
        self._plans: dict[bool, Callable[[Sequence[Any]], Any]] = {}

    def plan(self, sqlite: bool) -> Callable[[Sequence[Any]], Any]:
        found = self._plans.get(sqlite)
        if found is None:
            found = self._plans[sqlite] = self._compile(_SQLITE if sqlite else _SERVER)
        return found

    def _compile(self, kinds: Mapping[str, Convert]) -> Callable[[Sequence[Any]], Any]:
        scope: dict[str, Any] = {"make": self.make}
        args = []
        for n, column in enumerate(self.columns):
            convert = kinds.get(column) if isinstance(column, str) else column
            if convert is None:
                args.append(f"row[{n}]")
            else:
                scope[f"c{n}"] = convert
                args.append(f"None if row[{n}] is None else c{n}(row[{n}])")
        return eval(f"lambda row: make({', '.join(args)})", scope)  # type: ignore[no-any-return]


class Reader:
    """A DB-API connection (in the caller's transaction) and how its engine binds values."""

    def __init__(
        self, connection: DBAPIConnection, *, sqlite: bool, hook: StatementHook | None = None
    ) -> None:
        self.connection = connection
        self.sqlite = sqlite
        self._hook = hook

    def bind(self, value: Any) -> Any:
        """A Python value as this engine's driver takes it for a stored column."""
        kind = type(value)
        if kind is str or kind is int or value is None:
            return value
        if isinstance(value, StrEnum):
            return value.value
        if not self.sqlite:
            return value
        if kind is uuid.UUID:
            return value.hex
        if kind is datetime:
            return sqlite_datetime(value)
        return value

    def rows(self, sql: str, params: Mapping[str, Any], shape: Shape) -> list[Any]:
        """What `shape` makes of every row of `sql` for `params` (bound with `bind`)."""
        if not self.sqlite:
            sql = _server_text(sql)
        bound = {name: self.bind(value) for name, value in params.items()}
        if self._hook is not None:
            self._hook(self.connection, sql, bound)
        found = self.connection.execute(sql, bound).fetchall()
        return list(map(shape.plan(self.sqlite), found))

    def send(self, sql: str) -> None:
        """A statement without parameters or rows (BEGIN)."""
        if self._hook is not None:
            self._hook(self.connection, sql, {})
        self.connection.execute(sql)

    def scalar(self, sql: str, params: Mapping[str, Any]) -> Any:
        found = self.rows(sql, params, _ONE)
        return found[0][0] if found else None


_ONE = Shape((None,))
_SERVER_TEXT: dict[str, str] = {}


def _server_text(sql: str) -> str:
    """`:name` parameters as psycopg's `%(name)s`."""
    text = _SERVER_TEXT.get(sql)
    if text is None:
        text = _SERVER_TEXT[sql] = re.sub(_NAMED, r"%(\1)s", sql)
    return text


def placeholders(prefix: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    """`:prefix_0, :prefix_1, ...` for an IN list, and the parameters they name."""
    names = [f"{prefix}_{n}" for n in range(len(values))]
    return ", ".join(f":{name}" for name in names), dict(zip(names, values, strict=True))


def quoted(values: Sequence[StrEnum]) -> str:
    """Enum values as SQL string literals, for lists fixed in the code (never for user input)."""
    return ", ".join("'" + value.value.replace("'", "''") + "'" for value in values)
