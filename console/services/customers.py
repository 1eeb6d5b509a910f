"""Finding a customer and reading their pane: search, header, history pages and cases."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from console.pages import HISTORY_PAGE as HISTORY_PAGE
from console.pages import SEARCH_LIMIT as SEARCH_LIMIT
from console.search import Probe, ProbeKind, plan_search
from console.services.errors import CustomerNotFoundError as CustomerNotFoundError
from domain.records import CaseSummary, CustomerMatch, CustomerProfile, TimelineEntry, TimelineKey
from domain.vocabulary import Channel
from storage.queries import customers as queries
from storage.store import Store


class CustomerService:
    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def store(self) -> Store:
        return self._store

    def search(self, text: str, limit: int = SEARCH_LIMIT) -> list[CustomerMatch]:
        """Matches for whatever the advisor typed; an empty list is a calm "no match"."""
        probes = plan_search(text)
        if not probes:
            return []
        found: dict[uuid.UUID, CustomerMatch] = {}
        with self._store.read() as session:
            for probe in probes:
                for match in self._run(session, probe, limit):
                    found.setdefault(match.id, match)
                if len(found) >= limit:
                    break
        return list(found.values())[:limit]

    @staticmethod
    def _run(session: Session, probe: Probe, limit: int) -> list[CustomerMatch]:
        key = probe.keys[0]
        if probe.kind is ProbeKind.ACCOUNT:
            return queries.by_account_prefix(session, key, limit)
        if probe.kind is ProbeKind.PHONE:
            return queries.by_phone_prefix(session, key, limit)
        if probe.kind is ProbeKind.POSTCODE:
            return queries.by_postcode_prefix(session, key, limit)
        if probe.kind is ProbeKind.EMAIL:
            return queries.by_email_prefix(session, key, limit)
        return queries.by_name(session, probe.keys, limit)

    def find_account(self, account_number: str) -> CustomerProfile:
        with self._store.read() as session:
            customer_id = queries.customer_id_for_account(session, account_number.strip())
            if customer_id is None:
                raise CustomerNotFoundError(f"no customer with account number {account_number.strip()}")
            found = queries.profile(session, customer_id)
        assert found is not None
        return found

    def profile(self, customer_id: uuid.UUID) -> CustomerProfile:
        with self._store.read() as session:
            found = queries.profile(session, customer_id)
        if found is None:
            raise CustomerNotFoundError(f"no customer with id {customer_id}")
        return found

    def history(
        self,
        customer_id: uuid.UUID,
        *,
        channels: frozenset[Channel] | None = None,
        after: TimelineKey | None = None,
        limit: int = HISTORY_PAGE,
    ) -> list[TimelineEntry]:
        with self._store.read() as session:
            return queries.history_page(session, customer_id, channels=channels, after=after, limit=limit)

    def cases(self, customer_id: uuid.UUID) -> list[CaseSummary]:
        with self._store.read() as session:
            return queries.cases_for(session, customer_id)
