"""A local store read with plain sqlite3, read-only, before SQLAlchemy is imported: a user's row (the
window is built from it and painted while the store opens) and, for a store at the current schema,
the pane's reads (`LocalPeek`). None whenever in doubt (the caller then opens the store first, as
always)."""

from __future__ import annotations

import contextlib
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

from domain.records import UserRecord
from domain.vocabulary import Role, Team
from storage.migrate import HEAD
from storage.plain import Reader

# The columns of storage.queries.users._columns, in UserRecord's order.
USER_ROW = (
    "SELECT id, username, display_name, role, team, goodwill_limit_pence, active"
    " FROM users WHERE username = ?"
)


def peek_user(path: Path, username: str) -> UserRecord | None:
    """The active user `username` on the SQLite store at `path`; None if the file, the table or the
    row is not there or not as expected. Never creates or writes the file."""
    if not path.is_file():
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)) as db:
            row = db.execute(USER_ROW, (username.strip(),)).fetchone()
    except sqlite3.Error:
        return None
    if row is None:
        return None
    try:
        user = UserRecord(
            uuid.UUID(hex=row[0]), row[1], row[2], Role(row[3]), Team(row[4]), int(row[5]), bool(row[6])
        )
    except (TypeError, ValueError):
        return None
    return user if user.active else None


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, check_same_thread=False)


class LocalPeek:
    """The SQLite store at `path`, read-only, for the pane's plain reads (`plain_snapshot`, as a Store's)
    without SQLAlchemy. Made by `LocalPeek.at` only for a store at the current schema."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    @classmethod
    def at(cls, path: Path) -> LocalPeek | None:
        """The store at `path` if it is a file at this program's schema (HEAD); None otherwise."""
        if not path.is_file():
            return None
        try:
            db = _read_only(path)
        except sqlite3.Error:
            return None
        try:
            found = db.execute("SELECT version_num FROM alembic_version").fetchall()
        except sqlite3.Error:
            found = []
        if found != [(HEAD,)]:
            db.close()
            return None
        return cls(db)

    @contextlib.contextmanager
    def plain_snapshot(self) -> Iterator[Reader]:
        """One read transaction: every read in it sees the same state of the store."""
        self._db.execute("BEGIN")
        try:
            yield Reader(self._db, sqlite=True)
        finally:
            self._db.rollback()

    def close(self) -> None:
        self._db.close()
