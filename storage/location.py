"""Turn what the user typed after `--db` (a path or a URL) into a SQLAlchemy URL, and check it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from storage.errors import StoreError

SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class StoreLocation:
    url: URL

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def sqlite_path(self) -> Path:
        assert self.is_sqlite and self.url.database
        return Path(self.url.database)

    def describe(self) -> str:
        """For messages and the status bar: never shows a password."""
        if self.is_sqlite:
            return str(self.sqlite_path)
        return self.url.render_as_string(hide_password=True)


def parse_location(text: str) -> StoreLocation:
    """A plain path means SQLite; `sqlite:///`, `postgresql://` and driver URLs are taken as given."""
    text = text.strip()
    if not text:
        raise StoreError("--db is empty: give a SQLite file path or a postgresql:// URL")
    if "://" not in text:
        path = Path(text).expanduser().absolute()
        return StoreLocation(URL.create("sqlite+pysqlite", database=str(path)))
    try:
        url = make_url(text)
    except ArgumentError:
        raise StoreError(f"not a database URL: {text[:200]}") from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise StoreError("an in-memory SQLite store would lose everything: give a file path")
        path = Path(url.database).expanduser().absolute()
        return StoreLocation(URL.create("sqlite+pysqlite", database=str(path)))
    if backend == "postgresql":
        if url.get_driver_name() in ("", "psycopg2"):
            url = url.set(drivername="postgresql+psycopg")
        return StoreLocation(url)
    raise StoreError(f"unsupported database {backend!r}: use a SQLite path or a postgresql:// URL")


def check_sqlite_file(path: Path) -> None:
    """Refuse, without touching it, a path that cannot hold a store."""
    folder = path.parent
    if not folder.exists():
        raise StoreError(f"folder does not exist: {folder}")
    if not folder.is_dir():
        raise StoreError(f"not a folder: {folder}")
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a database file")
    # SQLite writes beside the file (-wal, -shm) even to read it: say so, not that it is damaged.
    if not os.access(folder, os.W_OK):
        raise StoreError(f"{folder} is read-only: the console needs to write there to use {path.name}")
    if not path.exists():
        return
    if not os.access(path, os.W_OK):
        raise StoreError(f"{path} is read-only: the console needs to write to it")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror}") from None
    if not header:
        # SQLite would quietly make a new empty store of it: a lost store must not look like a new one.
        raise StoreError(f"{path} is empty (0 bytes), not a store: restore it from a backup, or delete it")
    if header != SQLITE_HEADER:
        raise StoreError(f"{path} is not a SQLite database")
