"""The administration commands as a script runs them: `server init` twice, `user add` with the
password on stdin (then a real password login), `user set-limit`, `user set-password`, `user
disable`, and `audit verify` naming the first edited, deleted or reordered entry on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from console.ids import new_id
from storage import audit
from storage.location import StoreLocation
from storage.server import scram
from storage.store import Store
from tests.helpers import passwords

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "console", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env=dict(os.environ),
        timeout=180,
        check=False,
    )


def one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def url_of(location: StoreLocation) -> str:
    return location.url.render_as_string(hide_password=False)


@contextmanager
def password_logins(admin_url: str, database: str) -> Iterator[None]:
    """Console roles must give their password (SCRAM) on this database; the suite's server trusts
    local logins otherwise. The hba line is removed afterwards."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        hba = Path(str(connection.execute(text("SHOW hba_file")).scalar()))
    original = hba.read_text()
    hba.write_text(f"local {database} +advisor,+supervisor scram-sha-256\n{original}")
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_reload_conf()"))
        yield
    finally:
        hba.write_text(original)
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_reload_conf()"))
        admin.dispose()


def login(location: StoreLocation, name: str, password: str) -> str:
    """'ok', or the server's first line of refusal."""
    engine = create_engine(location.url.set(username=name, password=password))
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return "ok"
    except OperationalError as exc:
        return str(exc.orig).strip().splitlines()[-1]
    finally:
        engine.dispose()


def until_wrong_password_fails(location: StoreLocation, name: str) -> str:
    """The reload is asynchronous: wait (bounded) until the server asks for the password."""
    deadline = time.monotonic() + 10
    answer = login(location, name, "not-the-password")
    while answer == "ok" and time.monotonic() < deadline:
        answer = login(location, name, "not-the-password")
    return answer


def drop_role(location: StoreLocation, name: str) -> None:
    engine = create_engine(location.url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
    engine.dispose()


def test_server_init_user_add_from_stdin_set_limit_disable(pg_location: StoreLocation) -> None:
    url = url_of(pg_location)
    first = run("server", "init", "--db", url)
    assert first.returncode == 0, first.stderr
    assert "central server ready" in first.stdout
    again = run("server", "init", "--db", url)
    assert again.returncode == 0, again.stderr

    name = f"cli_{uuid.uuid4().hex[:8]}"
    password = passwords.register(f"Correct horse {uuid.uuid4().hex}", "not-the-password")
    try:
        added = run(
            "user",
            "add",
            name,
            "--role",
            "advisor",
            "--limit",
            "50",
            "--display-name",
            "Alex Doe",
            "--db",
            url,
            stdin=password + "\n",
        )
        assert added.returncode == 0, added.stderr
        assert "advisor, goodwill limit £50.00" in added.stdout
        assert password not in added.stdout + added.stderr
        admin = create_engine(pg_location.url)
        with admin.connect() as connection:
            stored = connection.execute(
                text("SELECT rolpassword FROM pg_authid WHERE rolname = :n"), {"n": name}
            ).scalar()
            member = connection.execute(
                text("SELECT pg_has_role(:n, 'advisor', 'MEMBER')"), {"n": name}
            ).scalar()
        admin.dispose()
        assert str(stored).startswith("SCRAM-SHA-256$") and scram.matches(password, str(stored))
        assert member

        assert pg_location.url.database is not None
        with password_logins(url_of(pg_location), pg_location.url.database):
            assert "password authentication failed" in until_wrong_password_fails(pg_location, name)
            assert login(pg_location, name, password) == "ok"
            limit = run("user", "set-limit", name, "£75.50", "--db", url)
            assert limit.returncode == 0 and "£75.50" in limit.stdout, limit.stderr
            short = run("user", "set-password", name, "--db", url, stdin="short\n")
            one_line_error(short, "at least 8 characters", "nothing was changed")
            renewed = passwords.register(f"Battery staple {uuid.uuid4().hex}")
            changed = run("user", "set-password", name, "--db", url, stdin=renewed + "\n")
            assert changed.returncode == 0 and "new password for" in changed.stdout, changed.stderr
            assert renewed not in changed.stdout + changed.stderr
            assert "password authentication failed" in login(pg_location, name, password)
            assert login(pg_location, name, renewed) == "ok"
            password = renewed
            disabled = run("user", "disable", name, "--db", url)
            assert disabled.returncode == 0 and "disabled" in disabled.stdout, disabled.stderr
            assert "not permitted to log in" in login(pg_location, name, password)
        verified = run("audit", "verify", "--db", url)
        assert verified.returncode == 0 and "audit log intact (4 entries)" in verified.stdout, verified.stderr
        # Not in the console's files (logs, settings) nor in the server's log.
        secret = password.encode()
        for variable in ("XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
            folder = Path(os.environ[variable])
            assert not folder.exists() or files_containing(folder, secret) == []
        admin = create_engine(pg_location.url)
        with admin.connect() as connection:
            data = Path(str(connection.execute(text("SHOW data_directory")).scalar()))
            logs = data / str(connection.execute(text("SHOW log_directory")).scalar())
        admin.dispose()
        assert files_containing(logs if logs.is_dir() else data, secret) == []
    finally:
        drop_role(pg_location, name)


def test_admin_errors_are_one_line(pg_location: StoreLocation, tmp_path: Path) -> None:
    url = url_of(pg_location)
    one_line_error(run("user", "disable", "alex", "--db", url), "not a console server yet", "server init")
    one_line_error(run("server", "init"), "--db postgresql://")
    one_line_error(run("server", "init", "--db", str(tmp_path / "x.db")), "PostgreSQL")
    assert run("server", "init", "--db", url).returncode == 0
    one_line_error(
        run("user", "add", "Bad Name", "--role", "advisor", "--limit", "5", "--db", url), "login name"
    )
    one_line_error(
        run("user", "add", "advisor", "--role", "advisor", "--limit", "5", "--db", url), "reserved"
    )
    one_line_error(
        run("user", "add", "kim", "--role", "advisor", "--limit", "5", "--db", url, stdin="short\n"),
        "at least 8",
    )
    one_line_error(
        run("user", "add", "kim", "--role", "advisor", "--limit", "12.345", "--db", url), "two digits"
    )
    one_line_error(run("user", "set-limit", "kim", "20000", "--db", url), "more than £10,000.00")
    one_line_error(run("user", "set-limit", "nobody", "20", "--db", url), "no console user named 'nobody'")


def fill_chain(store: Store) -> None:
    with store.write() as session:
        for number in range(4):
            audit.append(
                session,
                at=NOW + timedelta(minutes=number),
                actor="sam",
                action="goodwill.approve",
                entity="goodwill",
                entity_id=new_id(),
                detail={"amount_pence": 7_500 + number, "note": "Días ✓"},
            )


def allow_edits(store: Store) -> None:
    with store.write() as session:
        if store.location.is_sqlite:
            session.execute(text("DROP TRIGGER audit_log_no_update"))
            session.execute(text("DROP TRIGGER audit_log_no_delete"))
        else:
            session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))


@pytest.mark.parametrize("tamper", ["edit", "delete", "reorder"])
def test_audit_verify_names_the_first_broken_entry(any_store: Store, tamper: str) -> None:
    fill_chain(any_store)
    url = str(any_store.location.sqlite_path) if any_store.location.is_sqlite else url_of(any_store.location)
    clean = run("audit", "verify", "--db", url)
    assert clean.returncode == 0 and "intact (4 entries)" in clean.stdout, clean.stderr
    allow_edits(any_store)
    with any_store.write() as session:
        seqs = list(session.execute(text("SELECT seq FROM audit_log ORDER BY seq")).scalars())
        second, third = seqs[1], seqs[2]
        if tamper == "edit":
            session.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = :s"), {"s": second})
            named = f"seq {second}: content does not match"
        elif tamper == "delete":
            session.execute(text("DELETE FROM audit_log WHERE seq = :s"), {"s": second})
            named = f"seq {third}: does not follow"
        else:  # swap two entries' places in the order
            session.execute(text("UPDATE audit_log SET seq = -1 WHERE seq = :s"), {"s": second})
            session.execute(text("UPDATE audit_log SET seq = :a WHERE seq = :b"), {"a": second, "b": third})
            session.execute(text("UPDATE audit_log SET seq = :b WHERE seq = -1"), {"b": third})
            named = f"seq {second}: does not follow"
    broken = run("audit", "verify", "--db", url)
    assert broken.returncode == 3
    one_line_error(broken, "audit log broken at", named)


def test_audit_verify_of_a_missing_store_is_one_line(tmp_path: Path) -> None:
    one_line_error(run("audit", "verify", "--db", str(tmp_path / "none.db")), "no store at")
    assert not (tmp_path / "none.db").exists()


def files_containing(folder: Path, secret: bytes) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file() and secret in path.read_bytes()]
