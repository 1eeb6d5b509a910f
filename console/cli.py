"""The `advisor-console` command: open the window, seed, screenshot, upgrade a database, administer.

Qt is imported only by the commands that show or render a window, so the rest start fast.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from console import paths
from console.admin_commands import (
    AdminUsageError,
    add_parser_commands,
    cmd_audit_verify,
    cmd_server,
    cmd_user,
)
from console.call_commands import (
    CallCommandError,
    add_call_commands,
    cmd_call,
    cmd_desktop_integration,
    hand_to_running,
    read_caller,
)
from console.relay_command import add_relay_command, cmd_notice_relay
from console.settings import Settings, SettingsError, load_settings
from domain.errors import first_line as plain_first_line
from storage.errors import StoreError

if TYPE_CHECKING:  # the store (and SQLAlchemy) is imported by the commands that open one
    from sqlalchemy.exc import DBAPIError

    from console.auth import Authenticator
    from storage.location import StoreLocation
    from storage.store import Store

DEMO_CUSTOMERS = 2_000
MAX_SEED_CUSTOMERS = 20_000_000
ROLES = ("advisor", "supervisor")
EXAMPLE_SERVER = "postgresql://central.example.net:5432/console"

log = logging.getLogger("console")


class UsageError(Exception):
    """The command line asks for something that cannot be done; the message says why."""


def build_parser() -> argparse.ArgumentParser:
    db_help = "SQLite file path or postgresql:// URL (default: the store in your data folder)"
    parser = argparse.ArgumentParser(
        prog="advisor-console",
        description="One pane for customer-service advisors: history, problems, promises, goodwill.",
    )
    parser.add_argument("--db", help=db_help)
    parser.add_argument("--role", choices=ROLES, default="advisor", help="open as this role")
    parser.add_argument("--customer", metavar="ACCOUNT", help="open this customer on start")
    parser.add_argument("--user", metavar="NAME", help="act as this user (default: the role's demo user)")
    parser.add_argument("--call", metavar="NUMBER", help="open with this call in hand")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument("--db", default=argparse.SUPPRESS, help=db_help)

    commands.add_parser("open", parents=[shared], help="open the console (the default)")

    seed = commands.add_parser("seed", parents=[shared], help="fill a store with realistic demo data")
    seed.add_argument("--customers", type=int, required=True, metavar="N")
    seed.add_argument("--seed", type=int, default=1, metavar="S", help="same seed, same data")

    shot = commands.add_parser("screenshot", parents=[shared], help="render the window to a PNG and exit")
    shot.add_argument("file", type=Path, metavar="FILE")
    shot.add_argument("--customer", default=argparse.SUPPRESS, metavar="ACCOUNT")
    shot.add_argument("--role", choices=ROLES, default=argparse.SUPPRESS)
    shot.add_argument("--user", default=argparse.SUPPRESS, metavar="NAME")
    shot.add_argument("--size", default="1600x900", metavar="WxH")
    shot.add_argument("--call", default=argparse.SUPPRESS, metavar="NUMBER", help="with this call in hand")
    shot.add_argument(
        "--login",
        action="store_true",
        help="render the sign-in dialog instead (for the configured server, or an example one)",
    )

    report = commands.add_parser("report", help="reports that prove the console's promises")
    report_kinds = report.add_subparsers(dest="report", metavar="REPORT", required=True)
    report_kinds.add_parser(
        "suppressor", parents=[shared], help="offers shown while the customer had an open case (must be none)"
    )

    team = commands.add_parser(
        "demo-team",
        help="a throwaway central server with an advisor and a supervisor, one syncing window each",
    )
    team.add_argument("--customers", type=int, default=200, metavar="N", help="demo customers (default 200)")

    db = commands.add_parser("db", help="database administration")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser("upgrade", parents=[shared], help="bring a database's schema up to date")
    add_parser_commands(commands)
    add_call_commands(commands)
    add_relay_command(commands)
    return parser


def parse_size(text: str) -> tuple[int, int]:
    parts = text.lower().split("x")
    if len(parts) != 2 or not all(part.strip().isdigit() for part in parts):
        raise UsageError(f"--size must look like 1600x900, not {text!r}")
    width, height = (int(part) for part in parts)
    if not (320 <= width <= 8000 and 240 <= height <= 8000):
        raise UsageError(f"--size {width}x{height} is out of range (320x240 to 8000x8000)")
    return width, height


def resolve_location(db: str | None) -> tuple[StoreLocation, bool]:
    """The store to use, and whether it is the default store being created now (to fill with demo data)."""
    from storage.location import parse_location

    if db is not None:
        return parse_location(db), False
    path = paths.default_store_path()
    is_new = not path.exists()
    try:
        paths.private_folder(path.parent)
    except OSError as exc:
        raise StoreError(f"cannot create the data folder {path.parent}: {exc.strerror}") from None
    return parse_location(str(path)), is_new


def open_for_use(db: str | None, *, demo: bool = True) -> Store:
    """The store to work on. A new default store gets demo data unless `demo` is off: with a central
    server configured it stays empty, and the first sync fills it with the real team and customers."""
    from storage.store import open_store

    location, is_new_default = resolve_location(db)
    store = open_store(location)
    if is_new_default and demo:
        from console.seed import seed_store

        print(f"First run: filling {location.describe()} with demo data…", file=sys.stderr)
        seed_store(store, customers=DEMO_CUSTOMERS)
    return store


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform != "linux":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def check_user(store: Store, username: str | None) -> None:
    """An explicitly named user must exist; the role's demo user may be missing (actions then off)."""
    if username is None:
        return
    from console.services.people import PeopleService, UnknownUserError

    try:
        PeopleService(store).current_user(username)
    except UnknownUserError as exc:
        store.close()
        raise UsageError(str(exc)) from None


def cmd_open(args: argparse.Namespace) -> int:
    call = read_caller(args.call) if args.call is not None else None
    # One console per user: one already running comes forward (and takes the call) instead.
    if hand_to_running(call, strict=False):
        print("advisor-console: brought forward the console already running for you", file=sys.stderr)
        return 0
    if not has_display():
        raise UsageError(
            "no display found: the console needs a desktop session. Without one, render it to a "
            "picture instead: advisor-console screenshot out.png"
        )
    settings = load_settings()
    authenticator = make_authenticator(settings)
    if authenticator is None and args.customer is None and call is None and "://" not in (args.db or ""):
        from widgets.app import early_start, run_window

        path = Path(args.db).expanduser().absolute() if args.db else paths.default_store_path()
        early = early_start(path, args.role, args.user, settings)
        if early is not None:  # the window is painted first, the store opened after
            return run_window(None, args.role, settings=settings, early=early)
    store = open_for_use(args.db, demo=authenticator is None)
    check_user(store, args.user)
    from widgets.app import run_window

    try:
        return run_window(
            store,
            args.role,
            account=args.customer,
            username=args.user,
            settings=settings,
            authenticator=authenticator,
            call=call,
        )
    finally:
        store.close()


def cmd_demo_team(args: argparse.Namespace) -> int:
    if not has_display():
        raise UsageError("no display found: demo-team opens two windows and needs a desktop session")
    if not 1 <= args.customers <= 10_000:
        raise UsageError(f"--customers must be between 1 and 10,000, not {args.customers:,}")
    from console.demo_team import start_team

    team = start_team(args.customers, progress=lambda text: print(f"demo-team: {text}…", file=sys.stderr))
    try:
        from widgets.app import run_team

        print(
            f"demo-team: {team.advisor.user.username} (advisor) and {team.supervisor.user.username} "
            "(supervisor) are signed in; close both windows to stop the server.",
            file=sys.stderr,
        )
        return run_team(team)
    finally:
        team.close()


def make_authenticator(settings: Settings, example: bool = False) -> Authenticator | None:
    """Sign-in against the configured server; None without one (then the local store only)."""
    from console.server_address import parse_server_url

    server = settings.server
    if server is None and example:
        server = parse_server_url(EXAMPLE_SERVER)
    if server is None:
        return None  # sign-in (the keyring, the server's driver) is not even imported
    from console.auth import Authenticator
    from console.clock import SystemClock

    return Authenticator(server, SystemClock())


def cmd_seed(args: argparse.Namespace) -> int:
    if not 1 <= args.customers <= MAX_SEED_CUSTOMERS:
        raise UsageError(f"--customers must be between 1 and {MAX_SEED_CUSTOMERS:,}")
    from storage.store import open_store

    location, _ = resolve_location(args.db)
    store = open_store(location)
    from console.seed import seed_store

    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        print(f"\rseeding: {done:,} of {total:,} customers", end="", file=sys.stderr, flush=True)

    try:
        report = seed_store(store, customers=args.customers, seed=args.seed, progress=progress)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    print(file=sys.stderr)
    print(
        f"seeded {location.describe()}: {report.customers:,} customers, {report.events:,} contact "
        f"events, {report.cases:,} cases in {time.perf_counter() - started:.1f} s"
    )
    return 0


def cmd_screenshot(args: argparse.Namespace) -> int:
    size = parse_size(args.size)
    target: Path = args.file.expanduser().absolute()
    if not target.parent.is_dir():
        raise UsageError(f"folder does not exist: {target.parent}")
    settings = load_settings()
    if args.login:
        from widgets.app import render_login_screenshot

        authenticator = make_authenticator(settings, example=True)
        assert authenticator is not None
        render_login_screenshot(authenticator, target)
        print(f"wrote {target}")
        return 0
    call = read_caller(args.call) if args.call is not None else None
    if call is None and "://" not in (args.db or ""):
        from widgets.app import early_start, render_early_screenshot

        path = Path(args.db).expanduser().absolute() if args.db else paths.default_store_path()
        early = early_start(path, args.role, args.user, settings, for_screenshot=True)
        if early is not None and render_early_screenshot(early, target, account=args.customer, size=size):
            print(f"wrote {target}")
            return 0
    store = open_for_use(args.db)
    check_user(store, args.user)
    from console.services.customers import CustomerNotFoundError
    from widgets.app import render_screenshot

    try:
        render_screenshot(
            store,
            target,
            account=args.customer,
            role=args.role,
            size=size,
            username=args.user,
            settings=settings,
            call=call,
        )
    except CustomerNotFoundError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    print(f"wrote {target}")
    return 0


def cmd_report_suppressor(args: argparse.Namespace) -> int:
    """Exit 0 when no offer impression coincides with an open case, 3 when some do."""
    from console.services.offers import report_lines, suppressor_report
    from storage.store import open_store

    location, _ = resolve_location(args.db)
    store = open_store(location)
    try:
        violations = suppressor_report(store)
    finally:
        store.close()
    for line in report_lines(violations):
        print(line)
    return 3 if violations else 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from storage.store import open_store

    location, _ = resolve_location(args.db)
    store = open_store(location)
    store.close()
    print(f"{location.describe()}: schema is up to date")
    return 0


def run(argv: Sequence[str]) -> int:
    if argv[:1] == ["notice-relay"]:  # its own parser: a bad argument is one line, exit 2
        return cmd_notice_relay(argv[1:])
    args = build_parser().parse_args(argv)
    if args.command in (None, "open"):
        return cmd_open(args)
    if args.command == "demo-team":
        return cmd_demo_team(args)
    if args.command == "seed":
        return cmd_seed(args)
    if args.command == "screenshot":
        return cmd_screenshot(args)
    if args.command == "report":
        return cmd_report_suppressor(args)
    if args.command == "server":
        return cmd_server(args)
    if args.command == "user":
        return cmd_user(args)
    if args.command == "audit":
        return cmd_audit_verify(args)
    if args.command == "call":
        return cmd_call(args, has_display())
    if args.command == "desktop-integration":
        return cmd_desktop_integration(args)
    return cmd_db_upgrade(args)


def setup_logging() -> Path | None:
    """Log to a file for support; the terminal only ever gets one-line messages."""
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    path = paths.log_path()
    try:
        paths.private_folder(path.parent)
        handler: logging.Handler = logging.FileHandler(paths.private_file(path), encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return path


def first_line(exc: BaseException) -> str:
    """The error's type, then its first line (domain.errors): what the CLI prints on stderr."""
    text = str(exc).strip()
    return f"{type(exc).__name__}: {plain_first_line(exc, 200)}" if text else type(exc).__name__


def database_error(exc: Exception) -> DBAPIError | None:
    """`exc` as the database driver's error; never one while SQLAlchemy was not even imported."""
    if "sqlalchemy.exc" not in sys.modules:
        return None
    from sqlalchemy.exc import DBAPIError

    return exc if isinstance(exc, DBAPIError) else None


def main(argv: Sequence[str] | None = None) -> int:
    log_file = setup_logging()
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except (StoreError, UsageError, SettingsError, AdminUsageError, CallCommandError) as exc:
        print(f"advisor-console: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("advisor-console: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if (database := database_error(exc)) is not None:
            log.exception("database error")
            words = first_line(database.orig or database)
            print(f"advisor-console: error: database error: {words}", file=sys.stderr)
            return 1
        log.exception("unexpected error")
        where = f" (details in {log_file})" if log_file else ""
        print(f"advisor-console: unexpected error: {first_line(exc)}{where}", file=sys.stderr)
        return 70
