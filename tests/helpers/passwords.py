"""Every password the suite gives a login role or types at a sign-in, in one registry, and the check
the end of the session runs (tests/conftest.py): no file the suite wrote holds any of them."""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path

from psycopg import sql

from storage.server.scram import scram_verifier

MIN_LENGTH = 8  # a shorter one could turn up in a file by chance
_CHUNK = 8 << 20
_PREFIX = 3

_registered: set[str] = set()
_folders: set[Path] = set()
_leaks: dict[Path, set[str]] = {}


def register(*passwords: str) -> str:
    """Note passwords the suite uses; returns the first (for `PASSWORD = register("...")`)."""
    for password in passwords:
        if len(password) < MIN_LENGTH:
            raise ValueError(
                f"test passwords have at least {MIN_LENGTH} characters, to be found by the check"
            )
        _registered.add(password)
    return passwords[0]


def new_password(hint: str = "pw") -> str:
    """A fresh password, registered."""
    return register(f"{hint}-{secrets.token_hex(12)}")


def registered() -> frozenset[str]:
    return frozenset(_registered)


def password_clause(password: str) -> sql.Composable:
    """`PASSWORD '<SCRAM verifier>'` for CREATE / ALTER ROLE: the server (and its statement log) never
    sees the password itself, as `advisor-console user add` does it."""
    return sql.SQL("PASSWORD {}").format(sql.Literal(scram_verifier(register(password))))


def watch(folder: Path) -> None:
    """A folder the suite writes into (checked at the end of the session if it still exists)."""
    _folders.add(folder)


def watched() -> list[Path]:
    return sorted(folder for folder in _folders if folder.exists())


def files_holding(secrets_: Iterable[str], folders: Iterable[Path]) -> dict[Path, set[str]]:
    """Each regular file under `folders` (or among them; symbolic links and sockets skipped) holding any of
    `secrets_` as UTF-8 bytes, with which; files are read in chunks, overlapping by the longest."""
    needles = {secret.encode("utf-8"): secret for secret in secrets_ if secret}
    if not needles:
        return {}
    # Passwords grouped by their first bytes (the suite's own all start "pw-"): one C-speed find per
    # group and chunk, then a comparison where a group's prefix turns up, rather than one search per
    # password (hundreds of them, over the server's data folder).
    groups: dict[bytes, list[bytes]] = {}
    for needle in needles:
        groups.setdefault(needle[:_PREFIX], []).append(needle)
    overlap = max(len(needle) for needle in needles) - 1
    found: dict[Path, set[str]] = {}
    for folder in folders:
        paths = (
            [folder]
            if folder.is_file()
            else (Path(root) / name for root, _, names in os.walk(folder) for name in names)
        )
        for path in paths:
            hits = {needles[needle] for needle in _search(path, groups, overlap)}
            if hits:
                found[path] = hits
    return found


def _search(path: Path, groups: dict[bytes, list[bytes]], overlap: int) -> set[bytes]:
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return set()
        hits: set[bytes] = set()
        tail = b""
        with path.open("rb") as stream:
            while chunk := stream.read(_CHUNK):
                window = tail + chunk
                for prefix, group in groups.items():
                    at = window.find(prefix)
                    while at != -1:
                        hits.update(needle for needle in group if window.startswith(needle, at))
                        at = window.find(prefix, at + 1)
                tail = window[-overlap:] if overlap else b""
        return hits
    except FileNotFoundError:  # removed while we looked (a server's temporary file)
        return set()


def check(folders: Iterable[Path]) -> dict[Path, set[str]]:
    """Look for every registered password under `folders`; what is found is also kept for `leaks()`."""
    found = files_holding(_registered, folders)
    for path, hits in found.items():
        _leaks.setdefault(path, set()).update(hits)
    return found


def leaks() -> dict[Path, set[str]]:
    return dict(_leaks)
