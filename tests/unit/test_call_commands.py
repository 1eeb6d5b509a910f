"""`advisor-console call` without Qt: refusals, no console to end, starting one with the call in hand."""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

import pytest

from console import call_commands
from console.call_commands import CallCommandError, cmd_call, start_console
from console.calls import Caller


@pytest.fixture(autouse=True)
def own_instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = tmp_path / "r"
    runtime.mkdir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.delenv("ADVISOR_CONSOLE_INSTANCE", raising=False)


class FakeProcess:
    def __init__(self, code: int | None) -> None:
        self.code = code

    def poll(self) -> int | None:
        return self.code


def args(number: str | None = None, *, ended: bool = False) -> argparse.Namespace:
    return argparse.Namespace(number=number, ended=ended)


def test_junk_is_refused_before_anything_is_started() -> None:
    started: list[list[str]] = []

    def spawn(argv: list[str]) -> subprocess.Popen[bytes]:
        started.append(argv)
        raise AssertionError("nothing may start")

    with pytest.raises(CallCommandError, match="not a phone number"):
        cmd_call(args("rm -rf / please"), display=True, spawn=spawn)
    assert started == []


def test_ended_with_no_console_is_a_note(capsys: pytest.CaptureFixture[str]) -> None:
    assert cmd_call(args(ended=True), display=True) == 0
    assert "no call to end" in capsys.readouterr().err


def test_no_console_and_no_display() -> None:
    with pytest.raises(CallCommandError, match="no display"):
        cmd_call(args("07700 900123"), display=False)


def test_starts_a_console_with_the_call_in_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[list[str]] = []

    def spawn(argv: list[str]) -> subprocess.Popen[bytes]:
        started.append(argv)
        return FakeProcess(None)  # type: ignore[return-value]

    monkeypatch.setattr(call_commands, "START_WAIT", 0.2)
    said = start_console(Caller("+447700900123"), spawn)
    assert started[0][-3:] == ["console", "--call", "+447700900123"]
    assert "starting" in said
    start_console(Caller(None), spawn)
    assert started[1][-1] == "withheld"


def test_a_console_that_stops_at_once_is_reported() -> None:
    with pytest.raises(CallCommandError, match="did not start"):
        start_console(Caller("+447700900123"), lambda _argv: FakeProcess(1))  # type: ignore[arg-type,return-value]
