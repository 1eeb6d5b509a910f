"""The window's customer finder on its own (SQLite only, a stand-in server): online it asks the
server; offline, or when the server fails, it searches the local copy and says so; a customer not
held is fetched before opening, and offline it is not."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from console.services.customer_finder import CustomerFinder
from console.services.customers import CustomerService
from domain.records import CustomerMatch
from storage.models import Customer
from storage.queries import holdings
from storage.replica import ApplyReport
from storage.store import Store
from tests.helpers import factories, sqlite_template
from tests.helpers.central import NOW

ELSEWHERE = CustomerMatch(uuid.uuid4(), "79000001", "Nia Okafor", "EH1 2AB", "Leith", None, None)


class StandInServer:
    def __init__(self, fails: bool = False) -> None:
        self.fails = fails
        self.fetched: list[uuid.UUID] = []

    def search(self, text: str, limit: int) -> list[CustomerMatch]:
        if self.fails:
            raise OSError("connection timed out")
        return [ELSEWHERE]

    def fetch_customer(self, store: Store, customer_id: uuid.UUID) -> ApplyReport:
        self.fetched.append(customer_id)
        if self.fails:
            raise OSError("connection timed out")
        with store.write() as session:
            if session.get(Customer, customer_id) is None:
                made = factories.customer(account="79000001")
                made.id = customer_id
                session.add(made)
        return ApplyReport(applied=1)


def local_store(folder: Path) -> tuple[Store, uuid.UUID]:
    store = sqlite_template.new_store(folder / "finder.db")
    made = factories.customer(account="40000001")
    with store.write() as session:
        session.add(made)
    return store, made.id


def test_online_the_server_answers_and_offline_the_local_copy_does(tmp_path: Path) -> None:
    store, held = local_store(tmp_path)
    online = [True]
    server = StandInServer()
    finder = CustomerFinder(CustomerService(store), server, lambda: online[0])
    try:
        found = finder.search("79000001")
        assert found.matches == [ELSEWHERE] and not found.local_copy
        assert finder.ensure_held(ELSEWHERE.id) and server.fetched == [ELSEWHERE.id]
        # A customer whose row is here but who is not held whole is fetched too (their row may be alone).
        assert finder.ensure_held(held) and server.fetched == [ELSEWHERE.id, held]
        with store.write() as session:  # once held whole (a holding), pulls keep them: no fetch
            holdings.hold(session, [held], 0, NOW)
        assert finder.ensure_held(held) and server.fetched == [ELSEWHERE.id, held]
        online[0] = False
        found = finder.search("40000001")
        assert [m.id for m in found.matches] == [held] and found.local_copy and not found.server_failed
        assert not finder.ensure_held(uuid.uuid4())  # offline: nothing fetched
        assert len(server.fetched) == 2
    finally:
        store.close()


def test_a_server_that_fails_falls_back_to_the_local_copy(tmp_path: Path) -> None:
    store, held = local_store(tmp_path)
    finder = CustomerFinder(CustomerService(store), StandInServer(fails=True), lambda: True)
    try:
        found = finder.search("40000001")
        assert [m.id for m in found.matches] == [held] and found.local_copy and found.server_failed
        assert finder.ensure_held(held)  # the fetch failed: the local copy opens
        with pytest.raises(OSError):
            finder.ensure_held(uuid.uuid4())
    finally:
        store.close()
