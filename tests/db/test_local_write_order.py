"""Local writes on one SQLite store wait their turn: a pull's page written while the window saves
never fails with "database is locked", and a read-only snapshot never takes the write lock."""

from __future__ import annotations

import asyncio
import threading
import uuid
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import event, func, select

from console.sync import pull
from console.sync.push import run_local
from storage.models import ContactEvent, Customer
from storage.store import Store
from tests.helpers import factories

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
WAIT = 10  # seconds: only ever reached when the interleaving goes wrong
WRITES = ("BEGIN IMMEDIATE", "INSERT", "UPDATE", "DELETE")


def pulled_contact(customer_id: uuid.UUID) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "customer_id": str(customer_id),
        "case_id": None,
        "channel": "phone",
        "direction": "inbound",
        "advisor_id": None,
        "occurred_at": "2026-11-25T09:55:00+00:00",
        "recorded_at": "2026-11-25T09:56:00+00:00",
        "subject": None,
        "summary": "Called about a bill (made on another workstation)",
    }


def test_a_pull_page_written_during_a_save_waits_for_it(sqlite_store: Store) -> None:
    """The window's save (its own thread and connection) holds the write lock; the pull's page
    begins meanwhile, reads (is the customer held?), and asks to write just as the save commits.
    A transaction begun as a reader cannot wait for the lock (SQLite answers "database is locked"
    at once, whatever the busy timeout): the page's unit must ask for the lock first, and wait."""
    held = factories.customer()
    with sqlite_store.write() as session:
        session.add(held)
    page = {"changes": [{"entity": "contact_event", "data": pulled_contact(held.id)}], "next_after": 7}

    save_holds_lock = threading.Event()
    pull_asks_to_write = threading.Event()
    saver: list[threading.Thread] = []
    failures: list[BaseException] = []

    def on_save_side() -> bool:
        return bool(saver) and threading.current_thread() is saver[0]

    def before(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if not on_save_side() and save_holds_lock.is_set() and statement.lstrip().upper().startswith(WRITES):
            pull_asks_to_write.set()

    def after(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        wrote = statement.lstrip().upper().startswith("INSERT")
        if on_save_side() and wrote and not save_holds_lock.is_set():
            save_holds_lock.set()  # the save's row is written, not committed: the lock is held
            pull_asks_to_write.wait(WAIT)

    def save() -> None:
        try:
            with sqlite_store.durable_write() as session:
                session.add(factories.event(held, at=NOW, summary="Noted by hand in the window"))
        except BaseException as exc:  # reported by the test's thread
            failures.append(exc)
            save_holds_lock.set()

    engine = sqlite_store.engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        saver.append(threading.Thread(target=save))
        saver[0].start()
        assert save_holds_lock.wait(WAIT)
        report = asyncio.run(run_local(sqlite_store, partial(pull.apply_page, page=page, now=NOW)))
        saver[0].join(WAIT)
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    assert not failures, failures
    assert pull_asks_to_write.is_set()
    assert report.applied == 1
    with sqlite_store.read() as session:
        assert session.scalar(select(func.count()).select_from(ContactEvent)) == 2


def test_a_snapshot_stays_a_reader(sqlite_store: Store) -> None:
    """A read-only snapshot open on one connection lets a write commit on another at once (it holds
    no write lock), and keeps seeing the state it began with."""
    with sqlite_store.write() as session:
        session.add(factories.customer())
    with sqlite_store.snapshot() as reading:
        assert reading.scalar(select(func.count()).select_from(Customer)) == 1
        with sqlite_store.write() as session:
            session.add(factories.customer(account="40000002"))
        assert reading.scalar(select(func.count()).select_from(Customer)) == 1
    with sqlite_store.read() as session:
        assert session.scalar(select(func.count()).select_from(Customer)) == 2
