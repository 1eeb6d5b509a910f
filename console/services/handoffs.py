"""Handing work to another team, and that team acknowledging and completing it."""

from __future__ import annotations

import uuid
from datetime import datetime

from console.clock import Clock
from console.handoff_rules import HandoffRuleError, acknowledge_by, check_mover, check_new_handoff
from console.ids import new_id
from console.services.events import console_event
from console.sync import outbox
from console.working_time import WorkingHours
from domain.records import HandoffRecord, UserRecord
from domain.vocabulary import HandoffKind, HandoffStatus, Team
from storage.models import Handoff
from storage.queries import handoffs as queries
from storage.store import Store

TEAM_WORDS = {team: team.value.replace("_", " ") for team in Team}


class HandoffService:
    def __init__(
        self, store: Store, clock: Clock, user: UserRecord, hours: WorkingHours | None = None
    ) -> None:
        self._store = store
        self._clock = clock
        self.user = user
        self._hours = hours or WorkingHours()

    def hand_off(
        self,
        customer_id: uuid.UUID,
        kind: HandoffKind,
        to_team: Team,
        summary: str,
        *,
        case_id: uuid.UUID | None = None,
        done_by: datetime | None = None,
    ) -> HandoffRecord:
        check_new_handoff(self.user.team, to_team, summary)
        now = self._clock.now()
        if done_by is not None and done_by <= now:
            raise HandoffRuleError("the done-by date must be in the future")
        handoff_id = new_id()
        with self._store.durable_write() as session:
            handoff = Handoff(
                id=handoff_id,
                customer_id=customer_id,
                case_id=case_id,
                kind=kind,
                summary=summary.strip(),
                from_team=self.user.team,
                to_team=to_team,
                created_by=self.user.id,
                created_at=now,
                acknowledge_by=acknowledge_by(now, to_team, self._hours),
                done_by=done_by,
                status=HandoffStatus.AWAITING_ACK,
                version=1,
            )
            session.add(handoff)
            event = console_event(
                self.user.id, customer_id, case_id, now, f"Handed to {TEAM_WORDS[to_team]}", summary
            )
            session.add(event)
            session.flush()
            outbox.queue(
                session,
                kind=outbox.HANDOFF_CREATE,
                payload=outbox.handoff_create(handoff, event.id),
                actor=self.user.username,
                entity_id=handoff_id,
                occurred_at=now,
            )
            made = queries.get(session, handoff_id)
        assert made is not None
        return made

    def acknowledge(self, handoff: HandoffRecord) -> HandoffRecord:
        now = self._clock.now()
        return self._advance(
            outbox.HANDOFF_ACKNOWLEDGE,
            handoff,
            HandoffStatus.AWAITING_ACK,
            {"status": HandoffStatus.ACKNOWLEDGED, "acknowledged_by": self.user.id, "acknowledged_at": now},
            f"Acknowledged by {TEAM_WORDS[handoff.to_team]}",
        )

    def complete(self, handoff: HandoffRecord) -> HandoffRecord:
        now = self._clock.now()
        return self._advance(
            outbox.HANDOFF_COMPLETE,
            handoff,
            HandoffStatus.ACKNOWLEDGED,
            {"status": HandoffStatus.DONE, "done_at": now},
            f"Completed by {TEAM_WORDS[handoff.to_team]}",
        )

    def _advance(
        self,
        kind: str,
        handoff: HandoffRecord,
        expected: HandoffStatus,
        values: dict[str, object],
        subject: str,
    ) -> HandoffRecord:
        check_mover(self.user.team, self.user.role, handoff)
        now = self._clock.now()
        with self._store.durable_write() as session:
            if not queries.advance(
                session, handoff.id, version=handoff.version, expected=expected, values=values
            ):
                current = queries.get(session, handoff.id)
                state = current.status.value.replace("_", " ") if current else "gone"
                raise HandoffRuleError(f"this handoff has moved on meanwhile (now {state}): look at it again")
            event = console_event(
                self.user.id, handoff.customer_id, handoff.case_id, now, subject, handoff.summary
            )
            session.add(event)
            session.flush()
            outbox.queue(
                session,
                kind=kind,
                payload=outbox.handoff_step(
                    handoff_id=handoff.id, version=handoff.version, event_id=event.id
                ),
                actor=self.user.username,
                entity_id=handoff.id,
                occurred_at=now,
            )
            moved = queries.get(session, handoff.id)
        assert moved is not None
        return moved

    def for_customer(self, customer_id: uuid.UUID) -> list[HandoffRecord]:
        with self._store.read() as session:
            return queries.for_customer(session, customer_id)

    def dropped(self) -> list[HandoffRecord]:
        """Unacknowledged past their deadline, across the team."""
        with self._store.read() as session:
            return queries.unacknowledged_past(session, self._clock.now())
