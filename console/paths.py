"""Where the console keeps its files on this workstation (platformdirs: XDG on Linux)."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "advisor-console"


def data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def default_store_path() -> Path:
    return data_dir() / "console.db"


def log_path() -> Path:
    return platformdirs.user_log_path(APP_NAME, appauthor=False) / "console.log"


def documents_dir() -> Path:
    """Where a file the user saves (a letter, an export) is offered first: their documents folder."""
    return platformdirs.user_documents_path()
