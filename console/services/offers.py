"""Offers for the open customer, only when the suppressor allows them; every offer shown is an impression."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta, tzinfo

from sqlalchemy.orm import Session

from console.clock import Clock
from console.ids import new_id
from console.suppressor import (
    DEFAULT_COMPLAINT_COOLDOWN,
    OfferDecision,
    decide_offers,
    suppressor_cases_among,
)
from console.suppressor import OffersPausedError as OffersPausedError
from console.suppressor import OfferView as OfferView
from console.sync import outbox
from domain import mutation_kinds
from domain.records import ImpressionViolation, UserRecord
from storage import pane_sql, writes
from storage.prepared import plain
from storage.queries import offers as queries
from storage.store import Store


def decide_in(
    session: Session,
    customer_id: uuid.UUID,
    now: datetime,
    complaint_cooldown: timedelta,
    zone: tzinfo,
    *,
    lock: bool = False,
) -> OfferDecision:
    """The suppressor's decision at `now`, from what the caller's transaction reads."""
    facts = queries.facts(session, customer_id, lock=lock)
    if facts is None:
        raise LookupError("no such customer")
    cases = suppressor_cases_among(pane_sql.cases(plain(session), customer_id), now - complaint_cooldown)
    return decide_offers(facts, cases, now, complaint_cooldown, zone=zone)


def view_in(
    session: Session, customer_id: uuid.UUID, now: datetime, complaint_cooldown: timedelta, zone: tzinfo
) -> OfferView:
    """The decision at `now`, and the active offers only when it allows them; nothing is recorded."""
    decision = decide_in(session, customer_id, now, complaint_cooldown, zone)
    offers = pane_sql.active_offers(plain(session)) if decision.allowed else []
    return OfferView(customer_id, decision, tuple(offers))


class OfferService:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        user: UserRecord,
        complaint_cooldown: timedelta = DEFAULT_COMPLAINT_COOLDOWN,
        zone: tzinfo | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self.user = user
        self.complaint_cooldown = complaint_cooldown
        self._zone = zone

    def _decide(self, session: Session, customer_id: uuid.UUID, *, lock: bool = False) -> OfferDecision:
        return decide_in(
            session, customer_id, self._clock.now(), self.complaint_cooldown, self._zone or UTC, lock=lock
        )

    def decision(self, customer_id: uuid.UUID) -> OfferDecision:
        with self._store.read() as session:
            return self._decide(session, customer_id)

    def for_customer(self, customer_id: uuid.UUID) -> OfferView:
        """The decision now, and the active offers only when it allows them."""
        with self._store.read() as session:
            return view_in(
                session, customer_id, self._clock.now(), self.complaint_cooldown, self._zone or UTC
            )

    def record_impressions(self, customer_id: uuid.UUID, offer_ids: Sequence[uuid.UUID]) -> int:
        """Log that these offers were shown to the user for the customer, now; return how many.

        The suppressor is asked again inside the same write transaction (holding the customer row),
        so an impression is never recorded for a customer who may not be offered anything at that
        moment: then OffersPausedError is raised and nothing is written.
        """
        wanted = list(dict.fromkeys(offer_ids))
        with self._store.durable_write() as session:
            decision = self._decide(session, customer_id, lock=True)
            if not decision.allowed:
                raise OffersPausedError(decision)
            active = queries.active_offer_ids(session, wanted)
            shown = [offer_id for offer_id in wanted if offer_id in active]
            if shown:
                now = self._clock.now()
                ids = [new_id() for _ in shown]
                writes.write(
                    session,
                    lambda s: queries.add_impressions(s, customer_id, shown, self.user.id, now, ids),
                    actor=self.user.username,
                    at=now,
                    queue=outbox.queue,
                )
                for impression_id, offer_id in zip(ids, shown, strict=True):
                    # The server asks the suppressor again: an impression it forbids is rejected.
                    writes.write(
                        session,
                        actor=self.user.username,
                        at=now,
                        queue=outbox.queue,
                        mutation=writes.Mutation(
                            mutation_kinds.OFFER_IMPRESSION,
                            outbox.offer_impression(
                                impression_id=impression_id,
                                customer_id=customer_id,
                                offer_id=offer_id,
                                shown_at=now,
                            ),
                            impression_id,
                        ),
                    )
        return len(shown)

    def present(self, customer_id: uuid.UUID, already_shown: Collection[uuid.UUID] = ()) -> OfferView:
        """What the panel may show now, with every offer not yet shown in this opening recorded first.

        If the rule changes between reading and recording, nothing is recorded and the panel gets
        the paused decision instead: an offer is only ever on screen after its impression is saved.
        """
        view = self.for_customer(customer_id)
        if not view.decision.allowed:
            return view
        fresh = [offer.id for offer in view.offers if offer.id not in already_shown]
        try:
            self.record_impressions(customer_id, fresh)
        except OffersPausedError as paused:
            return OfferView(customer_id, paused.decision, ())
        return view

    def impressions(self, customer_id: uuid.UUID | None = None) -> int:
        with self._store.read() as session:
            return queries.impression_count(session, customer_id)

    def suppressor_report(self) -> list[ImpressionViolation]:
        return suppressor_report(self._store)


def suppressor_report(store: Store) -> list[ImpressionViolation]:
    """Every impression that coincides with a case open for the same customer: should be empty."""
    with store.read() as session:
        return queries.violations(session)


def report_lines(violations: Sequence[ImpressionViolation]) -> list[str]:
    """The suppressor report as text, for `advisor-console report suppressor` (one line per breach)."""
    if not violations:
        return ["No offer impression coincides with an open case."]
    lines = [f"{len(violations)} offer impression(s) shown while a case was open:"]
    lines.extend(
        f"{v.shown_at:%Y-%m-%d %H:%M} UTC  account {v.account_number}  offer {v.offer_code}  "
        f"case {v.case_reference} (opened {v.case_opened_at:%Y-%m-%d %H:%M})  "
        f"shown by {v.advisor_name or 'unknown'}"
        for v in violations
    )
    return lines
