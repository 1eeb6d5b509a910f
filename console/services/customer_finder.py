"""Finding a customer on a workstation that may not hold them: online, the server's search and a
customer fetched and kept before their pane opens; offline, or when the server does not answer in
time, this workstation's own copy, and the answer says so."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from console.clock import Clock, SystemClock
from console.services.customers import SEARCH_LIMIT, CustomerService
from domain.records import CustomerMatch
from storage.queries import customers as queries
from storage.queries import holdings
from storage.replica import ApplyReport
from storage.store import Store

log = logging.getLogger(__name__)


class Server(Protocol):
    """What the finder asks of the server (console.sync.on_demand.ServerReads)."""

    def search(self, text: str, limit: int) -> list[CustomerMatch]: ...

    def fetch_customer(self, store: Store, customer_id: uuid.UUID) -> ApplyReport: ...


@dataclass(frozen=True)
class FoundCustomers:
    """One search's matches and where they came from."""

    matches: list[CustomerMatch]
    local_copy: bool = False  # searched this workstation's copy, not the server
    server_failed: bool = False  # online, but the server did not answer: the local copy instead


class CustomerFinder:
    """Search and open for the window: the server while `online()`, else the local store."""

    def __init__(
        self, local: CustomerService, server: Server, online: Callable[[], bool], clock: Clock | None = None
    ) -> None:
        self._local = local
        self._server = server
        self._online = online
        self._clock = clock or SystemClock()

    @property
    def online(self) -> bool:
        """Whether searches and opens ask the server now."""
        return self._online()

    def search(self, text: str, limit: int = SEARCH_LIMIT) -> FoundCustomers:
        if self._online():
            try:
                return FoundCustomers(self._server.search(text, limit))
            except Exception as exc:  # any fault of the link: the advisor still gets the local copy
                log.warning("server search failed, searching the local copy: %s", exc)
                return FoundCustomers(self._local.search(text, limit), local_copy=True, server_failed=True)
        return FoundCustomers(self._local.search(text, limit), local_copy=True)

    def held(self, customer_id: uuid.UUID) -> bool:
        with self._local.store.read() as session:
            return queries.profile(session, customer_id) is not None

    def _held_whole(self, customer_id: uuid.UUID) -> bool:
        """Held with all their records, kept current by the pulls (api.pull_held): opened without a fetch."""
        with self._local.store.read() as session:
            return holdings.is_held(session, customer_id)

    def ensure_held(self, customer_id: uuid.UUID) -> bool:
        """Make sure the store holds the customer whole before their pane opens; whether it holds them.

        A customer held whole opens from the store (their eviction clock starts again). Online, any
        other is fetched, held on the server and kept, even when their row is here: a pull may have
        brought the row alone (a detail changed) without their cases. A failed fetch of a customer
        whose row is here opens the local copy; of one not here, raises.
        """
        if self._held_whole(customer_id):
            with self._local.store.write() as session:
                holdings.touch(session, customer_id, self._clock.now())
            return True
        held = self.held(customer_id)
        if not self._online():
            return held
        try:
            self._server.fetch_customer(self._local.store, customer_id)
        except Exception as exc:
            if not held:
                raise
            log.warning("fetching customer %s failed, opening the local copy: %s", customer_id, exc)
        return self.held(customer_id)
