"""The offline-unlock cache: a salted scrypt hash only, owner-readable, the last user only, damage refused."""

from __future__ import annotations

import json
import stat
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.offline_unlock import SCRYPT_N, OfflineUnlockCache, OfflineUnlockError, lockout_after
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


def test_guessing_locks_offline_unlock_for_longer_each_time_across_restarts(tmp_path: Path) -> None:
    from datetime import timedelta

    from console.auth import Authenticator, SignInError
    from console.clock import ManualClock
    from console.server_address import parse_server_url

    server = parse_server_url(SERVER)
    path = tmp_path / "offline-unlock.json"
    OfflineUnlockCache(path).remember(server.key, ASHA, "s3cret-passphrase", NOW)
    clock = ManualClock(NOW)

    def console() -> Authenticator:  # a fresh start of the program: only the file is shared
        return Authenticator(server, clock, cache=OfflineUnlockCache(path))

    refusals = []
    for attempt in range(200):
        with pytest.raises(SignInError) as caught:
            console().unlock_offline("asha", f"guess-{attempt:03d}-passphrase")
        refusals.append(caught.value.message)
    assert refusals[0] == refusals[1] == "Wrong username or password."
    assert refusals[2] == "Wrong username or password. Too many wrong attempts: try again in 30 seconds."
    assert set(refusals[3:]) == {"Too many wrong attempts to unlock offline: try again in 30 seconds."}
    with pytest.raises(SignInError, match="try again in 30 seconds"):
        console().unlock_offline("asha", "s3cret-passphrase")  # the right one waits too

    waits = []
    for _ in range(9):
        clock.advance(timedelta(seconds=1))
        with pytest.raises(SignInError, match="try again in") as caught:
            console().unlock_offline("asha", "s3cret-passphrase")
        clock.advance(lockout_after(OfflineUnlockCache(path).last().failures) or timedelta())  # type: ignore[union-attr]
        with pytest.raises(SignInError) as caught:
            console().unlock_offline("asha", "wrong-passphrase")
        waits.append(caught.value.message.rsplit("try again in ", 1)[1])
    assert waits == [
        "1 minute.",
        "2 minutes.",
        "4 minutes.",
        "8 minutes.",
        "16 minutes.",
        "32 minutes.",
        "1 hour.",
        "1 hour.",
        "1 hour.",
    ]
    clock.advance(timedelta(hours=1))
    assert console().unlock_offline("asha", "s3cret-passphrase").identity == ASHA
    assert OfflineUnlockCache(path).last().failures == 0  # type: ignore[union-attr]
