"""Offline unlock: a salted scrypt hash of the last online sign-in's password, in the data folder.

Only the person who last signed in online on this workstation can unlock it while the server is
unreachable, with the same password. The file holds the hash, salt and cost, the user's id, name
and role, and which server they signed in to; never the password. It is written atomically and
readable by its owner only.

Wrong guesses are counted in the same file: after `FREE_ATTEMPTS` failures each further one locks
unlocking for twice as long as the last (30 s, 1 min, 2 min … up to an hour), across restarts,
and the message says how long in words. Deleting the file does not help a guesser: it turns offline
unlock off. An online sign-in writes a fresh file, so the count starts again.

A file in the data folder rather than a table in the store: the cache belongs to the workstation, not
to a store. The same migrations build the central schema, where a table of password hashes has no
business; nothing here may ever be synced; and it must outlive a store that is replaced or rebuilt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from domain.vocabulary import Role
from storage.server_login import ServerIdentity

FORMAT_VERSION = 1
# scrypt cost: about 16 MiB and a few tens of milliseconds per guess on a workstation (RFC 7914's
# interactive-login figures); stored in the file so a later release can raise it.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
MAX_MEMORY = 64 * 1024 * 1024
FREE_ATTEMPTS = 3
FIRST_LOCKOUT = timedelta(seconds=30)
LONGEST_LOCKOUT = timedelta(hours=1)


class OfflineUnlockError(Exception):
    """Offline unlock refused; the message is one line for the person at the keyboard."""


@dataclass(frozen=True)
class CachedSignIn:
    """What the file says about the last online sign-in (no secret beyond the hash)."""

    server: str
    identity: ServerIdentity
    signed_in_at: datetime
    salt: bytes
    digest: bytes
    n: int
    r: int
    p: int
    failures: int = 0  # wrong attempts since the last success
    locked_until: datetime | None = None


def lockout_after(failures: int) -> timedelta | None:
    """How long unlocking waits after `failures` wrong attempts in a row (None: not at all)."""
    if failures < FREE_ATTEMPTS:
        return None
    return min(FIRST_LOCKOUT * (1 << min(failures - FREE_ATTEMPTS, 16)), LONGEST_LOCKOUT)


def wait_words(wait: timedelta) -> str:
    """`0:02:10` -> "3 minutes": rounded up, so nobody is told to try a moment too soon."""
    seconds = max(1, -(-int(wait.total_seconds() * 1000) // 1000))
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = -(-minutes // 60)
    return f"{hours} hour{'s' if hours != 1 else ''}"


def password_hash(
    password: str, salt: bytes, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P
) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=MAX_MEMORY, dklen=HASH_BYTES
    )


class OfflineUnlockCache:
    """The one cached sign-in of this workstation, in a small JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def remember(self, server: str, identity: ServerIdentity, password: str, now: datetime) -> None:
        """After a successful online sign-in: replace the cache with this person's hash."""
        salt = secrets.token_bytes(SALT_BYTES)
        record = {
            "version": FORMAT_VERSION,
            "server": server,
            "user_id": str(identity.user_id),
            "username": identity.username,
            "display_name": identity.display_name,
            "role": identity.role.value,
            "signed_in_at": now.isoformat(),
            "scrypt": {"n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P},
            "salt": base64.b64encode(salt).decode("ascii"),
            "hash": base64.b64encode(password_hash(password, salt)).decode("ascii"),
        }
        self._write(json.dumps(record, indent=2))

    def last(self) -> CachedSignIn | None:
        """The cached sign-in, or None when there is none (or the file is unreadable: then unlock is off)."""
        try:
            data: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") != FORMAT_VERSION:
                return None
            cost = data["scrypt"]
            return CachedSignIn(
                server=str(data["server"]),
                identity=ServerIdentity(
                    user_id=uuid.UUID(data["user_id"]),
                    username=str(data["username"]),
                    display_name=str(data["display_name"]),
                    role=Role(data["role"]),
                ),
                signed_in_at=datetime.fromisoformat(data["signed_in_at"]),
                salt=base64.b64decode(data["salt"], validate=True),
                digest=base64.b64decode(data["hash"], validate=True),
                n=int(cost["n"]),
                r=int(cost["r"]),
                p=int(cost["p"]),
                failures=int(data.get("failures", 0)),
                locked_until=(
                    datetime.fromisoformat(data["locked_until"]) if data.get("locked_until") else None
                ),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def last_username(self, server: str) -> str | None:
        cached = self.last()
        return cached.identity.username if cached is not None and cached.server == server else None

    def unlock(
        self, server: str, username: str, password: str, *, now: datetime | None = None
    ) -> ServerIdentity:
        """The cached identity when `username` and `password` match the last online sign-in to `server`;
        refused without a look at the password while a lockout runs."""
        now = now or datetime.now(UTC)
        cached = self.last()
        if cached is None or cached.server != server:
            raise OfflineUnlockError(
                "Offline unlock needs an earlier online sign-in on this workstation; "
                "connect to the server to sign in."
            )
        if cached.locked_until is not None and now < cached.locked_until:
            wait = min(cached.locked_until - now, LONGEST_LOCKOUT)  # a clock put back cannot lengthen it
            raise OfflineUnlockError(
                f"Too many wrong attempts to unlock offline: try again in {wait_words(wait)}."
            )
        if username != cached.identity.username:
            raise OfflineUnlockError(
                "Only the last person who signed in online on this workstation can unlock it offline."
                + self._failed(now)
            )
        try:
            candidate = password_hash(password, cached.salt, n=cached.n, r=cached.r, p=cached.p)
        except ValueError:
            raise OfflineUnlockError("The offline unlock record is damaged; sign in online.") from None
        if not hmac.compare_digest(candidate, cached.digest):
            raise OfflineUnlockError("Wrong username or password." + self._failed(now))
        if cached.failures:
            self._update(failures=0, locked_until=None)
        return cached.identity

    def _failed(self, now: datetime) -> str:
        """Count a wrong attempt in the file; the words to add when it starts a lockout."""
        cached = self.last()
        failures = (cached.failures if cached is not None else 0) + 1
        lockout = lockout_after(failures)
        try:
            self._update(failures=failures, locked_until=(now + lockout).isoformat() if lockout else None)
        except (OSError, ValueError):  # an attempt that cannot be counted is not allowed to pass
            raise OfflineUnlockError(
                f"Cannot count the attempt in {self.path}: offline unlock is off; sign in online."
            ) from None
        return f" Too many wrong attempts: try again in {wait_words(lockout)}." if lockout else ""

    def _update(self, **values: object) -> None:
        data: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        data.update(values)
        self._write(json.dumps(data, indent=2))

    def _write(self, text: str) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=".unlock-", dir=self.path.parent)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, 0o600)  # noqa: PTH101
            os.replace(temporary, self.path)  # noqa: PTH105
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
