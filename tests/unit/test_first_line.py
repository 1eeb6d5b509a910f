"""One helper turns an exception into the one line people see (the widgets, the CLI, the sync engine)."""

from __future__ import annotations

from domain.errors import FIRST_LINE_LIMIT, first_line


def test_the_first_line_only() -> None:
    error = RuntimeError("could not connect\nDETAIL: SELECT secret FROM users WHERE password = 'x'")
    assert first_line(error) == "could not connect"


def test_cut_short_at_the_limit() -> None:
    assert first_line(ValueError("x" * 1000)) == "x" * FIRST_LINE_LIMIT
    assert first_line(ValueError("abcdef"), limit=3) == "abc"


def test_an_error_without_words_is_named_by_its_type() -> None:
    assert first_line(TimeoutError()) == "TimeoutError"
    assert first_line(ValueError("  \n ")) == "ValueError"
