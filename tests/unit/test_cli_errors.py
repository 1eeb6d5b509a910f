"""The command line's last word on an error: a database driver's error is one line and exit 1, even
though the command line imports SQLAlchemy only with the store."""

from __future__ import annotations

import argparse

import pytest
from sqlalchemy.exc import OperationalError

from console import cli


@pytest.fixture(autouse=True)
def no_log_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "setup_logging", lambda: None)


def fail_with(error: Exception) -> object:
    def run(_argv: object) -> int:
        raise error

    return run


def test_a_database_error_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "run", fail_with(OperationalError("SELECT 1", {}, Exception("disk I/O error"))))
    assert cli.main(["open"]) == 1
    assert capsys.readouterr().err == "advisor-console: error: database error: Exception: disk I/O error\n"


def test_anything_else_is_unexpected(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "run", fail_with(argparse.ArgumentTypeError("odd")))
    assert cli.main(["open"]) == 70
    assert capsys.readouterr().err.startswith("advisor-console: unexpected error: ArgumentTypeError: odd")
