"""The console's local channel, Qt-free: where the running console listens, what is said on it, the client.

One console runs per user. It listens on a local socket only that user can open (the window side is
widgets/call/channel.py, a QLocalServer); `advisor-console call` and a second `advisor-console` speak
to it from here with the standard library, so they start fast and never load Qt.

The protocol: the client connects, sends one JSON object on one line (UTF-8, at most
MAX_MESSAGE_BYTES), and reads one JSON line back:

    {"v": 1, "kind": "call", "number": "+447700900123"}   a call (number null: withheld)
    {"v": 1, "kind": "ended"}                              the call in hand ended
    {"v": 1, "kind": "raise"}                              bring the window forward
    {"v": 1, "kind": "ping"}                               is anyone listening? (changes nothing)
    reply: {"ok": true}  or  {"ok": false, "error": "one line"}
"""

from __future__ import annotations

import json
import os
import re
import socket
import stat
import sys
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from console.calls import Caller, CallerInputError, parse_caller

PROTOCOL_VERSION = 1
MAX_MESSAGE_BYTES = 1024
INSTANCE_VARIABLE = "ADVISOR_CONSOLE_INSTANCE"
DEFAULT_INSTANCE = "console"
INSTANCE_NAME = re.compile(r"[A-Za-z0-9._-]{1,40}", re.ASCII)
CONNECT_TIMEOUT = 3.0


class ChannelError(Exception):
    """The channel cannot be used (a folder that is not the user's, a bad instance name); says why."""


class ProtocolError(ValueError):
    """A message on the channel is not one of ours; the text is safe to send back."""


class MessageKind(StrEnum):
    CALL = "call"
    ENDED = "ended"
    RAISE = "raise"
    PING = "ping"


@dataclass(frozen=True)
class Message:
    kind: MessageKind
    caller: Caller | None = None  # set for CALL only


def instance_name(environ: dict[str, str] | os._Environ[str] | None = None) -> str:
    """The instance's name: ADVISOR_CONSOLE_INSTANCE (tests give each run its own), else `console`."""
    env = os.environ if environ is None else environ
    name = env.get(INSTANCE_VARIABLE) or DEFAULT_INSTANCE
    if not INSTANCE_NAME.fullmatch(name):
        raise ChannelError(f"{INSTANCE_VARIABLE} must be letters, digits, '.', '_' or '-' (at most 40)")
    return name


def _user_tag() -> str:
    if hasattr(os, "getuid"):
        return str(os.getuid())
    import getpass

    return re.sub(r"[^A-Za-z0-9._-]", "_", getpass.getuser())[:40] or "user"


def socket_folder(environ: dict[str, str] | os._Environ[str] | None = None) -> Path:
    """The user's own folder for the socket: under XDG_RUNTIME_DIR when set, else the temp folder,
    named after the user (uid), not after the store: one console per user."""
    env = os.environ if environ is None else environ
    runtime = env.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir():
        return Path(runtime) / "advisor-console"
    return Path(tempfile.gettempdir()) / f"advisor-console-{_user_tag()}"


def server_name(environ: dict[str, str] | os._Environ[str] | None = None) -> str:
    """What the window gives QLocalServer.listen: a socket path on Unix, a pipe name on Windows."""
    name = instance_name(environ)
    if sys.platform == "win32":
        return f"advisor-console-{_user_tag()}-{name}"
    return str(socket_folder(environ) / f"{name}.sock")


def prepare_folder(folder: Path) -> None:
    """Make the socket folder, owner-only; refuse one somebody else owns or others can write to."""
    if sys.platform == "win32":
        return
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError as exc:
        raise ChannelError(f"cannot make the console's socket folder {folder}: {exc.strerror}") from None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise ChannelError(f"the console's socket folder {folder} is not yours")
    if info.st_mode & 0o077:
        try:
            folder.chmod(0o700)
        except OSError as exc:
            raise ChannelError(f"cannot make {folder} private: {exc.strerror}") from None


def encode(message: Message) -> bytes:
    payload: dict[str, Any] = {"v": PROTOCOL_VERSION, "kind": message.kind.value}
    if message.kind is MessageKind.CALL:
        payload["number"] = message.caller.e164 if message.caller is not None else None
    return json.dumps(payload, separators=(",", ":")).encode() + b"\n"


def decode(line: bytes) -> Message:
    """A message read from the channel, checked as strictly as a number typed at the command line."""
    if len(line) > MAX_MESSAGE_BYTES:
        raise ProtocolError("message too long")
    try:
        payload = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ProtocolError("not a JSON message") from None
    if not isinstance(payload, dict) or payload.get("v") != PROTOCOL_VERSION:
        raise ProtocolError(f"not a version {PROTOCOL_VERSION} message")
    try:
        kind = MessageKind(str(payload.get("kind")))
    except ValueError:
        raise ProtocolError("unknown kind of message") from None
    if kind is not MessageKind.CALL:
        return Message(kind)
    number = payload.get("number")
    if number is None:
        return Message(kind, Caller(None))
    if not isinstance(number, str):
        raise ProtocolError("the number must be a string or null")
    try:
        caller = parse_caller(number)
    except CallerInputError as exc:
        raise ProtocolError(str(exc)) from None
    if caller.withheld:
        raise ProtocolError("a withheld number is sent as null")
    return Message(kind, caller)


def encode_reply(error: str | None = None) -> bytes:
    payload: dict[str, Any] = {"ok": True} if error is None else {"ok": False, "error": error}
    return json.dumps(payload, separators=(",", ":")).encode() + b"\n"


def decode_reply(line: bytes) -> str | None:
    """None when the console took the message; its one-line reason when it refused it."""
    try:
        payload = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "the console's answer was not understood"
    if not isinstance(payload, dict):
        return "the console's answer was not understood"
    if payload.get("ok") is True:
        return None
    error = payload.get("error")
    return str(error).splitlines()[0][:200] if error else "the console refused the message"


def _exchange_unix(address: str, data: bytes, timeout: float) -> bytes | None:
    folder = Path(address).parent
    try:
        info = folder.lstat()
    except OSError:
        return None  # no folder: no console has run
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise ChannelError(f"the console's socket folder {folder} is not yours alone: not using it")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(timeout)
        try:
            client.connect(address)
        except (FileNotFoundError, ConnectionRefusedError):
            return None  # nobody listening (or a socket left by a console that crashed)
        client.sendall(data)
        return _read_line(client)


def _read_line(client: socket.socket) -> bytes:
    received = b""
    while b"\n" not in received and len(received) <= MAX_MESSAGE_BYTES:
        chunk = client.recv(MAX_MESSAGE_BYTES)
        if not chunk:
            break
        received += chunk
    return received.split(b"\n", 1)[0]


def _exchange_windows(address: str, data: bytes) -> bytes | None:  # pragma: no cover - Windows only
    try:
        with open(rf"\\.\pipe\{address}", "r+b", buffering=0) as pipe:  # noqa: PTH123 - a pipe, not a path
            pipe.write(data)
            return pipe.readline(MAX_MESSAGE_BYTES + 1).rstrip(b"\n")
    except FileNotFoundError:
        return None


def send(message: Message, *, timeout: float = CONNECT_TIMEOUT) -> str | None:
    """Hand `message` to the console running for this user: None when it took it, else its one-line
    reason for refusing. Raises NoConsoleError when none is listening, ChannelError when it cannot be
    reached safely."""
    address = server_name()
    data = encode(message)
    try:
        if sys.platform == "win32":  # pragma: no cover - Windows only
            answer = _exchange_windows(address, data)
        else:
            answer = _exchange_unix(address, data, timeout)
    except TimeoutError:
        raise ChannelError("the running console did not answer in time") from None
    except OSError as exc:
        raise ChannelError(f"cannot reach the running console: {exc.strerror or exc}") from None
    if answer is None:
        raise NoConsoleError
    return decode_reply(answer)


class NoConsoleError(ChannelError):
    """No console is listening for this user."""

    def __init__(self) -> None:
        super().__init__("no console is running for you")


def console_running() -> bool:
    """Whether a console listens for this user now (a ping, which changes nothing)."""
    try:
        send(Message(MessageKind.PING), timeout=1.0)
    except NoConsoleError:
        return False
    except ChannelError:
        return True  # something holds the address and does not answer: not ours to take over
    return True
