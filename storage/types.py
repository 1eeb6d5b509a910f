"""Column types shared by every model: UTC-only timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always stored in UTC and always read back timezone-aware.

    SQLite has no time zone type, so naive values are refused on the way in rather than
    guessed at: a naive datetime is almost always a bug (local time taken for UTC).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: times are stored in UTC and must be aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def search_key(length: int) -> String:
    """Text searched by prefix range: byte order ("C" collation) on PostgreSQL, as SQLite's BINARY.

    A linguistic collation may ignore punctuation and spaces when comparing, which breaks
    `key >= prefix AND key < prefix || U+10FFFF` as a prefix test.
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")
