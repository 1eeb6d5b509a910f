"""Opening a customer: everything the pane shows, read in one read-only transaction (one snapshot)."""

from __future__ import annotations

import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol

from console.case_rules import cases_needing_update
from console.clock import Clock
from console.pages import HISTORY_PAGE
from console.services.errors import CustomerNotFoundError
from console.suppressor import DEFAULT_COMPLAINT_COOLDOWN, OfferView, decide_offers, suppressor_cases_among
from console.working_time import month_start
from domain.records import (
    CaseSummary,
    CustomerProfile,
    GoodwillRecord,
    HandoffRecord,
    PromiseRecord,
    SuppressorFacts,
    TimelineEntry,
    UserRecord,
)
from storage import pane_sql
from storage.plain import Reader

# Nothing here imports SQLAlchemy: the early start reads a pane with plain sqlite3 before it loads.


class Snapshots(Protocol):
    """Where the pane is read: a Store, or the early start's plain sqlite3 look at a local one."""

    def plain_snapshot(self) -> AbstractContextManager[Reader]: ...


@dataclass(frozen=True)
class GoodwillView:
    """What the goodwill panel and the approval queue show, for the signed-in user."""

    customer_id: uuid.UUID | None
    records: list[GoodwillRecord]
    limit_pence: int
    month_pence: int
    # None for an advisor: only supervisors see the queue.
    pending: list[GoodwillRecord] | None = field(default=None)
    # The user's own requests a supervisor decided since `decisions_since` (to tell them once).
    decisions: list[GoodwillRecord] = field(default_factory=list)


@dataclass(frozen=True)
class Pane:
    """Everything the pane shows for one customer, as one consistent state of the store.

    Without a signed-in user only the header, history and cases are read: the other lists are empty
    and `offers` and `goodwill` are None.
    """

    profile: CustomerProfile
    cases: list[CaseSummary]
    first_history_page: list[TimelineEntry]
    promises: list[PromiseRecord] = field(default_factory=list)
    handoffs: list[HandoffRecord] = field(default_factory=list)
    needing_update: list[CaseSummary] = field(default_factory=list)
    # Read, not recorded: the impressions are recorded once the pane is painted.
    offers: OfferView | None = None
    goodwill: GoodwillView | None = None


def goodwill_in(
    reader: Reader,
    user: UserRecord,
    now: datetime,
    customer_id: uuid.UUID | None,
    *,
    with_queue: bool = False,
    decisions_since: datetime | None = None,
) -> GoodwillView:
    """The goodwill panel's figures (and the approval queue with `with_queue`) in the caller's
    transaction; the limit is the users table's now, the month total since the 1st (UK time)."""
    since_month = month_start(now)
    limit = pane_sql.goodwill_limit(reader, user.id)
    decided = []
    if decisions_since is not None:
        decided = pane_sql.goodwill_decided_since(reader, user.id, decisions_since)
    return GoodwillView(
        customer_id,
        pane_sql.goodwill_for_customer(reader, customer_id) if customer_id is not None else [],
        user.goodwill_limit_pence if limit is None else limit,
        pane_sql.month_totals(reader, [user.id], since_month).get(user.id, 0),
        pane_sql.goodwill_pending(reader, since_month) if with_queue else None,
        decided,
    )


def offers_in(
    reader: Reader,
    profile: CustomerProfile,
    cases: list[CaseSummary],
    now: datetime,
    complaint_cooldown: timedelta,
    zone: tzinfo,
) -> OfferView:
    """The suppressor's decision from the customer's flags and cases already read, and the active offers
    only when it allows them; nothing is recorded."""
    facts = SuppressorFacts(profile.id, profile.vulnerable, profile.marketing_consent)
    weighed = suppressor_cases_among(cases, now - complaint_cooldown)
    decision = decide_offers(facts, weighed, now, complaint_cooldown, zone=zone)
    return OfferView(profile.id, decision, tuple(pane_sql.active_offers(reader)) if decision.allowed else ())


class PaneService:
    """Reads a customer's pane in one trip; `user` None (no one signed in) reads only what needs no user."""

    def __init__(
        self,
        store: Snapshots,
        clock: Clock,
        user: UserRecord | None = None,
        *,
        complaint_cooldown: timedelta = DEFAULT_COMPLAINT_COOLDOWN,
        zone: tzinfo | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self.user = user
        self.complaint_cooldown = complaint_cooldown
        self._zone = zone or UTC

    def open(
        self,
        customer_id: uuid.UUID,
        *,
        with_queue: bool = False,
        decisions_since: datetime | None = None,
    ) -> Pane:
        """The whole pane at one moment; CustomerNotFoundError if no such customer.

        `with_queue`: also the supervisor's approval queue; `decisions_since`: also the user's own
        requests decided since then. Both only with a signed-in user.
        """
        now = self._clock.now()
        with self._store.plain_snapshot() as reader:
            profile = pane_sql.profile(reader, customer_id)
            if profile is None:
                raise CustomerNotFoundError(f"no customer with id {customer_id}")
            cases = pane_sql.cases(reader, customer_id)
            history = pane_sql.history_page(reader, customer_id, limit=HISTORY_PAGE)
            if self.user is None:
                return Pane(profile, cases, history)
            promises = pane_sql.promises(reader, customer_id)
            return Pane(
                profile,
                cases,
                history,
                promises,
                pane_sql.handoffs(reader, customer_id),
                cases_needing_update(cases, promises, now),
                offers_in(reader, profile, cases, now, self.complaint_cooldown, self._zone),
                goodwill_in(
                    reader,
                    self.user,
                    now,
                    customer_id,
                    with_queue=with_queue,
                    decisions_since=decisions_since,
                ),
            )

    def goodwill(
        self,
        customer_id: uuid.UUID | None,
        *,
        with_queue: bool = False,
        decisions_since: datetime | None = None,
    ) -> GoodwillView | None:
        """Goodwill alone (the panel's periodic refresh), also in one transaction; None without a user."""
        if self.user is None:
            return None
        with self._store.plain_snapshot() as reader:
            return goodwill_in(
                reader,
                self.user,
                self._clock.now(),
                customer_id,
                with_queue=with_queue,
                decisions_since=decisions_since,
            )
