"""Which keyrings may hold a password: secure ones; plaintext, fail, null and empty chains are refused."""

from __future__ import annotations

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from console.credentials import CredentialStore, is_secure
from tests.helpers.login import MemoryKeyring


class PlaintextLookalike(MemoryKeyring):
    """Stands for keyrings.alt's PlaintextKeyring (not installed here): high priority, insecure module."""

    __module__ = "keyrings.alt.file"


class WeakKeyring(MemoryKeyring):
    priority = 0.5  # type: ignore[assignment]


class Chain(chainer.ChainerBackend):
    """A chain over the given members (keyring's own chain lists what is installed)."""

    def __init__(self, members: list[KeyringBackend]) -> None:
        super().__init__()
        self._members = members

    @property
    def backends(self) -> list[KeyringBackend]:  # type: ignore[override]
        return self._members


@pytest.mark.parametrize(
    ("backend", "secure"),
    [
        (MemoryKeyring(), True),
        (fail.Keyring(), False),
        (null.Keyring(), False),
        (PlaintextLookalike(), False),
        (WeakKeyring(), False),
        (Chain([]), False),
        (Chain([PlaintextLookalike()]), False),
        (Chain([PlaintextLookalike(), MemoryKeyring()]), True),
    ],
    ids=[
        "memory",
        "fail",
        "null",
        "plaintext",
        "low-priority",
        "empty-chain",
        "plaintext-chain",
        "good-chain",
    ],
)
def test_only_a_secure_keyring_is_used(backend: KeyringBackend, secure: bool) -> None:
    assert is_secure(backend) is secure
    store = CredentialStore(backend)
    assert store.status().available is secure
    assert store.save("postgresql://db:5432/console", "asha", "pw-123456") is secure
    assert store.load("postgresql://db:5432/console", "asha") == ("pw-123456" if secure else None)
    if isinstance(backend, MemoryKeyring) and not secure:
        assert backend.passwords == {}  # nothing written to an insecure backend


def test_forget_is_quiet_when_nothing_is_stored() -> None:
    backend = MemoryKeyring()
    store = CredentialStore(backend)
    store.forget("postgresql://db:5432/console", "asha")
    store.save("postgresql://db:5432/console", "asha", "pw-123456")
    store.forget("postgresql://db:5432/console", "asha")
    assert backend.passwords == {}
