"""Making, ending and listing promises; every promise made or ended is also a contact event."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from console.acting import acting_user
from console.clock import Clock
from console.ids import new_id
from console.normalise import phone_e164
from console.promise_rules import (
    DEFAULT_DUE_SOON,
    NewPromise,
    Outcome,
    PromiseRuleError,
    Urgency,
    check_ender,
    check_new_promise,
    check_outcome,
    check_reassign,
    urgency,
)
from console.promise_rules import PromiseConflictError as PromiseConflictError
from console.services.events import console_event
from console.sync import outbox
from console.working_time import WorkingHours
from domain import mutation_kinds
from domain.records import PromiseRecord, UserRecord
from domain.vocabulary import PromiseKind, PromiseStatus
from storage import writes
from storage.queries import promises as queries
from storage.queries import users
from storage.store import Store

KIND_WORDS = {
    PromiseKind.CALLBACK: "callback",
    PromiseKind.PROGRESS_UPDATE: "progress update",
    PromiseKind.ENGINEER_VISIT: "engineer visit",
    PromiseKind.CREDIT: "credit to apply",
    PromiseKind.COMPLAINT_DEADLINE: "complaint response",
    PromiseKind.LETTER: "letter to send",
}
OUTCOME_WORDS = {
    PromiseStatus.DONE: "done",
    PromiseStatus.NOT_REACHABLE: "customer not reachable",
    PromiseStatus.RESCHEDULED: "rescheduled",
}


def add_promise(
    session: Session,
    owner: UserRecord,
    customer_id: uuid.UUID,
    kind: PromiseKind,
    due_at: datetime,
    now: datetime,
    *,
    window_end_at: datetime | None = None,
    phone_e164: str | None = None,
    note: str = "",
    case_id: uuid.UUID | None = None,
) -> PromiseRecord:
    """Check and record a promise (and its contact event) in the caller's transaction, and queue it
    for the server (so the caller's transaction should be a `Store.durable_write()`).

    For services that make a promise as part of a bigger act (resolving a case, a complaint's clock).
    """
    check_new_promise(NewPromise(kind, due_at, window_end_at, phone_e164, note.strip()), now)
    promise_id = new_id()
    event = console_event(owner.id, customer_id, case_id, now, f"Promise made: {KIND_WORDS[kind]}", note)
    return writes.write(
        session,
        lambda s: queries.add(
            s,
            promise_id=promise_id,
            customer_id=customer_id,
            case_id=case_id,
            kind=kind,
            owner_id=owner.id,
            created_at=now,
            due_at=due_at,
            window_end_at=window_end_at,
            phone_e164=phone_e164,
            note=note.strip() or None,
        ),
        actor=owner.username,
        at=now,
        queue=outbox.queue,
        line=event,
        mutation=writes.Mutation(
            mutation_kinds.PROMISE_CREATE,
            outbox.promise_create(
                promise_id=promise_id,
                customer_id=customer_id,
                case_id=case_id,
                kind=kind.value,
                due_at=due_at,
                window_end_at=window_end_at,
                phone_e164=phone_e164,
                note=note.strip() or None,
                event_id=event.id,
            ),
            promise_id,
        ),
    )


class PromiseService:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        user: UserRecord,
        due_soon: timedelta = DEFAULT_DUE_SOON,
        working_hours: WorkingHours | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self.user = user
        self.due_soon = due_soon
        # The team's hours: suggested due, next-attempt and check times fall within them.
        self.working_hours = working_hours or WorkingHours()

    def urgency(self, promise: PromiseRecord, now: datetime | None = None) -> Urgency:
        return urgency(promise.due_at, now or self._clock.now(), self.due_soon)

    def make(
        self,
        customer_id: uuid.UUID,
        kind: PromiseKind,
        due_at: datetime,
        *,
        window_end_at: datetime | None = None,
        phone: str | None = None,
        note: str = "",
        case_id: uuid.UUID | None = None,
    ) -> PromiseRecord:
        """Refuse with PromiseRuleError, or record the promise (owned by the user) and return it."""
        number = None
        if phone and phone.strip():
            number = phone_e164(phone)
            if number is None:
                raise PromiseRuleError(f"{phone.strip()[:40]!r} is not a phone number we can call")
        now = self._clock.now()
        with self._store.durable_write() as session:
            return add_promise(
                session,
                self.user,
                customer_id,
                kind,
                due_at,
                now,
                window_end_at=window_end_at,
                phone_e164=number,
                note=note,
                case_id=case_id,
            )

    def close(self, promise: PromiseRecord, outcome: Outcome) -> PromiseRecord:
        """End `promise` as the advisor saw it; a not-reachable or rescheduled one gets its follow-up."""
        now = self._clock.now()
        check_outcome(outcome, now)
        follow_up_id = new_id() if outcome.next_attempt_at is not None else None
        summary = f"Promise ended: {KIND_WORDS[promise.kind]}, {OUTCOME_WORDS[outcome.status]}"
        event = console_event(self.user.id, promise.customer_id, promise.case_id, now, summary, outcome.text)

        def end(session: Session) -> PromiseRecord:
            found = queries.owners(session, promise.id)
            if found is not None:
                check_ender(self.user, *found)
            if follow_up_id is not None:
                assert outcome.next_attempt_at is not None
                queries.add(
                    session,
                    promise_id=follow_up_id,
                    customer_id=promise.customer_id,
                    case_id=promise.case_id,
                    kind=promise.kind,
                    owner_id=self.user.id,
                    created_at=now,
                    due_at=outcome.next_attempt_at,
                    window_end_at=None,
                    phone_e164=promise.phone_e164,
                    note=promise.note,
                )
            closed = queries.close(
                session,
                promise.id,
                version=promise.version,
                status=outcome.status,
                outcome=outcome.text.strip(),
                closed_at=now,
                customer_told=outcome.customer_told,
                follow_up_id=follow_up_id,
            )
            if not closed:
                raise PromiseConflictError(self._conflict_message(queries.get(session, promise.id)))
            ended = queries.get(session, promise.id)
            assert ended is not None
            return ended

        with self._store.durable_write() as session:
            return writes.write(
                session,
                end,
                actor=self.user.username,
                at=now,
                queue=outbox.queue,
                line=event,
                mutation=writes.Mutation(
                    mutation_kinds.PROMISE_COMPLETE,
                    outbox.promise_complete(
                        promise_id=promise.id,
                        version=promise.version,
                        status=outcome.status.value,
                        outcome=outcome.text.strip(),
                        next_attempt_at=outcome.next_attempt_at,
                        customer_told=outcome.customer_told,
                        follow_up_id=follow_up_id,
                        event_id=event.id,
                    ),
                    promise.id,
                ),
            )

    def reassign(self, promise: PromiseRecord, new_owner_id: uuid.UUID, note: str) -> PromiseRecord:
        """Give an open promise (a broken one, typically) to a colleague with a note: a supervisor's act,
        checked against the version they saw, recorded on the customer's timeline and in the audit log."""
        now = self._clock.now()
        with self._store.durable_write() as session:
            actor = acting_user(session, self.user, PromiseRuleError)
            new_owner = users.by_id(session, new_owner_id)
            check_reassign(actor.role, promise.status, promise.owner_id, new_owner, note)
            assert new_owner is not None
            to_owner = new_owner

            def move(session: Session) -> None:
                if not queries.reassign(session, promise.id, version=promise.version, owner_id=to_owner.id):
                    raise PromiseConflictError(self._conflict_message(queries.get(session, promise.id)))

            summary = (
                f"Promise reassigned: {KIND_WORDS[promise.kind]}, "
                f"from {promise.owner_name} to {new_owner.display_name}"
            )
            event = console_event(actor.id, promise.customer_id, promise.case_id, now, summary, note)
            writes.write(
                session,
                move,
                actor=actor.username,
                at=now,
                queue=outbox.queue,
                line=event,
                mutation=writes.Mutation(
                    mutation_kinds.PROMISE_REASSIGN,
                    outbox.promise_reassign(
                        promise_id=promise.id,
                        version=promise.version,
                        to_user_id=to_owner.id,
                        note=note.strip(),
                        event_id=event.id,
                    ),
                    promise.id,
                ),
                audit=writes.AuditAction(
                    "promise.reassign",
                    "promise",
                    promise.id,
                    {
                        "customer_id": str(promise.customer_id),
                        "from_owner": str(promise.owner_id),
                        "to_owner": str(new_owner.id),
                        "due_at": promise.due_at.isoformat(),
                        "note": note.strip(),
                    },
                ),
            )
            moved = queries.get(session, promise.id)
        assert moved is not None
        return moved

    @staticmethod
    def _conflict_message(current: PromiseRecord | None) -> str:
        if current is None:
            return "this promise no longer exists"
        if current.status is PromiseStatus.OPEN:
            return "this promise was changed by someone else meanwhile: look at it again"
        ended = f"this promise was already ended ({OUTCOME_WORDS[current.status]})"
        return f"{ended}: {current.outcome}" if current.outcome else ended

    def for_customer(self, customer_id: uuid.UUID) -> list[PromiseRecord]:
        with self._store.read() as session:
            return queries.for_customer(session, customer_id)

    def worklist(self) -> list[PromiseRecord]:
        """Every open promise the user owns, across all customers, soonest first."""
        with self._store.read() as session:
            return queries.open_for_owner(session, self.user.id)

    def escalate_overdue(self) -> list[PromiseRecord]:
        """Mark the user's newly overdue promises escalated (the supervisor's board shows them)."""
        now = self._clock.now()
        escalated = []
        with self._store.write() as session:
            for promise in queries.open_for_owner(session, self.user.id):
                if promise.due_at > now:
                    break
                if promise.escalated_at is None and queries.mark_escalated(session, promise.id, now):
                    escalated.append(promise)
        return escalated
