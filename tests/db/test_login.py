"""Signing in against a real PostgreSQL: each failure a clear line, offline unlock for the last user only,
"remember me" in the keyring only, and the password in no file or log afterwards."""

from __future__ import annotations

import logging
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console import paths
from console.auth import MESSAGES, Authenticator, Connectivity, SignInError
from console.clock import ManualClock
from console.credentials import CredentialStore
from console.offline_unlock import OfflineUnlockCache
from console.server_address import parse_server_url
from console.settings import settings_path
from domain.vocabulary import Role
from storage.server_login import LoginFailure
from tests.helpers import passwords
from tests.helpers.login import (
    BadCertificateServer,
    LoginServer,
    MemoryKeyring,
    SocketLink,
    closed_port,
    files_holding,
    folders_of_this_workstation,
    make_certificates,
)

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
# Every password used here, for the end-of-session search of the files the suite wrote.
PASSWORD = passwords.register(
    "Tr0ub4dor&3-horse-battery",
    "not-it-at-all",
    "second-password-42",
    "wrong-password-first",
    "changed-on-the-server-1",
)
pytestmark = pytest.mark.postgres


@pytest.fixture
def keyring_backend() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def cache(tmp_path: Path) -> OfflineUnlockCache:
    return OfflineUnlockCache(paths.data_dir() / "offline-unlock.json")


def authenticator(url: str, keyring_backend: MemoryKeyring, cache: OfflineUnlockCache) -> Authenticator:
    return Authenticator(
        parse_server_url(url),
        ManualClock(NOW),
        credentials=CredentialStore(keyring_backend),
        cache=cache,
    )


@pytest.fixture
def link(login_server: LoginServer) -> Iterator[SocketLink]:
    link = SocketLink(login_server)
    yield link
    link.close()


@pytest.fixture
def auth(link: SocketLink, keyring_backend: MemoryKeyring, cache: OfflineUnlockCache) -> Authenticator:
    return authenticator(link.url, keyring_backend, cache)


def test_an_advisor_signs_in_online(login_server: LoginServer, auth: Authenticator) -> None:
    name = login_server.add_user(PASSWORD, display_name="Asha Patel")
    session = auth.sign_in(name, PASSWORD, remember=False)
    assert session.connectivity is Connectivity.ONLINE
    assert (session.username, session.role, session.identity.display_name) == (
        name,
        Role.ADVISOR,
        "Asha Patel",
    )
    assert auth.last_username() == name
    mode = stat.S_IMODE(auth.cache.path.stat().st_mode)
    assert mode == 0o600


def test_a_supervisor_gets_the_supervisor_role(login_server: LoginServer, auth: Authenticator) -> None:
    name = login_server.add_user(PASSWORD, role=Role.SUPERVISOR)
    assert auth.sign_in(name, PASSWORD, remember=False).role is Role.SUPERVISOR


@pytest.mark.parametrize("wrong", ["user", "password", "both", "empty"])
def test_wrong_username_or_password_says_so(
    login_server: LoginServer, auth: Authenticator, wrong: str
) -> None:
    name = login_server.add_user(PASSWORD)
    username = "nobody_here" if wrong in ("user", "both") else name
    password = {"password": "not-it-at-all", "both": "not-it-at-all", "empty": ""}.get(wrong, PASSWORD)
    with pytest.raises(SignInError) as caught:
        auth.sign_in(username, password, remember=False)
    expected = "Enter your username and password." if wrong == "empty" else "Wrong username or password."
    assert caught.value.message == expected
    assert not caught.value.can_unlock_offline
    assert auth.last_username() is None


@pytest.mark.parametrize("how", ["nologin", "inactive"])
def test_a_disabled_account_is_told_so(login_server: LoginServer, auth: Authenticator, how: str) -> None:
    name = login_server.add_user(PASSWORD, login=how != "nologin", active=how != "inactive")
    with pytest.raises(SignInError, match="disabled or locked"):
        auth.sign_in(name, PASSWORD, remember=False)


@pytest.mark.parametrize("missing", ["users_row", "group_role"])
def test_a_login_role_that_is_not_an_app_user_is_refused(
    login_server: LoginServer, auth: Authenticator, missing: str
) -> None:
    if missing == "users_row":
        name = login_server.add_user(PASSWORD, users_row=False)
    else:
        name = login_server.add_user(PASSWORD, role=None)
    with pytest.raises(SignInError, match="not an Advisor Console user"):
        auth.sign_in(name, PASSWORD, remember=False)


def test_a_database_without_the_schema_is_not_set_up(
    login_server: LoginServer, keyring_backend: MemoryKeyring, cache: OfflineUnlockCache
) -> None:
    name = login_server.add_user(PASSWORD)
    url = login_server.url.replace(f"/{login_server.database}?", "/postgres?")
    with pytest.raises(SignInError, match="not set up"):
        authenticator(url, keyring_backend, cache).sign_in(name, PASSWORD, remember=False)


@pytest.mark.parametrize("which", ["expired", "untrusted"])
def test_a_bad_server_certificate_is_named_and_no_password_is_sent(
    tmp_path: Path, keyring_backend: MemoryKeyring, cache: OfflineUnlockCache, which: str
) -> None:
    certificates = make_certificates(tmp_path)
    cert, key = certificates.expired if which == "expired" else certificates.untrusted
    endpoint = BadCertificateServer(cert, key)
    try:
        url = f"postgresql://localhost:{endpoint.port}/console?sslrootcert={certificates.ca_file}"
        auth = authenticator(url, keyring_backend, cache)
        assert auth.server.sslmode == "verify-full"
        with pytest.raises(SignInError) as caught:
            auth.sign_in("asha", PASSWORD, remember=True)
    finally:
        endpoint.close()
    assert caught.value.message == MESSAGES[LoginFailure.CERTIFICATE]
    assert keyring_backend.passwords == {}


def test_an_unreachable_server_offers_offline_unlock_to_the_last_user_only(
    login_server: LoginServer, link: SocketLink, auth: Authenticator
) -> None:
    first = login_server.add_user(PASSWORD)
    second = login_server.add_user("second-password-42")
    auth.sign_in(second, "second-password-42", remember=False)
    auth.sign_in(first, PASSWORD, remember=False)  # the last one wins

    link.cut()
    down = auth
    with pytest.raises(SignInError) as caught:
        down.sign_in(first, PASSWORD, remember=False)
    assert caught.value.can_unlock_offline
    assert "cannot be reached" in caught.value.message

    session = down.unlock_offline(first, PASSWORD)
    assert session.connectivity is Connectivity.OFFLINE
    assert (session.username, session.role) == (first, Role.ADVISOR)

    with pytest.raises(SignInError, match="Wrong username or password"):
        down.unlock_offline(first, "not-it-at-all")
    with pytest.raises(SignInError, match="Only the last person"):
        down.unlock_offline(second, "second-password-42")


def test_a_tcp_server_that_refuses_connections_is_unreachable(
    keyring_backend: MemoryKeyring, cache: OfflineUnlockCache
) -> None:
    auth = authenticator(f"postgresql://127.0.0.1:{closed_port()}/console", keyring_backend, cache)
    with pytest.raises(SignInError) as caught:
        auth.sign_in("asha", PASSWORD, remember=False)
    assert caught.value.can_unlock_offline
    assert "Offline unlock needs an earlier online sign-in" in caught.value.message
    assert not auth.server_reachable()
    with pytest.raises(SignInError, match="needs an earlier online sign-in"):
        auth.unlock_offline("asha", PASSWORD)


def test_offline_unlock_is_for_the_server_it_was_cached_for(
    login_server: LoginServer, auth: Authenticator, keyring_backend: MemoryKeyring, cache: OfflineUnlockCache
) -> None:
    name = login_server.add_user(PASSWORD)
    auth.sign_in(name, PASSWORD, remember=False)
    assert auth.server_reachable()
    elsewhere = authenticator(f"postgresql://127.0.0.1:{closed_port()}/console", keyring_backend, cache)
    with pytest.raises(SignInError, match="needs an earlier online sign-in"):
        elsewhere.unlock_offline(name, PASSWORD)


def test_remember_me_keeps_the_password_in_the_keyring_and_only_there(
    login_server: LoginServer, auth: Authenticator, keyring_backend: MemoryKeyring
) -> None:
    name = login_server.add_user(PASSWORD)
    auth.sign_in(name, PASSWORD, remember=True)
    assert keyring_backend.passwords == {(f"advisor-console:{auth.server.key}", name): PASSWORD}
    assert auth.remembered_password(name) == PASSWORD

    auth.sign_in(name, PASSWORD, remember=False)  # unticked: forgotten
    assert keyring_backend.passwords == {}

    auth.sign_in(name, PASSWORD, remember=True)
    login_server.set_password(name, "changed-on-the-server-1")
    with pytest.raises(SignInError, match="Wrong username or password"):
        auth.sign_in(name, PASSWORD, remember=True)
    assert auth.remembered_password(name) is None  # a saved password that no longer works is dropped


def test_no_secure_keyring_means_nothing_is_remembered(
    login_server: LoginServer, cache: OfflineUnlockCache
) -> None:
    from keyring.backends import fail

    name = login_server.add_user(PASSWORD)
    auth = Authenticator(
        login_server.address, ManualClock(NOW), credentials=CredentialStore(fail.Keyring()), cache=cache
    )
    assert not auth.keyring_status().available
    auth.sign_in(name, PASSWORD, remember=True)  # signs in; simply does not remember
    assert auth.remembered_password(name) is None


def test_no_password_in_any_file_or_log(
    login_server: LoginServer,
    link: SocketLink,
    auth: Authenticator,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    log_file = paths.log_path()
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file, encoding="utf-8")
    logging.getLogger().addHandler(handler)
    settings = settings_path()
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(f'server_url = "{link.url}"\n', encoding="utf-8")
    try:
        name = login_server.add_user(PASSWORD)
        auth.sign_in(name, "wrong-password-first", remember=True)
    except SignInError:
        pass
    try:
        auth.sign_in(name, PASSWORD, remember=True)
        auth.sign_in(name, PASSWORD, remember=False)
        link.cut()
        down = auth
        with pytest.raises(SignInError):
            down.sign_in(name, PASSWORD, remember=True)
        down.unlock_offline(name, PASSWORD)
        with pytest.raises(SignInError):
            down.unlock_offline(name, "wrong-password-first")
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    assert "signed in online" in log_file.read_text(encoding="utf-8")
    for secret in (PASSWORD, "wrong-password-first"):
        assert secret not in caplog.text
        assert not files_holding(secret, folders_of_this_workstation(tmp_path))


@pytest.fixture(autouse=True)
def _no_leftover_handlers() -> Iterator[None]:
    before = list(logging.getLogger().handlers)
    yield
    assert logging.getLogger().handlers == before
