"""Signing in on a workstation: online against the central server, or offline unlock as the last user.

Each failure becomes one plain line for the person at the keyboard; none carries the server's own
words or the password. Used by the login dialog off the UI thread; Qt-free and tested without it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from console import paths
from console.clock import Clock
from console.credentials import CredentialStore, KeyringStatus
from console.offline_unlock import OfflineUnlockCache, OfflineUnlockError
from console.server_address import ServerAddress
from domain.vocabulary import Role
from storage.server_login import LoginFailure, ServerIdentity, ServerLoginError, server_reachable, sign_in

log = logging.getLogger(__name__)

GENERIC_FAILURE = "Signing in failed. Try again, or tell your administrator."
MESSAGES = {
    LoginFailure.WRONG_CREDENTIALS: "Wrong username or password.",
    LoginFailure.ACCOUNT_DISABLED: (
        "This account is disabled or locked. Ask your supervisor or administrator."
    ),
    LoginFailure.NOT_A_USER: "This account is not an Advisor Console user on this server.",
    LoginFailure.CERTIFICATE: (
        "The server's certificate is expired or not trusted, so the console did not send your "
        "password. Tell your administrator."
    ),
    LoginFailure.UNREACHABLE: "The server cannot be reached.",
    LoginFailure.NOT_SET_UP: "The server is not set up for Advisor Console. Tell your administrator.",
    LoginFailure.OTHER: GENERIC_FAILURE,
}


class Connectivity(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"


@dataclass(frozen=True)
class Session:
    """Who is using the console, and whether they signed in online or unlocked offline."""

    identity: ServerIdentity
    connectivity: Connectivity
    server: ServerAddress

    @property
    def username(self) -> str:
        return self.identity.username

    @property
    def role(self) -> Role:
        return self.identity.role

    @property
    def online(self) -> bool:
        return self.connectivity is Connectivity.ONLINE


class SignInError(Exception):
    """Signing in failed: a one-line message, and whether offline unlock is worth offering."""

    def __init__(self, message: str, *, can_unlock_offline: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.can_unlock_offline = can_unlock_offline


def offline_unlock_path() -> Path:
    return paths.data_dir() / "offline-unlock.json"


class Authenticator:
    """Signs people in to one server; remembers passwords only in a secure keyring."""

    def __init__(
        self,
        server: ServerAddress,
        clock: Clock,
        *,
        credentials: CredentialStore | None = None,
        cache: OfflineUnlockCache | None = None,
    ) -> None:
        self.server = server
        self._clock = clock
        self.credentials = credentials or CredentialStore()
        self.cache = cache or OfflineUnlockCache(offline_unlock_path())

    def keyring_status(self) -> KeyringStatus:
        return self.credentials.status()

    def last_username(self) -> str | None:
        return self.cache.last_username(self.server.key)

    def remembered_password(self, username: str) -> str | None:
        return self.credentials.load(self.server.key, username) if username else None

    def sign_in(self, username: str, password: str, *, remember: bool) -> Session:
        """Online sign-in; on success caches the offline-unlock hash and saves or forgets the password."""
        username = username.strip()
        if not username or not password:
            raise SignInError("Enter your username and password.")
        try:
            identity = sign_in(self.server.connection_keywords(), username, password)
        except ServerLoginError as exc:
            if exc.kind is LoginFailure.WRONG_CREDENTIALS:
                self.credentials.forget(self.server.key, username)  # a saved password that no longer works
            if exc.kind is LoginFailure.UNREACHABLE:
                raise SignInError(self._unreachable_message(), can_unlock_offline=True) from None
            raise SignInError(MESSAGES[exc.kind]) from None
        try:
            self.cache.remember(self.server.key, identity, password, self._clock.now())
        except OSError as exc:  # signed in all the same; only offline unlock will not know them
            log.warning("could not cache the offline unlock at %s: %s", self.cache.path, exc.strerror)
        if remember:
            self.credentials.save(self.server.key, identity.username, password)
        else:
            self.credentials.forget(self.server.key, identity.username)
        log.info("%s signed in online to %s", identity.username, self.server.describe())
        return Session(identity, Connectivity.ONLINE, self.server)

    def unlock_offline(self, username: str, password: str) -> Session:
        """Offline unlock: only the last person who signed in online here, with the same password."""
        try:
            identity = self.cache.unlock(self.server.key, username.strip(), password, now=self._clock.now())
        except OfflineUnlockError as exc:
            raise SignInError(str(exc)) from None
        log.info("%s unlocked the workstation offline", identity.username)
        return Session(identity, Connectivity.OFFLINE, self.server)

    def server_reachable(self) -> bool:
        return server_reachable(self.server.connection_keywords())

    def _unreachable_message(self) -> str:
        last = self.last_username()
        text = f"The server {self.server.describe()} cannot be reached."
        if last is None:
            return f"{text} Offline unlock needs an earlier online sign-in on this workstation."
        return f"{text} You can unlock offline if you were the last person signed in here."
