"""`screenshot --call` and the call command's refusals, run as the real program."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "console", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("call") / "demo.db"
    result = run("seed", "--db", str(path), "--customers", "20")
    assert result.returncode == 0, result.stderr
    return path


@pytest.mark.parametrize("number", ["tel:+447700900123", "07700 900999", "anonymous", "01154960789"])
def test_screenshot_with_a_call_in_hand(seeded: Path, tmp_path: Path, number: str) -> None:
    out = tmp_path / "call.png"
    result = run("screenshot", str(out), "--db", str(seeded), "--call", number, "--size", "1366x768")
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("command", [("screenshot", "OUT", "--call"), ("--call",), ("call",)])
def test_junk_number_is_one_line_and_nothing_else(
    seeded: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    out = tmp_path / "call.png"
    junk = "javascript:alert('x')//" + "A" * 50
    args = [str(out) if part == "OUT" else part for part in command]
    env = dict(os.environ, ADVISOR_CONSOLE_INSTANCE="refusal-test")
    result = (
        run(*args, junk, "--db", str(seeded), env=env)
        if command[0] == "screenshot"
        else run(*args, junk, env=env)
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "not a phone number" in lines[0]
    assert junk not in lines[0]
    assert not out.exists()
