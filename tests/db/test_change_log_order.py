"""Pull never skips a change: change_log numbers are taken at commit under a row lock, so a client
polling `seq > cursor` cannot pass a change that commits later with a smaller number. The same
checks against a plain serial column show the skip they exist to prevent."""

from __future__ import annotations

import threading
from typing import Any, Protocol

import pytest
from sqlalchemy import Connection, Engine, text

from console.ids import new_id
from domain.vocabulary import Role
from tests.helpers.central import Central, apply

pytestmark = pytest.mark.postgres


class ChangeLog(Protocol):
    reader: Engine

    def writer(self) -> Engine: ...
    def write(self, connection: Connection, note: str) -> None: ...
    def pull(self, connection: Connection, after: int) -> tuple[list[tuple[int, str]], int]: ...


class CommitOrdered:
    """The real thing: api.apply_mutation writes, api.pull_changes reads."""

    def __init__(self, central: Central) -> None:
        self.central = central
        self.customer = central.customer()
        self.reader = central.login(central.add_user(Role.ADVISOR, 0))

    def writer(self) -> Engine:
        return self.central.login(self.central.add_user(Role.ADVISOR, 0))

    def write(self, connection: Connection, note: str) -> None:
        payload = {
            "id": str(new_id()),
            "customer_id": str(self.customer),
            "channel": "phone",
            "direction": "inbound",
            "summary": note,
        }
        assert apply(connection, "contact.add", payload)["state"] == "accepted"

    def pull(self, connection: Connection, after: int) -> tuple[list[tuple[int, str]], int]:
        page: dict[str, Any] = connection.execute(
            text("SELECT api.pull_changes(:after, 7)"), {"after": after}
        ).scalar_one()
        return [(change["seq"], note_of(change)) for change in page["changes"]], page["next_after"]


def note_of(change: dict[str, Any]) -> str:
    """The note a writer wrote, or for the users the test adds (published too) "user:<name>"."""
    data = change["data"]
    return str(data["summary"]) if change["entity"] == "contact_event" else f"user:{data['username']}"


class PlainSerial:
    """What the change log must not be: a serial number taken when the row is inserted."""

    def __init__(self, central: Central) -> None:
        self.central = central
        with central.admin.begin() as connection:
            connection.execute(text("CREATE TABLE plain_log (seq bigserial PRIMARY KEY, note text NOT NULL)"))
        self.reader = central.admin

    def writer(self) -> Engine:
        return self.central.admin

    def write(self, connection: Connection, note: str) -> None:
        connection.execute(text("INSERT INTO plain_log (note) VALUES (:note)"), {"note": note})

    def pull(self, connection: Connection, after: int) -> tuple[list[tuple[int, str]], int]:
        rows = connection.execute(
            text("SELECT seq, note FROM plain_log WHERE seq > :after ORDER BY seq LIMIT 7"), {"after": after}
        ).all()
        return [(row[0], row[1]) for row in rows], (rows[-1][0] if rows else after)


def pull_everything(log: ChangeLog, cursor: int, seen: list[tuple[int, str]]) -> int:
    with log.reader.connect() as connection:
        while True:
            page, cursor = log.pull(connection, cursor)
            connection.rollback()
            if not page:
                return cursor
            seen.extend(page)


def missed_when_a_slow_writer_commits_last(log: ChangeLog) -> set[str]:
    """A writer starts first but commits after a quicker one, while a client pulls in between."""
    slow_engine, quick_engine = log.writer(), log.writer()
    seen: list[tuple[int, str]] = []
    with slow_engine.connect() as slow:
        slow.begin()
        log.write(slow, "slow")
        with quick_engine.begin() as quick:
            log.write(quick, "quick")
        cursor = pull_everything(log, 0, seen)
        slow.commit()
    pull_everything(log, cursor, seen)
    return {"slow", "quick"} - {note for _, note in seen}


def test_a_change_committed_late_is_still_pulled(central: Central) -> None:
    assert missed_when_a_slow_writer_commits_last(CommitOrdered(central)) == set()


def test_the_same_check_catches_a_plain_serial_cursor(central: Central) -> None:
    assert missed_when_a_slow_writer_commits_last(PlainSerial(central)) == {"slow"}


def pull_while_writing(log: ChangeLog, writers: int, each: int) -> tuple[set[str], list[tuple[int, str]]]:
    """Writers commit only after the client has pulled again, so pulls always fall between a
    writer's insert and its commit; returns what was written and what the client pulled."""
    pulls = threading.Condition()
    pull_count = [0]
    done = threading.Event()
    written: set[str] = set()
    seen: list[tuple[int, str]] = []
    errors: list[BaseException] = []
    engines = [log.writer() for _ in range(writers)]

    def write(number: int, engine: Engine) -> None:
        try:
            for item in range(each):
                note = f"{number}-{item}"
                with engine.begin() as connection:
                    log.write(connection, note)
                    with pulls:
                        before = pull_count[0]
                        pulls.wait_for(lambda before=before: pull_count[0] > before, timeout=10)
                written.add(note)
        except BaseException as exc:
            errors.append(exc)

    def pull() -> None:
        cursor = 0
        try:
            with log.reader.connect() as connection:
                while not done.is_set():
                    page, cursor = log.pull(connection, cursor)
                    connection.rollback()
                    seen.extend(page)
                    with pulls:
                        pull_count[0] += 1
                        pulls.notify_all()
        except BaseException as exc:
            errors.append(exc)

    reader = threading.Thread(target=pull)
    threads = [threading.Thread(target=write, args=(n, engine)) for n, engine in enumerate(engines)]
    reader.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    done.set()
    reader.join(timeout=30)
    assert not errors, errors
    return written, seen


def test_concurrent_writers_while_a_client_pulls_lose_nothing(central: Central) -> None:
    log = CommitOrdered(central)
    written, seen = pull_while_writing(log, writers=4, each=20)
    cursor = pull_everything(log, max((seq for seq, _ in seen), default=0), seen)
    assert len(written) == 80
    seqs = [seq for seq, _ in seen]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)  # in order, none twice
    notes = {note for _, note in seen if not note.startswith("user:")}
    assert notes == written  # and none skipped while the writers ran
    assert seqs == list(range(1, cursor + 1))  # no gaps: commit order numbering


def test_concurrent_writers_against_a_plain_serial_cursor_skip_changes(central: Central) -> None:
    log = PlainSerial(central)
    written, seen = pull_while_writing(log, writers=4, each=20)
    assert len(written) == 80
    assert {note for _, note in seen} < written  # the polling cursor passed changes not yet committed
