"""Compensation under the automatic scheme: a case's service dates (read and recorded, with an audit
entry and a timeline event) and the amount the scheme owes on them, with the arithmetic in words."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from console.clock import Clock
from console.compensation import (
    FactsError,
    ServiceFacts,
    Suggestion,
    check_facts,
    covered,
    load_scheme,
    suggest,
)
from console.services.events import console_event
from console.sync import outbox
from console.working_time import WorkingHours
from domain import mutation_kinds
from domain.records import CaseServiceDates, UserRecord
from storage import writes
from storage.queries import service_dates as queries
from storage.store import Store


def facts_of(dates: CaseServiceDates) -> ServiceFacts:
    """The scheme's view of a case: the report time is when the case was opened unless recorded."""
    return ServiceFacts(
        kind=dates.kind,
        reported_at=dates.reported_at or dates.opened_at,
        restored_at=dates.restored_at,
        promised_start=dates.promised_start_on,
        started_on=dates.started_on,
        appointment_at=dates.appointment_at,
        appointment_missed=dates.appointment_missed,
        cancellation_notice_at=dates.cancellation_notice_at,
        customer_delay_days=dates.customer_delay_days,
        customer_delay_reason=dates.customer_caused_delay,
    )


def _iso(value: object) -> object:
    """A value as the audit log's JSON holds it: dates and times as ISO text."""
    return value.isoformat() if isinstance(value, date | datetime) else value


class CompensationService:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        user: UserRecord,
        scheme_path: Path | None = None,
        calendar: WorkingHours | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self.user = user
        self._scheme_path = scheme_path
        self._calendar = calendar or WorkingHours()

    def dates(self, case_id: uuid.UUID) -> CaseServiceDates:
        with self._store.read() as session:
            found = queries.get(session, case_id)
        if found is None:
            raise FactsError("that case no longer exists")
        return found

    def suggestion(self, case_id: uuid.UUID) -> Suggestion | None:
        """What the scheme owes on the case now; None if it does not apply. SchemeError if the scheme
        file is unusable (read each time, so new figures apply without a restart)."""
        dates = self.dates(case_id)
        if not covered(dates.kind):
            return None
        return suggest(facts_of(dates), load_scheme(self._scheme_path), self._clock.now(), self._calendar)

    def record(self, dates: CaseServiceDates, facts: ServiceFacts) -> CaseServiceDates:
        """Record the case's service dates as `facts` says; FactsError (nothing saved) if they cannot
        all be true or the case changed since `dates` was read."""
        now = self._clock.now()
        check_facts(facts, now)
        reason = (facts.customer_delay_reason or "").strip() or None
        values: dict[str, object] = {
            "reported_at": facts.reported_at,
            "restored_at": facts.restored_at,
            "promised_start_on": facts.promised_start,
            "started_on": facts.started_on,
            "appointment_at": facts.appointment_at,
            "appointment_missed": facts.appointment_missed,
            "cancellation_notice_at": facts.cancellation_notice_at,
            "customer_delay_days": facts.customer_delay_days,
            "customer_caused_delay": reason,
        }
        changed = {key: _iso(value) for key, value in values.items() if value != getattr(dates, key)}
        summary = "; ".join(f"{key.replace('_', ' ')}: {value}" for key, value in changed.items())
        event = console_event(
            self.user.id,
            dates.customer_id,
            dates.case_id,
            now,
            f"Service dates recorded on {dates.reference}",
            summary or "No change",
        )

        def save(session: Session) -> CaseServiceDates:
            moved = queries.record(
                session, dates.case_id, version=dates.version, values=values | {"updated_at": now}
            )
            if not moved:
                raise FactsError(f"{dates.reference} was changed by someone else meanwhile: look at it again")
            stored = queries.get(session, dates.case_id)
            assert stored is not None
            return stored

        def entry(stored: CaseServiceDates) -> writes.AuditAction:
            """The audit entry says what the scheme owes on the dates as stored."""
            owed = None
            if covered(stored.kind):
                try:
                    found = suggest(facts_of(stored), load_scheme(self._scheme_path), now, self._calendar)
                except ValueError:
                    found = None  # the dates are saved even when the figures file is broken
                owed = found.total_pence if found is not None else None
            return writes.AuditAction(
                "case.service_dates", "case", dates.case_id, {"changed": changed, "scheme_owes_pence": owed}
            )

        with self._store.durable_write() as session:
            return writes.write(
                session,
                save,
                actor=self.user.username,
                at=now,
                queue=outbox.queue,
                line=event,
                mutation=writes.Mutation(
                    mutation_kinds.CASE_SERVICE_DATES,
                    outbox.case_service_dates(
                        case_id=dates.case_id,
                        version=dates.version,
                        values=values,
                        summary=summary or "No change",
                        event_id=event.id,
                    ),
                    dates.case_id,
                ),
                audit=entry,
            )
