"""`advisor-console notice-relay --server URL --listen HOST:PORT [--tls-cert FILE --tls-key FILE]`:
run the notice relay (console/sync/relay_server.py) until interrupted. Bad arguments get one line on
stderr and exit 2; the password of the notice_relay login comes from PGPASSWORD or ~/.pgpass."""

from __future__ import annotations

import argparse
import asyncio
import logging
import ssl
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

from console.relay_address import RelayAddressError, parse_host_port
from console.server_address import LOCAL_HOSTS
from console.sync.relay_client import KEEPALIVE

PROG = "advisor-console notice-relay"


class RelayUsageError(Exception):
    """The relay cannot start as asked; one line says why (exit 2)."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad argument is one line on stderr (no usage block), exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{PROG}: error: {message}\n")


def describe(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--server",
        metavar="URL",
        help="the central server as the notice_relay login: postgresql://notice_relay@host/database",
    )
    parser.add_argument("--listen", metavar="HOST:PORT", help="where workstations subscribe")
    parser.add_argument("--tls-cert", metavar="FILE", help="the relay's certificate (PEM, with its chain)")
    parser.add_argument("--tls-key", metavar="FILE", help="its private key (PEM)")
    parser.add_argument(
        "--allow-insecure",
        action="store_true",
        help="listen without TLS on a network address (tickets cross the network unencrypted)",
    )
    parser.add_argument(
        "--keepalive", default=str(KEEPALIVE), metavar="SECONDS", help="seconds between pings (default 30)"
    )


def add_relay_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """For `advisor-console --help`; the command itself is parsed by `parse` (one-line errors)."""
    describe(commands.add_parser("notice-relay", help="forward change notices to many workstations"))


@dataclass(frozen=True)
class RelayOptions:
    conninfo: str
    host: str
    port: int
    tls: ssl.SSLContext | None
    keepalive: float


def parse(argv: Sequence[str]) -> RelayOptions:
    parser = OneLineParser(prog=PROG, description="Forward change notices to many workstations.")
    describe(parser)
    args = parser.parse_args(argv)
    try:
        return options(args)
    except (RelayUsageError, RelayAddressError) as exc:
        parser.error(str(exc))


def options(args: argparse.Namespace) -> RelayOptions:
    from console.sync.relay_server import server_tls
    from console.sync.remote import conninfo

    if not args.server:
        raise RelayUsageError("say which server: --server postgresql://notice_relay@host/database")
    if urlsplit(args.server).scheme not in ("postgresql", "postgres"):
        raise RelayUsageError("--server must be a postgresql:// URL")
    if not args.listen:
        raise RelayUsageError("say where to listen: --listen HOST:PORT")
    host, port = parse_host_port(args.listen, "--listen")
    try:
        keepalive = float(args.keepalive)
    except ValueError:
        raise RelayUsageError(f"--keepalive must be a number of seconds, not {args.keepalive!r}") from None
    if not 1 <= keepalive <= 3600:
        raise RelayUsageError("--keepalive must be from 1 to 3600 seconds")
    if bool(args.tls_cert) != bool(args.tls_key):
        raise RelayUsageError("--tls-cert and --tls-key go together")
    tls = None
    if args.tls_cert:
        for given in (args.tls_cert, args.tls_key):
            if not Path(given).is_file():
                raise RelayUsageError(f"no such file: {given}")
        try:
            tls = server_tls(args.tls_cert, args.tls_key)
        except (OSError, ssl.SSLError) as exc:
            raise RelayUsageError(f"cannot use the certificate and key: {exc.strerror or exc}") from None
    elif host.lower() not in LOCAL_HOSTS and not args.allow_insecure:
        raise RelayUsageError(
            f"--listen {host} without TLS would take tickets over the network unencrypted: give "
            "--tls-cert and --tls-key, or --allow-insecure to accept the risk"
        )
    try:
        info = conninfo(args.server)
    except Exception:
        raise RelayUsageError("--server is not a URL the server's driver can use") from None
    return RelayOptions(info, host, port, tls, keepalive)


def cmd_notice_relay(argv: Sequence[str]) -> int:
    found = parse(argv)
    import psycopg

    from console.clock import SystemClock
    from console.sync.relay_server import NoticeRelay

    async def connect() -> psycopg.AsyncConnection[Any]:
        return await psycopg.AsyncConnection.connect(
            found.conninfo,
            autocommit=True,
            connect_timeout=10,
            application_name="advisor-console notice relay",
        )

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("notice relay: %(message)s"))
    relay_log = logging.getLogger("console.sync.relay_server")
    relay_log.addHandler(handler)
    relay_log.setLevel(logging.INFO)
    relay = NoticeRelay(connect, clock=SystemClock(), keepalive=found.keepalive)
    scheme = "tls" if found.tls is not None else "tcp"
    print(f"notice relay: taking subscriptions on {scheme}://{found.host}:{found.port}", file=sys.stderr)
    try:
        asyncio.run(relay.run(found.host, found.port, found.tls))
    except OSError as exc:  # the address is taken, or not this machine's
        print(
            f"{PROG}: error: cannot listen on {found.host}:{found.port}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    return 0
