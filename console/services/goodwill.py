"""Goodwill and compensation: asking (approved at once within the requester's limit, else queued for a
supervisor), approving and rejecting with four eyes, and the lists the panel and the queue show.

Limits come from the users table. Every request and decision is a contact event on the customer's
timeline, an entry in the hash-chained audit log and a mutation queued for the server, in the same
transaction. The server writes the timeline event from the mutation (its `event_id`), so the event
is not queued on its own.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from console.acting import acting_user
from console.clock import Clock
from console.goodwill_rules import MAX_REASON, GoodwillRuleError, PendingRequest, on_approval, on_request
from console.goodwill_rules import GoodwillConflictError as GoodwillConflictError
from console.goodwill_words import KIND_WORDS as KIND_WORDS
from console.goodwill_words import OVER_LIMIT_NEXT_STEP as OVER_LIMIT_NEXT_STEP
from console.goodwill_words import REASON_CATEGORIES as REASON_CATEGORIES
from console.goodwill_words import decided_by_name
from console.goodwill_words import decision_words as decision_words
from console.goodwill_words import state_words as state_words
from console.ids import new_id
from console.money import format_pence, parse_pounds
from console.services.events import console_event
from console.sync import outbox
from console.working_time import month_start as month_start
from domain import mutation_kinds
from domain.records import ContactEventRecord, GoodwillRecord, UserRecord
from domain.vocabulary import GoodwillKind, GoodwillState, Role
from storage import writes
from storage.queries import goodwill as queries
from storage.queries import users
from storage.store import Store


class GoodwillService:
    def __init__(self, store: Store, clock: Clock, user: UserRecord) -> None:
        self._store = store
        self._clock = clock
        self.user = user

    # -- reading ----------------------------------------------------------------------------------

    def for_customer(self, customer_id: uuid.UUID) -> list[GoodwillRecord]:
        with self._store.read() as session:
            return queries.for_customer(session, customer_id)

    def pending(self) -> list[GoodwillRecord]:
        with self._store.read() as session:
            return queries.pending(session, month_start(self._clock.now()))

    def decisions_since(self, since: datetime) -> list[GoodwillRecord]:
        """The signed-in user's requests a supervisor approved or rejected since `since`."""
        with self._store.read() as session:
            return queries.decided_since(session, self.user.id, since)

    def month_total(self, user: UserRecord | None = None) -> int:
        """Approved goodwill `user` (default: the signed-in user) asked for this calendar month."""
        who = user or self.user
        with self._store.read() as session:
            return queries.month_total(session, who.id, month_start(self._clock.now()))

    def my_limit(self) -> int:
        """The signed-in user's limit per payment, as the users table says now."""
        with self._store.read() as session:
            current = users.by_id(session, self.user.id)
        return (current or self.user).goodwill_limit_pence

    # -- asking -----------------------------------------------------------------------------------

    def request(
        self,
        customer_id: uuid.UUID,
        kind: GoodwillKind,
        amount_text: str,
        reason_category: str,
        reason_text: str,
        case_id: uuid.UUID | None = None,
    ) -> GoodwillRecord:
        """Record the request; AmountError or GoodwillRuleError (nothing saved) if it cannot be."""
        amount = parse_pounds(amount_text)
        category = reason_category.strip()
        if not category:
            raise GoodwillRuleError("choose a reason category")
        if len(category) > 60:
            raise GoodwillRuleError("the reason category is too long (at most 60 characters)")
        reason = reason_text.strip()
        now = self._clock.now()
        goodwill_id = new_id()
        with self._store.durable_write() as session:
            requester = acting_user(session, self.user, GoodwillRuleError)  # the limit as stored now
            verdict = on_request(amount, requester, reason)
            approved = verdict.state is GoodwillState.APPROVED
            words = f"{format_pence(amount)} {KIND_WORDS[kind]}"
            subject = (
                f"Goodwill given: {words} (within the advisor's limit)"
                if approved
                else f"Goodwill requested: {words}, awaiting a supervisor's approval"
            )
            event = console_event(requester.id, customer_id, case_id, now, subject, f"{category}: {reason}")
            return writes.write(
                session,
                lambda s: queries.add(
                    s,
                    goodwill_id=goodwill_id,
                    customer_id=customer_id,
                    case_id=case_id,
                    kind=kind,
                    amount_pence=amount,
                    reason_category=category,
                    reason_text=reason,
                    requested_by=requester.id,
                    requested_at=now,
                    state=verdict.state,
                    authorisation=verdict.authorisation,
                ),
                actor=requester.username,
                at=now,
                queue=outbox.queue,
                line=event,
                mutation=writes.Mutation(
                    mutation_kinds.GOODWILL_REQUEST,
                    outbox.goodwill_request(
                        goodwill_id=goodwill_id,
                        customer_id=customer_id,
                        case_id=case_id,
                        kind=kind.value,
                        amount_pence=amount,
                        reason_category=category,
                        reason_text=reason,
                        event_id=event.id,
                    ),
                    goodwill_id,
                ),
                audit=writes.AuditAction(
                    "goodwill.request",
                    "goodwill",
                    goodwill_id,
                    {
                        "customer_id": str(customer_id),
                        "kind": kind.value,
                        "amount_pence": amount,
                        "limit_pence": requester.goodwill_limit_pence,
                        "state": verdict.state.value,
                        "authorisation": verdict.authorisation.value if verdict.authorisation else None,
                        "reason_category": category,
                    },
                ),
            )

    # -- deciding ---------------------------------------------------------------------------------

    def approve(self, record: GoodwillRecord, note: str = "") -> GoodwillRecord:
        note = note.strip()
        if len(note) > MAX_REASON:
            raise GoodwillRuleError(f"the note is too long (at most {MAX_REASON:,} characters)")
        now = self._clock.now()
        with self._store.durable_write() as session:
            approver = acting_user(session, self.user, GoodwillRuleError)
            requester = users.by_id(session, record.requested_by)
            if requester is None:
                raise GoodwillRuleError("the requester of this goodwill no longer exists")
            verdict = on_approval(
                PendingRequest(record.amount_pence, requester, record.state, record.decided_by), approver
            )
            values: dict[str, object] = {"state": verdict.state, "authorisation": verdict.authorisation}
            if record.state is GoodwillState.AWAITING_SECOND_APPROVAL:
                values |= {"second_decided_by": approver.id, "second_decided_at": now}
                if note:
                    values["decision_note"] = (
                        f"{record.decision_note}\n{note}" if record.decision_note else note
                    )
            else:
                values |= {"decided_by": approver.id, "decided_at": now, "decision_note": note or None}
            after = "approved" if verdict.state is GoodwillState.APPROVED else "first approval given"
            event, entry = self._decision(
                record, approver, now, "goodwill.approve", after, note, verdict.state, values
            )
            writes.write(
                session,
                lambda s: self._decide(s, record, values),
                actor=approver.username,
                at=now,
                queue=outbox.queue,
                line=event,
                mutation=writes.Mutation(
                    mutation_kinds.GOODWILL_APPROVE,
                    outbox.goodwill_approve(
                        goodwill_id=record.id, version=record.version, note=note, event_id=event.id
                    ),
                    record.id,
                ),
                audit=entry,
            )
            decided = queries.get(session, record.id)
        assert decided is not None
        return decided

    def reject(self, record: GoodwillRecord, reason: str) -> GoodwillRecord:
        reason = reason.strip()
        if not reason:
            raise GoodwillRuleError("give the reason for rejecting: the advisor will tell the customer")
        if len(reason) > MAX_REASON:
            raise GoodwillRuleError(
                f"the reason is too long ({len(reason):,} characters, at most {MAX_REASON:,})"
            )
        now = self._clock.now()
        with self._store.durable_write() as session:
            decider = acting_user(session, self.user, GoodwillRuleError)
            if decider.role is not Role.SUPERVISOR or not decider.active:
                raise GoodwillRuleError("only an active supervisor rejects a goodwill request")
            if decider.id == record.requested_by:
                raise GoodwillRuleError("nobody decides their own request: ask a supervisor")
            if not record.pending:
                raise GoodwillRuleError(f"this request is already {record.state.value.replace('_', ' ')}")
            values: dict[str, object] = {"state": GoodwillState.REJECTED, "authorisation": None}
            if record.state is GoodwillState.AWAITING_SECOND_APPROVAL:
                if decider.id == record.decided_by:
                    raise GoodwillRuleError("a second supervisor decides now: you gave the first approval")
                values |= {"second_decided_by": decider.id, "second_decided_at": now, "decision_note": reason}
            else:
                values |= {"decided_by": decider.id, "decided_at": now, "decision_note": reason}
            event, entry = self._decision(
                record, decider, now, "goodwill.reject", "rejected", reason, GoodwillState.REJECTED, {}
            )
            writes.write(
                session,
                lambda s: self._decide(s, record, values),
                actor=decider.username,
                at=now,
                queue=outbox.queue,
                line=event,
                mutation=writes.Mutation(
                    mutation_kinds.GOODWILL_REJECT,
                    outbox.goodwill_reject(
                        goodwill_id=record.id, version=record.version, reason=reason, event_id=event.id
                    ),
                    record.id,
                ),
                audit=entry,
            )
            decided = queries.get(session, record.id)
        assert decided is not None
        return decided

    def _decide(self, session: Session, record: GoodwillRecord, values: dict[str, object]) -> None:
        """The guarded decision; refusing raises, and `writes.write` rolls the whole act back."""
        try:
            moved = queries.decide(
                session, record.id, version=record.version, state=record.state, values=values
            )
        except IntegrityError:
            raise GoodwillRuleError("the database refused: nobody approves their own request") from None
        if not moved:
            raise GoodwillConflictError(self._conflict_message(queries.get(session, record.id)))

    @staticmethod
    def _decision(
        record: GoodwillRecord,
        actor: UserRecord,
        now: datetime,
        action: str,
        outcome: str,
        note: str,
        state: GoodwillState,
        values: dict[str, object],
    ) -> tuple[ContactEventRecord, writes.AuditAction]:
        """The timeline event and the audit entry of a decision."""
        words = f"{format_pence(record.amount_pence)} {KIND_WORDS[record.kind]}"
        subject = f"Goodwill {outcome} by {actor.display_name}: {words}"
        event = console_event(actor.id, record.customer_id, record.case_id, now, subject, note)
        authorisation = values.get("authorisation")
        entry = writes.AuditAction(
            action,
            "goodwill",
            record.id,
            {
                "from_state": record.state.value,
                "to_state": state.value,
                "amount_pence": record.amount_pence,
                "requested_by": str(record.requested_by),
                "decider_limit_pence": actor.goodwill_limit_pence,
                "authorisation": str(authorisation) if authorisation else None,
                "note": note,
            },
        )
        return event, entry

    @staticmethod
    def _conflict_message(current: GoodwillRecord | None) -> str:
        if current is None:
            return "this request no longer exists"
        who = decided_by_name(current) or "someone else"
        if current.state is GoodwillState.AWAITING_SECOND_APPROVAL:
            return f"already decided by {who}: first approval given, a second supervisor must approve"
        if current.state is GoodwillState.APPROVED:
            return f"already decided by {who}: approved"
        if current.state is GoodwillState.REJECTED:
            return f"already decided by {who}: rejected"
        return "this request was changed by someone else meanwhile: look at it again"
