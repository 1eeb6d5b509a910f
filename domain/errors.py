"""Exceptions in words for people: the one helper that turns an error into a one-line message."""

from __future__ import annotations

# Exception text can carry SQL and its parameters: people get the first line, cut short.
FIRST_LINE_LIMIT = 300


def first_line(error: BaseException, limit: int = FIRST_LINE_LIMIT) -> str:
    """The first line of `error`'s text (at most `limit` characters), or its type's name if it has none."""
    lines = str(error).strip().splitlines()
    return lines[0][:limit] if lines else type(error).__name__
