"""Open a store (SQLite file or PostgreSQL server), bring its schema to head, and hand out units of work."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from storage import migrate
from storage.errors import StoreError
from storage.location import StoreLocation, check_sqlite_file
from storage.plain import Reader
from storage.prepared import reader_on

# Above this size the full integrity scan would delay start-up; SQLite still reports a damaged
# page the moment it is read.
INTEGRITY_SCAN_LIMIT = 256 * 1024 * 1024
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
# How long a local write waits for another connection's write to commit before it fails.
BUSY_TIMEOUT_SECONDS = 15


class Store:
    """One database and its session factory; one user action is one `write()` block."""

    def __init__(self, location: StoreLocation, engine: Engine) -> None:
        self.location = location
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read-only unit of work in one transaction, so every query in it sees the same state: a
        change another connection commits meanwhile is seen whole or not at all. Nothing is written.

        SQLite: Python's sqlite3 opens no transaction for a SELECT, so each statement of a plain
        `read()` sees the latest commit; here BEGIN is sent first, and the first read fixes the
        snapshot (WAL lets writers commit meanwhile). PostgreSQL: REPEATABLE READ, READ ONLY.
        """
        with (
            self._snapshot_connection() as connection,
            Session(bind=connection, expire_on_commit=False) as session,
        ):
            yield session

    @contextmanager
    def plain_snapshot(self) -> Iterator[Reader]:
        """The same read-only transaction as `snapshot()` for plain SQL (storage/plain.py): a Reader on
        the DB-API connection, without a Session (which would cost more than the pane's reads add)."""
        with self.engine.connect() as connection:
            if not self.location.is_sqlite:
                connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            connection.begin()  # SQLAlchemy's own (and its "begin" event); on SQLite the driver's BEGIN:
            reader = reader_on(connection)
            try:
                if self.location.is_sqlite:
                    reader.send("BEGIN")  # past SQLAlchemy's execution path, as the reads themselves
                yield reader
            finally:
                connection.rollback()

    @contextmanager
    def _snapshot_connection(self) -> Iterator[Connection]:
        with self.engine.connect() as connection:
            if self.location.is_sqlite:
                connection.exec_driver_sql("BEGIN")
            else:
                connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
                connection.begin()
            try:
                yield connection
            finally:
                connection.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One unit of work that writes. SQLite: it takes the write lock first (`BEGIN IMMEDIATE`),
        waiting up to `BUSY_TIMEOUT_SECONDS` for another connection's write to commit. A transaction begun
        as a reader that later writes cannot wait: SQLite refuses it at once ("database is
        locked") when another connection wrote meanwhile, whatever the timeout."""
        with self._sessions.begin() as session:
            self._take_write_lock(session)
            yield session

    def _take_write_lock(self, session: Session) -> None:
        if self.location.is_sqlite:
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")

    @contextmanager
    def durable_write(self) -> Iterator[Session]:
        """A `write()` whose commit SQLite makes durable (`synchronous=FULL`) before it returns.

        For writes that queue a mutation in the outbox: an acknowledged change survives a power
        cut. SQLite refuses to change the setting inside a transaction, so it is set on the
        connection before the unit of work begins and put back to NORMAL after it ends.
        """
        if not self.location.is_sqlite:
            with self.write() as session:
                yield session
            return
        with self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA synchronous=FULL")
            connection.commit()  # ends SQLAlchemy's logical transaction; the session begins its own
            try:
                with Session(bind=connection, expire_on_commit=False) as session, session.begin():
                    self._take_write_lock(session)
                    yield session
            finally:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA synchronous=NORMAL")
                connection.commit()

    def close(self) -> None:
        self.engine.dispose()


def open_store(location: StoreLocation, *, upgrade: bool = True) -> Store:
    """Open and check the store; raise StoreError with a one-line reason if it cannot be used."""
    if location.is_sqlite:
        revision = inspect_sqlite_file(location.sqlite_path)
        problem = schema_problem(location, revision, upgrade=upgrade)
        if problem is not None:  # refused before the first write (WAL mode, -wal and -shm files)
            raise StoreError(problem)
        engine = sqlite_engine(location.sqlite_path)
    else:
        engine = postgres_engine(location)
    try:
        if upgrade:
            upgrade_schema(engine, location)
        else:
            check_schema_current(engine, location)
    except OperationalError as exc:
        engine.dispose()
        raise StoreError(describe_db_error(location, exc)) from None
    except StoreError:
        engine.dispose()
        raise
    return Store(location, engine)


def sqlite_engine(path: Path) -> Engine:
    engine = create_engine(
        f"sqlite+pysqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_SECONDS},
        hide_parameters=True,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        owner_only(path)  # before the first write; SQLite gives -wal and -shm the file's mode
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def owner_only(path: Path) -> None:
    """A store holds customer data: the file and its -wal, -shm and -journal are for their owner
    only (0600), also when an earlier version made them readable by others."""
    for companion in (path, *(path.with_name(path.name + end) for end in SQLITE_COMPANIONS)):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            if companion.stat().st_mode & 0o077:
                companion.chmod(0o600)


def postgres_engine(location: StoreLocation) -> Engine:
    engine = create_engine(
        location.url,
        pool_pre_ping=True,
        hide_parameters=True,
        connect_args={"connect_timeout": 5, "application_name": "advisor-console"},
    )
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as exc:
        engine.dispose()
        raise StoreError(describe_db_error(location, exc)) from None
    return engine


def describe_db_error(location: StoreLocation, exc: DBAPIError) -> str:
    """The driver's first line, never the statement or its parameters (they may hold secrets)."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
    if location.is_sqlite:
        if "readonly" in reason:
            return f"{location.describe()} is read-only: the console needs to write to it"
        return f"cannot use {location.describe()}: {reason}"
    import psycopg  # only when a server is named: SQLite start-up does without the driver

    from storage.server_login import LoginFailure, classify_connect_error

    where = f"PostgreSQL at {location.describe()}"
    kind = classify_connect_error(exc.orig) if isinstance(exc.orig, psycopg.Error) else LoginFailure.OTHER
    if kind is LoginFailure.UNREACHABLE:
        return f"cannot reach {where}: {reason}"
    if kind in (LoginFailure.WRONG_CREDENTIALS, LoginFailure.ACCOUNT_DISABLED):
        return f"{where} refused the login: {reason}"
    if kind is LoginFailure.CERTIFICATE:
        return f"{where} did not prove who it is (TLS certificate): {reason}"
    return f"cannot use {where}: {reason}"


def inspect_sqlite_file(path: Path) -> str | None:
    """Read-only checks of an existing file, so a file we refuse is left exactly as it was; its
    schema revision (None: a new store)."""
    check_sqlite_file(path)
    if not path.exists():
        return None
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {path}: {exc}") from None
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        revision = (
            connection.execute("SELECT max(version_num) FROM alembic_version").fetchone()
            if "alembic_version" in tables
            else None
        )
        if path.stat().st_size <= INTEGRITY_SCAN_LIMIT:
            verdict = connection.execute("PRAGMA quick_check(1)").fetchone()
            if verdict is None or verdict[0] != "ok":
                raise StoreError(f"{path} is damaged: {damage_words(verdict[0] if verdict else None)}")
    except sqlite3.DatabaseError as exc:
        if "readonly" in str(exc):
            raise StoreError(f"{path} is read-only: the console needs to write to it") from None
        raise StoreError(f"{path} is damaged or not a SQLite database: {exc}") from None
    finally:
        connection.close()
    if tables and "alembic_version" not in tables:
        raise StoreError(f"{path} is a SQLite database, but not an Advisor Console store")
    return str(revision[0]) if revision and revision[0] is not None else None


def schema_problem(location: StoreLocation, current: str | None, *, upgrade: bool) -> str | None:
    """Why a store at schema `current` cannot be used (to upgrade, or as it is), or None."""
    head = migrate.head_revision()
    if upgrade:
        if current is not None and current != head and current not in migrate.known_revisions():
            return (
                f"{location.describe()} was made by a newer Advisor Console (schema {current}): "
                "upgrade this program"
            )
        return None
    if current != head:
        return (
            f"{location.describe()} has schema {current or 'none'}, expected "
            f"{head}: run `advisor-console db upgrade --db URL`"
        )
    return None


def damage_words(verdict: str | None) -> str:
    """quick_check's answer on one line, without its "*** in database main ***" heading."""
    lines = [line.strip() for line in (verdict or "no answer").splitlines()]
    return "; ".join(line for line in lines if line and not line.startswith("***")) or "no answer"


def upgrade_schema(engine: Engine, location: StoreLocation) -> None:
    with engine.connect() as connection:
        current = migrate.current_revision(connection)
    if current == migrate.head_revision():
        return
    problem = schema_problem(location, current, upgrade=True)
    if problem is not None:
        raise StoreError(problem)
    migrate.upgrade(engine)


def check_schema_current(engine: Engine, location: StoreLocation) -> None:
    with engine.connect() as connection:
        current = migrate.current_revision(connection)
    problem = schema_problem(location, current, upgrade=False)
    if problem is not None:
        raise StoreError(problem)


def table_names(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())
