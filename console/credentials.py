"""Remember me: the password in the operating system's keyring, and only there.

Only a keyring that keeps secrets safe is used: the `fail` and `null` backends, keyrings.alt's
plaintext (base64) and terminal-prompting files, and a chain of nothing better are refused, so
the console does not offer to remember where it could only write the password to disk.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import keyring
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend

log = logging.getLogger(__name__)

SERVICE_PREFIX = "advisor-console"
# Backends that are not a safe place for a password whatever their priority says.
INSECURE_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")


def _priority(backend: KeyringBackend) -> float:
    try:
        return float(backend.priority)
    except Exception:  # a backend's priority check may raise when it is not viable
        return -1.0


def is_secure(backend: KeyringBackend) -> bool:
    """Whether `backend` keeps a secret safe (a chain is safe when one of its members is)."""
    if isinstance(backend, ChainerBackend):
        return any(is_secure(member) for member in backend.backends)
    module = type(backend).__module__
    if any(module == name or module.startswith(name + ".") for name in INSECURE_MODULES):
        return False
    return _priority(backend) >= 1


@dataclass(frozen=True)
class KeyringStatus:
    available: bool
    # Why "remember me" is off, for the dialog; empty when it is on.
    reason: str


class CredentialStore:
    """Saved passwords per server and user, in the keyring `keyring.get_keyring()` picks."""

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self._backend = backend

    @property
    def backend(self) -> KeyringBackend:
        return self._backend or keyring.get_keyring()

    def status(self) -> KeyringStatus:
        try:
            backend = self.backend
        except Exception:
            log.warning("no keyring backend could be loaded", exc_info=True)
            return KeyringStatus(False, "No keyring could be loaded on this workstation.")
        if is_secure(backend):
            return KeyringStatus(True, "")
        return KeyringStatus(
            False,
            "This workstation has no secure keyring, so the console will not remember your password.",
        )

    @staticmethod
    def service(server: str) -> str:
        return f"{SERVICE_PREFIX}:{server}"

    def save(self, server: str, username: str, password: str) -> bool:
        """Store the password; False (and nothing written) when no secure keyring takes it."""
        if not self.status().available:
            return False
        try:
            self.backend.set_password(self.service(server), username, password)
        except Exception as exc:  # keyring backends raise their own errors (D-Bus, locked collection)
            log.warning("the keyring refused to store a password: %s", type(exc).__name__)
            return False
        return True

    def load(self, server: str, username: str) -> str | None:
        if not self.status().available:
            return None
        try:
            return self.backend.get_password(self.service(server), username)
        except Exception as exc:
            log.warning("the keyring could not be read: %s", type(exc).__name__)
            return None

    def forget(self, server: str, username: str) -> None:
        if not self.status().available:
            return
        try:
            if self.backend.get_password(self.service(server), username) is not None:
                self.backend.delete_password(self.service(server), username)
        except Exception as exc:
            log.warning("the keyring could not forget a password: %s", type(exc).__name__)
