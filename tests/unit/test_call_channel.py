"""The local channel's protocol and client, Qt-free: messages, the user's socket folder, a round trip
against a plain socket server standing in for the console."""

from __future__ import annotations

import json
import os
import socket
import stat
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.call_channel import (
    MAX_MESSAGE_BYTES,
    ChannelError,
    Message,
    MessageKind,
    NoConsoleError,
    ProtocolError,
    console_running,
    decode,
    decode_reply,
    encode,
    encode_reply,
    instance_name,
    prepare_folder,
    send,
    server_name,
    socket_folder,
)
from console.calls import Caller

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Unix sockets")


@pytest.mark.parametrize(
    "message",
    [
        Message(MessageKind.CALL, Caller("+447700900123")),
        Message(MessageKind.CALL, Caller(None)),
        Message(MessageKind.ENDED),
        Message(MessageKind.RAISE),
        Message(MessageKind.PING),
    ],
)
def test_messages_round_trip(message: Message) -> None:
    line = encode(message)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert decode(line.rstrip(b"\n")) == message


@pytest.mark.parametrize(
    "line",
    [
        b"",
        b"not json",
        b"\xff\xfe",
        b"[1, 2]",
        b'{"kind": "call", "number": "+447700900123"}',
        b'{"v": 2, "kind": "call", "number": "+447700900123"}',
        b'{"v": 1, "kind": "hangup"}',
        b'{"v": 1, "kind": "call", "number": 447700900123}',
        b'{"v": 1, "kind": "call", "number": "not a number"}',
        b'{"v": 1, "kind": "call", "number": "anonymous"}',
        b'{"v": 1, "kind": "call", "number": "' + b"1" * 2000 + b'"}',
    ],
)
def test_the_console_refuses_what_is_not_a_message(line: bytes) -> None:
    with pytest.raises(ProtocolError) as refused:
        decode(line)
    assert "\n" not in str(refused.value)


def test_replies() -> None:
    assert decode_reply(encode_reply().rstrip()) is None
    assert decode_reply(encode_reply("no\nway").rstrip()) == "no"
    assert decode_reply(b"garbage") == "the console's answer was not understood"


def test_instance_name_comes_from_the_environment() -> None:
    assert instance_name({}) == "console"
    assert instance_name({"ADVISOR_CONSOLE_INSTANCE": "test-1"}) == "test-1"
    with pytest.raises(ChannelError):
        instance_name({"ADVISOR_CONSOLE_INSTANCE": "../../etc/passwd"})


def test_one_socket_per_user_not_per_store(tmp_path: Path) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir()
    env = {"XDG_RUNTIME_DIR": str(runtime)}
    assert server_name(env) == str(runtime / "advisor-console" / "console.sock")
    assert socket_folder({}).name == f"advisor-console-{os.getuid()}"
    assert server_name({"ADVISOR_CONSOLE_INSTANCE": "a"}).endswith(f"advisor-console-{os.getuid()}/a.sock")


def test_socket_folder_is_made_private(tmp_path: Path) -> None:
    folder = tmp_path / "sockets"
    prepare_folder(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    folder.chmod(0o777)
    prepare_folder(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own socket: XDG_RUNTIME_DIR in the test's folder."""
    runtime = tmp_path / "r"
    runtime.mkdir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.delenv("ADVISOR_CONSOLE_INSTANCE", raising=False)
    prepare_folder(socket_folder())
    return Path(server_name())


@pytest.fixture
def stand_in(instance: Path) -> Iterator[list[bytes]]:
    """A plain socket server that answers like the console and records what it was sent."""
    received: list[bytes] = []
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(instance))
    server.listen()
    server.settimeout(0.05)
    stop = threading.Event()

    def answer() -> None:
        while not stop.is_set():
            try:
                client, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with client:
                line = client.recv(MAX_MESSAGE_BYTES).split(b"\n")[0]
                received.append(line)
                try:
                    decode(line)
                except ProtocolError as exc:
                    client.sendall(encode_reply(str(exc)))
                else:
                    client.sendall(encode_reply())

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    yield received
    stop.set()
    thread.join(timeout=5)
    server.close()


def test_send_hands_the_message_over(stand_in: list[bytes]) -> None:
    assert send(Message(MessageKind.CALL, Caller("+447700900123"))) is None
    assert json.loads(stand_in[0]) == {"v": 1, "kind": "call", "number": "+447700900123"}
    assert console_running()


def test_no_console_listening(instance: Path) -> None:
    with pytest.raises(NoConsoleError):
        send(Message(MessageKind.RAISE))
    assert not console_running()


def test_a_socket_left_by_a_crashed_console_is_nobody(instance: Path) -> None:
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(instance))
    dead.close()  # the file stays, nobody listens
    assert instance.exists()
    assert not console_running()


def test_a_folder_others_can_write_to_is_not_used(instance: Path) -> None:
    instance.parent.chmod(0o777)
    with pytest.raises(ChannelError, match="not yours"):
        send(Message(MessageKind.RAISE))
