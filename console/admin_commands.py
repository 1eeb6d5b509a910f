"""Administration from the command line: `server init`, `user add|set-limit|set-password|disable` on
the central server, and `audit verify` on any store. Passwords are read, never echoed, logged or
stored here."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING, TextIO

from console.money import AmountError, format_pence, parse_limit
from domain.records import UserRecord
from domain.vocabulary import Role, Team
from storage.errors import StoreError

if TYPE_CHECKING:  # the store, the audit chain and the server's driver load with the command using them
    from storage.location import StoreLocation
    from storage.queries import audit_heads


class AdminUsageError(Exception):
    """The command cannot be run as asked; the message says why, in one line."""


def add_parser_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    server_db = argparse.ArgumentParser(add_help=False)
    server_db.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        metavar="URL",
        help="the central server: postgresql://admin@host/db",
    )

    server = commands.add_parser("server", help="the central PostgreSQL server")
    server_commands = server.add_subparsers(dest="server_command", metavar="ACTION", required=True)
    server_commands.add_parser(
        "init", parents=[server_db], help="create or upgrade the central schema, roles, grants and functions"
    )

    user = commands.add_parser("user", help="console users on the central server")
    user_commands = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = user_commands.add_parser(
        "add", parents=[server_db], help="a login for a person (password prompted, or one line on stdin)"
    )
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", choices=[role.value for role in Role], required=True)
    add.add_argument(
        "--limit", required=True, metavar="POUNDS", help="goodwill they may give alone, per payment"
    )
    add.add_argument("--display-name", metavar="TEXT", help="the name colleagues see (default: NAME)")
    add.add_argument("--team", choices=[team.value for team in Team], default=Team.FRONT_LINE.value)
    limit = user_commands.add_parser("set-limit", parents=[server_db], help="change a user's goodwill limit")
    limit.add_argument("name", metavar="NAME")
    limit.add_argument("pounds", metavar="POUNDS")
    new_password = user_commands.add_parser(
        "set-password",
        parents=[server_db],
        help="a new password for a user (prompted, or one line on stdin); the only way to change one",
    )
    new_password.add_argument("name", metavar="NAME")
    disable = user_commands.add_parser("disable", parents=[server_db], help="no more logins for this user")
    disable.add_argument("name", metavar="NAME")

    audit_parser = commands.add_parser("audit", help="the hash-chained audit log")
    audit_commands = audit_parser.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = audit_commands.add_parser(
        "verify", help="check the chain; names the first edited, deleted or reordered entry"
    )
    verify.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        metavar="URL",
        help="SQLite path or postgresql:// URL (default: yours)",
    )
    verify.add_argument(
        "--witness",
        action="append",
        default=[],
        metavar="STORE",
        help="a workstation's store: the chain must still hold every head it saw (a cut or rehashed tail)",
    )


def server_location(args: argparse.Namespace) -> StoreLocation:
    from storage.location import parse_location

    url = getattr(args, "db", None)
    if not url:
        raise AdminUsageError("say which server: --db postgresql://admin@host/database")
    location = parse_location(url)
    if location.is_sqlite:
        raise AdminUsageError("the central server is PostgreSQL: give a postgresql:// URL, not a file")
    return location


def pounds(text: str) -> int:
    try:
        return parse_limit(text)
    except AmountError as exc:
        raise AdminUsageError(f"--limit {text!r}: {exc}") from None


def read_password(name: str, stdin: TextIO | None = None) -> str:
    """Prompted twice at a terminal; one line from stdin otherwise (for scripts)."""
    stream = stdin or sys.stdin
    if stream.isatty():
        password = getpass.getpass(f"Password for {name}: ")
        if getpass.getpass("The same password again: ") != password:
            raise AdminUsageError("the two passwords differ: nothing was changed")
    else:
        password = stream.readline().rstrip("\r\n")
    from storage.server.scram import password_problem

    problem = password_problem(password)
    if problem is not None:
        raise AdminUsageError(problem)
    return password


def describe_user(user: UserRecord) -> str:
    state = "" if user.active else ", disabled"
    return (
        f"{user.username} ({user.display_name}): {user.role.value}, goodwill limit "
        f"{format_pence(user.goodwill_limit_pence)}{state}"
    )


def cmd_server(args: argparse.Namespace) -> int:
    from datetime import date

    from console.teams import load_teams
    from console.working_time import WorkingHours
    from storage.server import init_server

    teams = load_teams()
    if teams.problem:
        raise StoreError(f"{teams.problem}: the server was not changed")
    times = [(t.team.value, t.words, t.acknowledge_hours) for t in teams.teams]
    calendar = WorkingHours().server_calendar(date.today())
    report = init_server(server_location(args), times, calendar)
    roles = "roles advisor, supervisor, notice_relay and console_gateway"
    print(f"{report.database}: central server ready (schema {report.revision}, {roles})")
    return 0


def cmd_user(args: argparse.Namespace) -> int:
    from storage.server import users

    location = server_location(args)
    if args.user_command == "add":
        limit = pounds(args.limit)
        users.check_username(args.name)
        made = users.add_user(
            location,
            args.name,
            role=Role(args.role),
            limit_pence=limit,
            password=read_password(args.name),
            display_name=args.display_name,
            team=Team(args.team),
        )
        print(f"added {describe_user(made)}")
    elif args.user_command == "set-limit":
        changed = users.set_limit(location, args.name, pounds(args.pounds))
        print(f"changed {describe_user(changed)}")
    elif args.user_command == "set-password":
        users.check_username(args.name)
        changed = users.set_password(location, args.name, read_password(args.name))
        print(f"new password for {describe_user(changed)}")
    else:
        disabled = users.disable_user(location, args.name)
        print(f"disabled {describe_user(disabled)}")
    return 0


def witnessed_heads(path: str) -> list[audit_heads.Head]:
    """The audit chain heads the workstation store at `path` saw at its syncs."""
    from storage.location import parse_location
    from storage.queries import audit_heads
    from storage.store import open_store

    location = parse_location(path)
    if not location.is_sqlite or not location.sqlite_path.exists():
        raise StoreError(f"no workstation store at {path}")
    store = open_store(location, upgrade=False)
    try:
        with store.read() as session:
            return audit_heads.every(session)
    finally:
        store.close()


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Exit 0 when the chain is intact, 3 naming the first broken entry when it is not."""
    from console.cli import resolve_location
    from storage import audit
    from storage.queries import audit_heads
    from storage.store import open_store

    url = getattr(args, "db", None)
    location, is_new = resolve_location(url)
    if is_new or (location.is_sqlite and not location.sqlite_path.exists()):
        raise StoreError(f"no store at {location.describe()}")
    witnessed = [(path, witnessed_heads(path)) for path in getattr(args, "witness", [])]
    store = open_store(location, upgrade=False)
    try:
        with store.read() as session:
            entries = audit.entry_count(session)
            problems = audit.verify(session)
            for path, heads in witnessed:
                current = audit_heads.hashes_at(session, [head.seq for head in heads])
                problems += audit_heads.differences(heads, current, seen_by=path)
    finally:
        store.close()
    if not problems:
        held = sum(len(heads) for _, heads in witnessed)
        against = f", {held:,} witnessed heads held" if witnessed else ""
        print(f"{location.describe()}: audit log intact ({entries:,} entries{against})")
        return 0
    for line in problems:
        print(line)
    more = f" ({len(problems) - 1} more above)" if len(problems) > 1 else ""
    print(f"advisor-console: audit log broken at {problems[0]}{more}", file=sys.stderr)
    return 3
