"""End to end: a console window in this process listens on its own socket (ADVISOR_CONSOLE_INSTANCE);
the real `python -m console call …` runs as a subprocess against it, as a softphone would run it."""

from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console.call_channel import console_running, server_name
from console.call_commands import START_WAIT
from tests.ui.support import STORY_PHONE, UiData
from widgets.call.channel import CallChannel, answer_calls
from widgets.main_window import MainWindow

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform == "win32", reason="Unix sockets"),
    pytest.mark.qt_log_ignore("does not support raise"),  # offscreen: no window stacking to change
]

# What a softphone may wait for: `call` must hand over and return within this (most of it is the
# interpreter starting, slower on a busy machine).
PROMPT = 8.0


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str
    seconds: float


def run_console(qtbot: QtBot, *args: str, env: dict[str, str] | None = None, timeout: float = 30) -> Ran:
    """Run the real program while this process's event loop keeps the window answering."""
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "console", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ) if env is None else env,
    )
    try:
        qtbot.waitUntil(lambda: process.poll() is not None, timeout=int(timeout * 1000))
    finally:
        if process.poll() is None:
            process.kill()
    stdout, stderr = process.communicate(timeout=10)
    return Ran(process.returncode, stdout, stderr, time.monotonic() - started)


@pytest.fixture
def own_instance(monkeypatch: pytest.MonkeyPatch) -> str:
    """A socket of this test's own, so tests (and a console the person runs) never meet."""
    name = f"t{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("ADVISOR_CONSOLE_INSTANCE", name)
    return name


@pytest.fixture
def listening(window: MainWindow, own_instance: str) -> Iterator[CallChannel]:
    channel = answer_calls(window, window.call)
    assert channel.listening
    yield channel
    channel.close()
    assert not Path(server_name()).exists()


def test_a_call_from_the_command_line_opens_the_customer(
    qtbot: QtBot, window: MainWindow, listening: CallChannel, ui_data: UiData
) -> None:
    ran = run_console(qtbot, "call", "tel:+44-7700-900-123")
    assert ran.code == 0, ran.stderr
    assert ran.seconds < PROMPT
    qtbot.waitUntil(lambda: window.current_profile is not None, timeout=5000)
    assert window.current_profile is not None
    assert window.current_profile.account_number == ui_data.story_account
    strip = window.call.strip
    assert strip.isVisible()
    assert strip.number.text() == "07700 900123"
    assert "Ms Priya Shah" in strip.caller.text()
    assert window.call.caller is not None and window.call.caller.e164 == STORY_PHONE


def test_call_ended_from_the_command_line(qtbot: QtBot, window: MainWindow, listening: CallChannel) -> None:
    assert run_console(qtbot, "call", "callto://07700%20900123").code == 0
    qtbot.waitUntil(lambda: window.call.live, timeout=5000)
    with qtbot.waitSignal(window.call.call_ended, timeout=10000) as ended:
        ran = run_console(qtbot, "call", "--ended")
    assert ran.code == 0, ran.stderr
    assert ended.args[0].number == STORY_PHONE
    assert window.call.strip.timer.text().startswith("Ended")


def test_a_withheld_call_from_the_command_line(
    qtbot: QtBot, window: MainWindow, listening: CallChannel
) -> None:
    assert run_console(qtbot, "call", "Anonymous").code == 0
    qtbot.waitUntil(lambda: window.call.live, timeout=5000)
    assert window.call.strip.number.text() == "Number withheld"
    assert window.current_profile is None


@pytest.mark.parametrize(
    "junk", ["hello; rm -rf ~", "sip:alice@example.com", "\x1b[2Jtel:+447700900123", "0" * 500]
)
def test_junk_is_refused_and_the_console_is_unchanged(
    qtbot: QtBot, window: MainWindow, listening: CallChannel, junk: str
) -> None:
    received: list[object] = []
    listening.call_received.connect(received.append)
    ran = run_console(qtbot, "call", junk)
    assert ran.code != 0
    assert "Traceback" not in ran.stderr + ran.stdout
    lines = ran.stderr.strip().splitlines()
    assert len(lines) == 1, ran.stderr
    assert junk not in lines[0]
    assert "\x1b" not in lines[0]
    QApplication.processEvents()
    assert received == []
    assert not window.call.strip.isVisible()
    assert not window.call.live


def test_a_second_start_brings_the_first_forward(
    qtbot: QtBot, window: MainWindow, listening: CallChannel, tmp_path: Path
) -> None:
    with qtbot.waitSignal(listening.raise_received, timeout=15000):
        ran = run_console(qtbot, "--db", str(tmp_path / "another.db"))
    assert ran.code == 0, ran.stderr
    assert ran.seconds < PROMPT
    assert "already running" in ran.stderr
    # It handed over and left before opening a store or a window (a window would keep it running).
    assert not (tmp_path / "another.db").exists()  # one console per user, whatever the store


def test_a_second_listener_steps_aside(window: MainWindow, listening: CallChannel) -> None:
    second = CallChannel(window)
    assert not second.listen()
    assert listening.listening


def test_a_socket_left_behind_is_taken_over(window: MainWindow, own_instance: str) -> None:
    from console.call_channel import prepare_folder, socket_folder

    prepare_folder(socket_folder())
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(server_name())
    stale.close()
    channel = CallChannel(window)
    try:
        assert channel.listen()
        assert console_running()
    finally:
        channel.close()


def _listener_pid() -> int:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.connect(server_name())
        credentials = client.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        client.sendall(b'{"v":1,"kind":"ping"}\n')
        client.recv(100)
    return int(struct.unpack("3i", credentials)[0])


@pytest.mark.skipif(not hasattr(socket, "SO_PEERCRED"), reason="finds the started console by its socket")
def test_call_with_no_console_running_starts_one(qtbot: QtBot, tmp_path: Path, own_instance: str) -> None:
    env = dict(os.environ)
    env.update(
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        QT_QPA_PLATFORM="offscreen",
    )
    seeded = run_console(qtbot, "seed", "--customers", "20", env=env, timeout=120)
    assert seeded.code == 0, seeded.stderr
    try:
        ran = run_console(qtbot, "call", "07700 900123", env=env)
        assert ran.code == 0, ran.stderr
        assert ran.seconds < PROMPT + START_WAIT
        qtbot.waitUntil(console_running, timeout=30000)
        again = run_console(qtbot, "call", "--ended", env=env)
        assert again.code == 0, again.stderr
        assert again.stderr == ""
    finally:
        if console_running():  # the console it started: this test's to stop
            os.kill(_listener_pid(), signal.SIGTERM)
