"""A user's row read from a local store with plain sqlite3, read-only, before SQLAlchemy is imported: the
window is built from it and painted while the store opens. None whenever in doubt (the caller then
opens the store first, as always)."""

from __future__ import annotations

import contextlib
import sqlite3
import uuid
from pathlib import Path

from domain.records import UserRecord
from domain.vocabulary import Role, Team

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
