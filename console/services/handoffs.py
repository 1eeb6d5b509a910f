"""Handing work to another team, and that team acknowledging and completing it."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from console.acting import acting_user
from console.clock import Clock
from console.handoff_rules import (
    HandoffRuleError,
    acknowledge_by,
    check_done_note,
    check_mover,
    check_new_handoff,
)
from console.ids import new_id
from console.services.events import console_event
from console.sync import outbox
from console.working_time import WorkingHours
from domain import mutation_kinds
from domain.records import HandoffRecord, UserRecord
from domain.vocabulary import HandoffKind, HandoffStatus, Team
from storage import writes
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
        now = self._clock.now()
        if done_by is not None and done_by <= now:
            raise HandoffRuleError("the done-by date must be in the future")
        handoff_id = new_id()
        ack_by = acknowledge_by(now, to_team, self._hours)
        event = console_event(
            self.user.id, customer_id, case_id, now, f"Handed to {TEAM_WORDS[to_team]}", summary
        )

        def created(made: HandoffRecord) -> writes.Mutation:
            # The payload carries the times as given, as the server has always received them.
            given = dataclasses.replace(made, acknowledge_by=ack_by, done_by=done_by)
            return writes.Mutation(
                mutation_kinds.HANDOFF_CREATE, outbox.handoff_create(given, event.id), handoff_id
            )

        with self._store.durable_write() as session:
            me = acting_user(session, self.user, HandoffRuleError)
            check_new_handoff(me.team, to_team, summary)
            return writes.write(
                session,
                lambda s: queries.add(
                    s,
                    handoff_id=handoff_id,
                    customer_id=customer_id,
                    case_id=case_id,
                    kind=kind,
                    summary=summary.strip(),
                    from_team=me.team,
                    to_team=to_team,
                    created_by=self.user.id,
                    created_at=now,
                    acknowledge_by=ack_by,
                    done_by=done_by,
                ),
                actor=self.user.username,
                at=now,
                queue=outbox.queue,
                line=event,
                mutation=created,
            )

    def acknowledge(self, handoff: HandoffRecord) -> HandoffRecord:
        now = self._clock.now()
        return self._advance(
            mutation_kinds.HANDOFF_ACKNOWLEDGE,
            handoff,
            HandoffStatus.AWAITING_ACK,
            {"status": HandoffStatus.ACKNOWLEDGED, "acknowledged_by": self.user.id, "acknowledged_at": now},
            f"Acknowledged by {TEAM_WORDS[handoff.to_team]}",
        )

    def complete(self, handoff: HandoffRecord, done_note: str | None = None) -> HandoffRecord:
        """Done, with what was done (kept on the customer's timeline under the summary)."""
        note = check_done_note(done_note)
        now = self._clock.now()
        return self._advance(
            mutation_kinds.HANDOFF_COMPLETE,
            handoff,
            HandoffStatus.ACKNOWLEDGED,
            {"status": HandoffStatus.DONE, "done_at": now},
            f"Completed by {TEAM_WORDS[handoff.to_team]}",
            done_note=note,
        )

    def acknowledge_by(self, to_team: Team) -> datetime:
        """When a handoff made now to `to_team` must be acknowledged (the dialog shows it before saving)."""
        return acknowledge_by(self._clock.now(), to_team, self._hours)

    def for_my_team(self) -> list[HandoffRecord]:
        """Live handoffs to the user's team, the soonest acknowledge-by (then done-by) first."""
        with self._store.read() as session:
            return queries.for_team(session, self.user.team)

    def _advance(
        self,
        kind: str,
        handoff: HandoffRecord,
        expected: HandoffStatus,
        values: dict[str, object],
        subject: str,
        *,
        done_note: str | None = None,
    ) -> HandoffRecord:
        now = self._clock.now()
        body = handoff.summary + (f"\nDone: {done_note}" if done_note else "")
        event = console_event(self.user.id, handoff.customer_id, handoff.case_id, now, subject, body)

        def advance(session: Session) -> None:
            if not queries.advance(
                session, handoff.id, version=handoff.version, expected=expected, values=values
            ):
                current = queries.get(session, handoff.id)
                state = current.status.value.replace("_", " ") if current else "gone"
                raise HandoffRuleError(f"this handoff has moved on meanwhile (now {state}): look at it again")

        with self._store.durable_write() as session:
            mover = acting_user(session, self.user, HandoffRuleError)  # role and team as stored now
            check_mover(mover.team, mover.role, handoff)
            writes.write(
                session,
                advance,
                actor=self.user.username,
                at=now,
                queue=outbox.queue,
                line=event,
                mutation=writes.Mutation(
                    kind,
                    outbox.handoff_step(
                        handoff_id=handoff.id, version=handoff.version, event_id=event.id, done_note=done_note
                    ),
                    handoff.id,
                ),
            )
            moved = queries.get(session, handoff.id)
        assert moved is not None
        return moved

    def moved_on_since(self, since: datetime) -> list[HandoffRecord]:
        """The user's own handoffs another team acknowledged or completed since `since`."""
        with self._store.read() as session:
            return queries.moved_on_sent_by(session, self.user.id, since)

    def for_customer(self, customer_id: uuid.UUID) -> list[HandoffRecord]:
        with self._store.read() as session:
            return queries.for_customer(session, customer_id)

    def dropped(self) -> list[HandoffRecord]:
        """Unacknowledged past their deadline, across the team."""
        with self._store.read() as session:
            return queries.unacknowledged_past(session, self._clock.now())
