"""The workstation's own files, attacked through the program's door (the command line): an empty
store file is refused and left empty; the store, its companions, the log and the data folder are
owner-only; a read-only folder and a damaged page are each named in one line."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_cli import assert_one_line_error, digest, run
from tests.helpers import passwords
from tests.helpers.login import LoginServer

pytestmark = pytest.mark.slow


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(
    "command",
    [("report", "suppressor"), ("audit", "verify"), ("db", "upgrade"), ("seed", "--customers", "3")],
)
def test_an_empty_store_file_is_refused_and_left_empty(tmp_path: Path, command: tuple[str, ...]) -> None:
    path = tmp_path / "console.db"
    path.write_bytes(b"")
    result = run(*command, "--db", str(path))
    assert_one_line_error(result, "console.db", "is empty (0 bytes)")
    assert path.read_bytes() == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["console.db"]


def test_an_empty_default_store_is_refused_not_refilled(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "advisor-console"
    folder.mkdir(parents=True)
    (folder / "console.db").write_bytes(b"")
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"), XDG_STATE_HOME=str(tmp_path / "state"))
    result = run("report", "suppressor", env=env)
    assert_one_line_error(result, "is empty (0 bytes)")
    assert (folder / "console.db").read_bytes() == b""


def test_the_data_folder_store_and_log_are_owner_only(tmp_path: Path) -> None:
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"), XDG_STATE_HOME=str(tmp_path / "state"))
    assert run("db", "upgrade", env=env).returncode == 0
    folder = tmp_path / "data" / "advisor-console"
    log = tmp_path / "state" / "advisor-console" / "log" / "console.log"
    assert mode(folder) == 0o700
    assert mode(log.parent) == 0o700
    assert mode(log) == 0o600
    for path in folder.iterdir():
        assert mode(path) == 0o600, path.name


def test_files_an_earlier_version_left_readable_are_made_owner_only(tmp_path: Path) -> None:
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"), XDG_STATE_HOME=str(tmp_path / "state"))
    assert run("db", "upgrade", env=env).returncode == 0
    folder = tmp_path / "data" / "advisor-console"
    log = tmp_path / "state" / "advisor-console" / "log" / "console.log"
    store = folder / "console.db"
    for path in (folder, log.parent):
        path.chmod(0o755)
    for path in (store, log, store.with_name("console.db-wal"), store.with_name("console.db-shm")):
        path.touch()
        path.chmod(0o644)
    assert run("report", "suppressor", env=env).returncode == 0
    assert mode(folder) == 0o700 and mode(log.parent) == 0o700
    for path in (store, log, store.with_name("console.db-wal"), store.with_name("console.db-shm")):
        assert not path.exists() or mode(path) == 0o600, path.name


def test_a_store_given_on_the_command_line_is_owner_only_with_its_companions(tmp_path: Path) -> None:
    store = tmp_path / "team.db"
    assert run("seed", "--customers", "3", "--db", str(store)).returncode == 0
    store.chmod(0o644)
    assert run("report", "suppressor", "--db", str(store)).returncode == 0
    assert [p.name for p in tmp_path.iterdir() if mode(p) != 0o600] == []


NOBODY = 65534


@pytest.fixture
def nobodys_folder() -> Iterator[Path]:
    """A folder (outside pytest's root-only temporary folder) owned by an unprivileged user: root
    writes anywhere, so the read-only case runs the program as that user."""
    if os.geteuid() != 0:
        pytest.skip("needs root to run the program as another user")
    base = Path(tempfile.mkdtemp(prefix="advisor-console-ro-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        for path in (base, *base.rglob("*")):
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)


def run_as_nobody(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, HOME=str(home), XDG_STATE_HOME=str(home / "state"), XDG_DATA_HOME=str(home / "d"))
    return subprocess.run(
        [
            "setpriv",
            f"--reuid={NOBODY}",
            f"--regid={NOBODY}",
            "--clear-groups",
            sys.executable,
            "-m",
            "console",
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )


def test_a_read_only_data_folder_is_named_read_only_not_damaged(nobodys_folder: Path) -> None:
    folder = nobodys_folder / "store"
    folder.mkdir()
    store = folder / "console.db"
    assert run("seed", "--customers", "3", "--db", str(store)).returncode == 0
    home = nobodys_folder / "home"
    home.mkdir()
    for path in (folder, store, home):
        os.chown(path, NOBODY, NOBODY)
    for path in folder.iterdir():
        os.chown(path, NOBODY, NOBODY)
    folder.chmod(0o555)
    before = digest(store)
    for command in (("report", "suppressor"), ("db", "upgrade"), ("audit", "verify")):
        result = run_as_nobody(*command, "--db", str(store), home=home)
        assert_one_line_error(result, "read-only")
        assert "damaged" not in result.stderr
    assert digest(store) == before


@pytest.mark.postgres
def test_a_wrong_password_is_a_refused_login_not_an_unreachable_server(login_server: LoginServer) -> None:
    name = login_server.add_user(passwords.new_password("right"))
    wrong = passwords.new_password("wrong")
    url = (
        f"postgresql://{name}:{wrong}@/{login_server.database}"
        f"?host={login_server.socket_dir}&port={login_server.port}"
    )
    for command in (("audit", "verify"), ("report", "suppressor")):
        result = run(*command, "--db", url, timeout=60)
        assert_one_line_error(result, "refused the login", "password authentication failed")
        assert "cannot reach" not in result.stderr and wrong not in result.stderr


def test_a_server_url_without_tls_to_a_network_host_is_refused_unless_allowed(tmp_path: Path) -> None:
    config = tmp_path / "config" / "advisor-console"
    config.mkdir(parents=True)
    settings = config / "settings.toml"
    settings.write_text('server_url = "postgresql://central.example.org:6432/console?sslmode=disable"\n')
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"))
    shot = tmp_path / "login.png"
    result = run("screenshot", str(shot), "--login", env=env)
    assert_one_line_error(
        result, "settings.toml", "sslmode=disable for central.example.org", "allow_insecure"
    )
    assert not shot.exists()
    settings.write_text(settings.read_text() + "allow_insecure = true\n")
    assert run("screenshot", str(shot), "--login", env=env).returncode == 0


def test_a_store_of_another_schema_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    import sqlite3

    store = tmp_path / "console.db"
    assert run("db", "upgrade", "--db", str(store)).returncode == 0
    with sqlite3.connect(store) as connection:  # a store in rollback-journal mode, from a newer release
        connection.execute("PRAGMA journal_mode=DELETE")
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    connection.close()
    before = digest(store)
    for command in (("report", "suppressor"), ("db", "upgrade"), ("audit", "verify")):
        result = run(*command, "--db", str(store))
        assert_one_line_error(result, "9999_from_the_future")
        assert digest(store) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["console.db"]
