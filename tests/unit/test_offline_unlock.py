"""The offline-unlock cache: a salted scrypt hash only, owner-readable, the last user only, damage refused."""

from __future__ import annotations

import json
import stat
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.offline_unlock import SCRYPT_N, OfflineUnlockCache, OfflineUnlockError
from domain.vocabulary import Role
from storage.server_login import ServerIdentity
from tests.helpers import passwords

SERVER = "postgresql://db:5432/console"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
passwords.register("s3cret-passphrase", "s3cret-passphrasE")  # searched for at the end
ASHA = ServerIdentity(uuid.uuid4(), "asha", "Asha Patel", Role.SUPERVISOR)


def test_the_file_holds_a_salted_hash_not_the_password(tmp_path: Path) -> None:
    cache = OfflineUnlockCache(tmp_path / "data" / "offline-unlock.json")
    cache.remember(SERVER, ASHA, "s3cret-passphrase", NOW)
    text = cache.path.read_text(encoding="utf-8")
    assert "s3cret-passphrase" not in text
    record = json.loads(text)
    assert record["scrypt"]["n"] == SCRYPT_N >= 2**14
    assert stat.S_IMODE(cache.path.stat().st_mode) == 0o600
    first_salt = record["salt"]
    cache.remember(SERVER, ASHA, "s3cret-passphrase", NOW)
    assert json.loads(cache.path.read_text(encoding="utf-8"))["salt"] != first_salt  # fresh salt each time
    assert [p.name for p in cache.path.parent.iterdir()] == ["offline-unlock.json"]  # no temporary left
    assert cache.unlock(SERVER, "asha", "s3cret-passphrase") == ASHA


def test_others_and_wrong_passwords_are_refused(tmp_path: Path) -> None:
    cache = OfflineUnlockCache(tmp_path / "offline-unlock.json")
    cache.remember(SERVER, ASHA, "s3cret-passphrase", NOW)
    with pytest.raises(OfflineUnlockError, match="Wrong username or password"):
        cache.unlock(SERVER, "asha", "s3cret-passphrasE")
    with pytest.raises(OfflineUnlockError, match="Only the last person"):
        cache.unlock(SERVER, "bob", "s3cret-passphrase")
    with pytest.raises(OfflineUnlockError, match="earlier online sign-in"):
        cache.unlock("postgresql://other:5432/console", "asha", "s3cret-passphrase")
    assert cache.last_username(SERVER) == "asha"
    assert cache.last_username("postgresql://other:5432/console") is None


@pytest.mark.parametrize("damage", ["", "{", '{"version": 99}', '{"version": 1, "server": "x"}'])
def test_a_damaged_file_turns_offline_unlock_off(tmp_path: Path, damage: str) -> None:
    cache = OfflineUnlockCache(tmp_path / "offline-unlock.json")
    cache.path.write_text(damage, encoding="utf-8")
    assert cache.last() is None
    with pytest.raises(OfflineUnlockError, match="earlier online sign-in"):
        cache.unlock(SERVER, "asha", "anything")
