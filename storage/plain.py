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
    def cursor(self) -> Any: ...


_NAMED = re.compile(r"(?<![:\w]):(\w+)")


def sqlite_datetime(value: datetime | None) -> str | None:
    """What a UTC timestamp is stored as on SQLite: `2026-01-02 03:04:05.000000`, in UTC, so text order
    is time order."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: times are stored in UTC and must be aware")
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond:06d}"


def _sqlite_uuid(value: str) -> uuid.UUID:
    return uuid.UUID(hex=value)


def _sqlite_time(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _server_time(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _sqlite_date(value: str) -> date:
    return date.fromisoformat(value)


def _same(value: Any) -> Any:
    return value


def enum_of(kind: type[StrEnum]) -> Convert:
    """A stored enum value to its member (a dict look-up: calling the enum costs ten times more)."""
    return {member.value: member for member in kind}.__getitem__


class Reader:
    """A DB-API connection (in the caller's transaction) and how its engine stores each kind of value.

    `columns` of a read name a converter per column (`reader.uuid`, `reader.time`, `reader.date`,
    `bool`, an `enum_of(...)`, or None for a value read as it is); NULL stays None.
    """

    def __init__(
        self, connection: DBAPIConnection, *, sqlite: bool, hook: StatementHook | None = None
    ) -> None:
        self.connection = connection
        self.sqlite = sqlite
        self._hook = hook
        self._sql: dict[str, str] = {}
        self.uuid: Convert = _sqlite_uuid if sqlite else _same
        self.time: Convert = _sqlite_time if sqlite else _server_time
        self.date: Convert = _sqlite_date if sqlite else _same
        self.bool: Convert = bool

    def bind(self, value: Any) -> Any:
        """A Python value as this engine's driver takes it for a stored column."""
        if isinstance(value, StrEnum):
            return value.value
        if not self.sqlite:
            return value
        if isinstance(value, uuid.UUID):
            return value.hex
        if isinstance(value, datetime):
            return sqlite_datetime(value)
        return value

    def _text(self, sql: str) -> str:
        if self.sqlite:
            return sql
        text = self._sql.get(sql)
        if text is None:
            text = self._sql[sql] = _NAMED.sub(r"%(\1)s", sql)
        return text

    def rows(self, sql: str, params: Mapping[str, Any], columns: Sequence[Convert | None]) -> list[list[Any]]:
        """Every row of `sql` for `params` (bound with `bind`), each value converted by its column's."""
        text = self._text(sql)
        bound = {name: self.bind(value) for name, value in params.items()}
        if self._hook is not None:
            self._hook(self.connection, text, bound)
        cursor = self.connection.cursor()
        try:
            cursor.execute(text, bound)
            found = cursor.fetchall()
        finally:
            cursor.close()
        converts = [(n, c) for n, c in enumerate(columns) if c is not None]
        out = []
        for row in found:
            values = list(row)
            for n, convert in converts:
                value = values[n]
                if value is not None:
                    values[n] = convert(value)
            out.append(values)
        return out

    def scalar(self, sql: str, params: Mapping[str, Any]) -> Any:
        found = self.rows(sql, params, (None,))
        return found[0][0] if found else None


def placeholders(prefix: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    """`:prefix_0, :prefix_1, ...` for an IN list, and the parameters they name."""
    names = [f"{prefix}_{n}" for n in range(len(values))]
    return ", ".join(f":{name}" for name in names), dict(zip(names, values, strict=True))


def quoted(values: Sequence[StrEnum]) -> str:
    """Enum values as SQL string literals, for lists fixed in the code (never for user input)."""
    return ", ".join("'" + value.value.replace("'", "''") + "'" for value in values)
