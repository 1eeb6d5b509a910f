"""Where the console keeps its files on this workstation (platformdirs: XDG on Linux), readable by
their owner only: customer data and logs."""

from __future__ import annotations

import contextlib
from pathlib import Path

import platformdirs

APP_NAME = "advisor-console"


def data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def default_store_path() -> Path:
    return data_dir() / "console.db"


def log_path() -> Path:
    return platformdirs.user_log_path(APP_NAME, appauthor=False) / "console.log"


def private_folder(path: Path) -> Path:
    """Make `path` (and missing parents) and leave it owner-only (0700), also when it already existed."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):  # not ours to change: use it as it is
        path.chmod(0o700)
    return path


def private_file(path: Path) -> Path:
    """Make `path` if missing, and leave it readable and writable by its owner only (0600)."""
    path.touch(mode=0o600, exist_ok=True)
    with contextlib.suppress(PermissionError):
        path.chmod(0o600)
    return path


def documents_dir() -> Path:
    """Where a file the user saves (a letter, an export) is offered first: their documents folder."""
    return platformdirs.user_documents_path()
