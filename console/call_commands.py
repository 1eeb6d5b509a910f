"""`advisor-console call` and `desktop-integration`: what a softphone runs when a call arrives, and the
desktop entry that makes the console the handler of tel: and callto: links."""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import time
from collections.abc import Callable

from console import paths
from console.call_channel import ChannelError, Message, MessageKind, NoConsoleError, console_running, send
from console.calls import Caller, CallerInputError, parse_caller
from console.desktop_entry import DesktopEntryError, install, uninstall

log = logging.getLogger("console")

# How long `call` waits for a console it started to listen before it leaves the call with it.
START_WAIT = 5.0
POLL_EVERY = 0.1


class CallCommandError(Exception):
    """`call` or `desktop-integration` cannot do what was asked; the message says why, in one line."""


def add_call_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    call = commands.add_parser(
        "call",
        help="tell the console running for you about a call (start it if none runs)",
        description=(
            "Tell the console running for you that a call arrived: NUMBER is a phone number, a tel: or "
            "callto: URL, or empty/withheld/anonymous/private/unknown for a withheld number. Without "
            "NUMBER, only bring the console forward."
        ),
    )
    call.add_argument("number", nargs="?", metavar="NUMBER")
    call.add_argument("--ended", action="store_true", help="the call in hand ended")
    desktop = commands.add_parser(
        "desktop-integration", help="register the console as the desktop's handler of tel: and callto: links"
    )
    desktop.add_argument("action", choices=("install", "uninstall"))


def read_caller(text: str) -> Caller:
    try:
        return parse_caller(text)
    except CallerInputError as exc:
        raise CallCommandError(str(exc)) from None


def hand_to_running(caller: Caller | None, *, strict: bool = True) -> bool:
    """Give the console already running for this user the call (or, without one, a raise): True when
    it took it, False when none runs. A channel that cannot be used safely is an error when `strict`,
    else (opening the console) logged and taken as no console running."""
    message = Message(MessageKind.CALL, caller) if caller is not None else Message(MessageKind.RAISE)
    try:
        refused = send(message)
    except NoConsoleError:
        return False
    except ChannelError as exc:
        if not strict:
            log.warning("not checking for a running console: %s", exc)
            return False
        raise CallCommandError(str(exc)) from None
    if refused is not None:
        raise CallCommandError(f"the running console refused it: {refused}")
    return True


def start_console(caller: Caller | None, spawn: Callable[[list[str]], subprocess.Popen[bytes]]) -> str:
    """Start a console, detached, that opens with `caller` in hand; wait a little for it to listen.
    Returns what to tell the person; CallCommandError if it stopped at once."""
    argv = [sys.executable, "-m", "console"]
    if caller is not None:
        argv += ["--call", caller.e164 or "withheld"]
    process = spawn(argv)
    deadline = time.monotonic() + START_WAIT
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            if code == 0 and console_running():
                return "handed the call to the console already running"
            raise CallCommandError(
                f"the console did not start (exit {code}); details in {paths.log_path()}"
                if code
                else "the console started and closed again"
            )
        if console_running():
            return "started the console"
        time.sleep(POLL_EVERY)
    return "the console is starting; it opens with the call in hand"


def detached(argv: list[str]) -> subprocess.Popen[bytes]:
    """Run `argv` on its own, not tied to this process or its terminal."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        flags = subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP
        return subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            creationflags=flags,
        )
    return subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def cmd_call(
    args: argparse.Namespace,
    display: bool,
    spawn: Callable[[list[str]], subprocess.Popen[bytes]] = detached,
) -> int:
    """Hand the call to the console running for this user, or start one with it; returns at once."""
    if args.ended:
        if args.number is not None:
            raise CallCommandError("--ended takes no number")
        try:
            refused = send(Message(MessageKind.ENDED))
        except NoConsoleError:
            print("advisor-console: no console is running for you: no call to end", file=sys.stderr)
            return 0
        except ChannelError as exc:
            raise CallCommandError(str(exc)) from None
        if refused is not None:
            raise CallCommandError(f"the running console refused it: {refused}")
        return 0
    caller = read_caller(args.number) if args.number is not None else None
    if hand_to_running(caller):
        return 0
    if not display:
        raise CallCommandError("no console is running for you, and there is no display to start one on")
    print(f"advisor-console: {start_console(caller, spawn)}")
    return 0


def cmd_desktop_integration(args: argparse.Namespace) -> int:
    try:
        written = install() if args.action == "install" else uninstall()
    except DesktopEntryError as exc:
        raise CallCommandError(str(exc)) from None
    for line in written:
        print(line)
    return 0
