"""A store that cannot be used is refused with one line naming the problem, and left untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from storage.errors import StoreError
from storage.location import parse_location
from storage.store import open_store


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="folder does not exist"):
        open_store(parse_location(str(tmp_path / "nowhere" / "x.db")))
    assert not (tmp_path / "nowhere").exists()


def test_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("Dear customer, this is a letter, not a database.\n" * 100)
    before = digest(path)
    with pytest.raises(StoreError, match="not a SQLite database"):
        open_store(parse_location(str(path)))
    assert digest(path) == before


def test_corrupt_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    open_store(parse_location(str(path))).close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the first page's b-tree header and cells
    path.write_bytes(bytes(data))
    before = digest(path)
    with pytest.raises(StoreError, match="damaged"):
        open_store(parse_location(str(path)))
    assert digest(path) == before


def test_other_programs_sqlite_database(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
    connection.close()
    before = digest(path)
    with pytest.raises(StoreError, match="not an Advisor Console store"):
        open_store(parse_location(str(path)))
    assert digest(path) == before


def test_folder_given_as_file(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        open_store(parse_location(str(tmp_path)))


def test_unreachable_postgres_names_the_server_and_hides_the_password() -> None:
    url = "postgresql://advisor:s3cret-pw@127.0.0.1:1/central"
    with pytest.raises(StoreError) as caught:
        open_store(parse_location(url))
    message = str(caught.value)
    assert "cannot reach PostgreSQL" in message and "127.0.0.1" in message
    assert "s3cret-pw" not in message
    assert "\n" not in message


@pytest.mark.parametrize("text", ["", "mysql://x@y/z", "sqlite://"])
def test_unusable_urls(text: str) -> None:
    with pytest.raises(StoreError):
        parse_location(text)


def test_reopening_a_good_store_keeps_its_data(tmp_path: Path) -> None:
    from tests.helpers import factories

    path = tmp_path / "store.db"
    store = open_store(parse_location(str(path)))
    with store.write() as session:
        session.add(factories.customer())
    store.close()
    store = open_store(parse_location(f"sqlite:///{path}"))
    from storage.queries.customers import customer_count

    with store.read() as session:
        assert customer_count(session) == 1
    store.close()


def test_an_empty_file_is_refused_not_made_a_new_store(tmp_path: Path) -> None:
    path = tmp_path / "console.db"
    path.write_bytes(b"")
    for upgrade in (True, False):
        with pytest.raises(StoreError, match=r"is empty \(0 bytes\), not a store") as caught:
            open_store(parse_location(str(path)), upgrade=upgrade)
        assert "\n" not in str(caught.value)
    assert path.read_bytes() == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["console.db"]  # no -wal, -shm or -journal


def test_a_damaged_page_is_named_in_one_line(tmp_path: Path) -> None:
    from tests.helpers import factories

    path = tmp_path / "store.db"
    store = open_store(parse_location(str(path)))
    with store.write() as session:
        session.add_all([factories.customer(account=f"4100{n:04d}") for n in range(400)])
    store.close()
    data = bytearray(path.read_bytes())
    page = 4096 * (len(data) // 4096 // 2)  # a page in the middle, past the first
    data[page : page + 4096] = b"\xff" * 4096
    path.write_bytes(bytes(data))
    before = digest(path)
    with pytest.raises(StoreError, match="is damaged") as caught:
        open_store(parse_location(str(path)))
    assert "\n" not in str(caught.value) and "***" not in str(caught.value)
    assert digest(path) == before
