"""Fixtures for the whole suite: offscreen Qt, throwaway stores, and a real PostgreSQL server."""

from __future__ import annotations

import gc
import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pytest

# Before anything can create a QApplication: no display in CI, and qasync must pick PySide6.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

from console.working_time import WorkingHours
from storage.location import StoreLocation
from storage.server import init_server
from storage.store import Store, open_store
from tests.helpers import passwords, sqlite_template
from tests.helpers.central import Central
from tests.helpers.login import LOGIN_DATABASES, LoginServer, require_passwords
from tests.helpers.pg_server import MARK, ThrowawayServer, note_current_test, require_postgres_mark

# Fixtures that start the shared PostgreSQL server; a test using any of them is marked `postgres`.
SERVER_FIXTURES = frozenset({"pg_cluster"})


@pytest.fixture(scope="session", autouse=True)
def _watch_for_passwords(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Everything under this run's temporary folder is searched for passwords at the end."""
    passwords.watch(tmp_path_factory.getbasetemp())


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Before `-m` selects: whatever needs the server is `postgres`, marked or not."""
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())) and item.get_closest_marker(MARK) is None:
            item.add_marker(MARK)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    note_current_test(item)


_worker_leaks: dict[str, int] = {}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """An xdist worker ended: take the files its own end-of-session search found (see below)."""
    _worker_leaks.update(getattr(node, "workeroutput", {}).get("password_leaks", {}))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """No password the suite used is in any file it wrote: stores, settings, logs, the offline-unlock
    cache, the server's data folder and log (searched when the server stopped). Fails the run if so.
    Under xdist each worker searches its own files and hands what it found to the controller."""
    passwords.check(passwords.watched())
    found = {str(path): len(hits) for path, hits in passwords.leaks().items()}
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["password_leaks"] = found
        return
    found |= _worker_leaks
    if not found:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    lines = ["A password the tests used was left in a file:"]
    lines += [f"  {path}: {count} password(s)" for path, count in sorted(found.items())]
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
    """A fresh store of the newest schema, this test's own (a copy of a template migrated once)."""
    store = sqlite_template.new_store(tmp_path / "store.db")
    yield store
    store.close()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[ThrowawayServer]:
    """This process's PostgreSQL server (each xdist worker starts its own: roles and pg_hba.conf are
    the server's, not a database's). Started only when a selected test needs it."""
    require_postgres_mark("the PostgreSQL server")
    server = ThrowawayServer()
    try:
        yield server
    finally:
        server.stop()  # its data folder and log are searched before they go
        passwords.check([server.folder])
        shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server(pg_cluster: ThrowawayServer) -> str:
    """The server's base URI: `postgresql://postgres:@/postgres?host=<socket folder>` (superuser)."""
    return pg_cluster.uri


@pytest.fixture
def pg_location(pg_cluster: ThrowawayServer) -> Iterator[StoreLocation]:
    """A fresh, empty database on the shared server, dropped afterwards."""
    name = pg_cluster.create_database()
    try:
        yield pg_cluster.location(name)
    finally:
        pg_cluster.drop_database(name)


@pytest.fixture(scope="session")
def migrated_template(pg_cluster: ThrowawayServer) -> str:
    """One database the migrations brought to the newest schema (as `open_store` does), copied for
    each test that wants a migrated store; nothing connects to it afterwards."""
    name = pg_cluster.create_database("migrated")
    open_store(pg_cluster.location(name)).close()
    return name


@pytest.fixture
def pg_migrated_location(pg_cluster: ThrowawayServer, migrated_template: str) -> Iterator[StoreLocation]:
    """A fresh database of the newest schema (a copy of the migrated template), dropped afterwards."""
    name = pg_cluster.create_database(template=migrated_template)
    try:
        yield pg_cluster.location(name)
    finally:
        pg_cluster.drop_database(name)


@pytest.fixture
def pg_store(pg_migrated_location: StoreLocation) -> Iterator[Store]:
    store = open_store(pg_migrated_location)
    yield store
    store.close()


@pytest.fixture(scope="session")
def central_template(pg_cluster: ThrowawayServer) -> str:
    """One database made a central server by `server init`, copied for each test (much faster)."""
    name = pg_cluster.create_database("central")
    init_server(pg_cluster.location(name), calendar=WorkingHours().server_calendar(date.today()))
    return name


@pytest.fixture
def central(pg_cluster: ThrowawayServer, central_template: str) -> Iterator[Central]:
    """A fresh central server database (a copy of the template), with users and mutation helpers."""
    name = pg_cluster.create_database(template=central_template)
    server = Central.open(pg_cluster.location(name))
    try:
        yield server
    finally:
        server.close()
        pg_cluster.drop_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request: pytest.FixtureRequest) -> Store:
    """The same test on both engines: the workstation's SQLite and the central PostgreSQL."""
    name = "sqlite_store" if request.param == "sqlite" else "pg_store"
    store: Store = request.getfixturevalue(name)
    return store


@pytest.fixture
def login_server(pg_cluster: ThrowawayServer, migrated_template: str) -> Iterator[LoginServer]:
    """A database with the app's schema on which the server checks passwords; people are added per test."""
    require_passwords(pg_cluster.uri)
    name = pg_cluster.create_database(LOGIN_DATABASES, template=migrated_template)
    location = pg_cluster.location(name)
    admin_uri = location.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_uri, autocommit=True) as connection:
        connection.execute("GRANT SELECT ON users TO advisor, supervisor")
        port = connection.execute("SHOW port").fetchone()
    socket_dir = parse_qs(urlsplit(pg_cluster.uri).query)["host"][0]
    assert port is not None
    server = LoginServer(admin_uri=admin_uri, socket_dir=socket_dir, port=int(port[0]), database=name)
    try:
        yield server
    finally:
        server.drop_roles()
        pg_cluster.drop_database(name)


@pytest.fixture(scope="session", autouse=True)
def _no_automatic_collection() -> Iterator[None]:
    """As in the running console (widgets.gc_guard): Python's cycle collector never runs by itself,
    not even between tests, where a reader thread still stopping (or a window an earlier test left
    open) can allocate and set a collection off there, freeing Qt objects off the GUI thread (a
    segfault). This thread collects instead: the young generations after every test, everything
    after every module."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@pytest.fixture(autouse=True)
def _collect_young_cycles() -> Iterator[None]:
    yield
    gc.collect(1)


@pytest.fixture(scope="module", autouse=True)
def _collect_after_the_module() -> Iterator[None]:
    yield
    gc.collect()
