"""Owning a case (taking over, handing over, always with a note), and moving it through resolution:
root cause, the customer's confirmation, closing, reopening, feedback and the formal-complaint clock.

Each act is one transaction: the case written at the version the advisor saw, a contact event on the
customer's timeline (a letter when the customer is written to), promises made or ended, an audit entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from enum import Enum

from sqlalchemy.orm import Session

from console import case_rules as rules
from console.adr_letter import Letter, draft_adr_letter
from console.case_rules import CaseRuleError, cases_needing_update, check_owner_change
from console.clock import Clock
from console.ids import new_id
from console.promise_rules import PromiseRuleError
from console.services.events import console_event, contact_mutation
from console.services.promises import add_promise
from console.sync import outbox
from domain import mutation_kinds
from domain.records import CaseSummary, ContactEventRecord, FeedbackScores, PromiseRecord, UserRecord
from domain.vocabulary import (
    CaseKind,
    Channel,
    Confirmation,
    Direction,
    PromiseKind,
    PromiseStatus,
    Severity,
)
from storage import writes
from storage.queries import cases as queries
from storage.queries import customers as customer_queries
from storage.queries import promises as promise_queries
from storage.queries import users as user_queries
from storage.store import Store

# The promises that stand for "we will check with the customer" on a resolved case.
CHECK_KINDS = (PromiseKind.CALLBACK, PromiseKind.PROGRESS_UPDATE)


class CaseConflictError(CaseRuleError):
    """The case changed since the advisor read it; the message says what it is now."""


def _plain(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


class CaseService:
    def __init__(self, store: Store, clock: Clock, user: UserRecord) -> None:
        self._store = store
        self._clock = clock
        self.user = user

    def open(
        self,
        customer_id: uuid.UUID,
        kind: CaseKind | str,
        title: str,
        severity: Severity = Severity.MEDIUM,
        target_at: datetime | None = None,
        *,
        reported_text: str | None = None,
        next_step: str | None = None,
    ) -> CaseSummary:
        """A new case, owned by the advisor who opens it. Its CS- number comes from the server when
        `case.open` is accepted; until then it has a provisional one."""
        now = self._clock.now()
        kind = rules.check_case_kind(kind)
        cleaned = rules.check_new_case(title, target_at, now)
        reported_text, next_step = rules.check_case_words(reported_text, next_step)
        case_id = new_id()
        event = console_event(
            self.user.id,
            customer_id,
            case_id,
            now,
            f"Case opened: {cleaned}"[:200],
            reported_text or cleaned,
        )
        with self._store.durable_write() as session:
            return writes.write(
                session,
                lambda s: queries.add(
                    s,
                    case_id=case_id,
                    reference=rules.provisional_reference(case_id),
                    customer_id=customer_id,
                    kind=kind,
                    title=cleaned,
                    severity=severity,
                    owner_id=self.user.id,
                    opened_at=now,
                    target_at=target_at,
                    reported_text=reported_text,
                    next_step=next_step,
                ),
                actor=self.user.username,
                at=now,
                queue=outbox.queue,
                line=event,
                mutation=writes.Mutation(
                    mutation_kinds.CASE_OPEN,
                    outbox.case_open(
                        case_id=case_id,
                        customer_id=customer_id,
                        kind=kind.value,
                        title=cleaned,
                        severity=severity.value,
                        target_at=target_at,
                        event_id=event.id,
                        reported_text=reported_text,
                        next_step=next_step,
                    ),
                    case_id,
                ),
            )

    def update_progress(
        self, case: CaseSummary, next_step: str, done: str, customer_told: bool
    ) -> CaseSummary:
        """`case.update`: what was done, the next step, whether the customer was told (news that clears
        the "past target, no update" prompt)."""
        now = self._clock.now()
        change = rules.progress_update(case, next_step, done, customer_told)
        with self._store.durable_write() as session:
            self._apply(
                session,
                case,
                change,
                now,
                mutation_kinds.CASE_UPDATE,
                rules.progress_note(done, customer_told),
                fields={"next_step": next_step.strip(), "done": done.strip(), "customer_told": customer_told},
            )
            return self._read(session, case.id)

    def take_over(self, case: CaseSummary, note: str) -> CaseSummary:
        return self._change_owner(case, self.user.id, note, taking=True)

    def hand_over(self, case: CaseSummary, to_user_id: uuid.UUID, note: str) -> CaseSummary:
        return self._change_owner(case, to_user_id, note, taking=False)

    def _change_owner(
        self, case: CaseSummary, to_user_id: uuid.UUID, note: str, *, taking: bool
    ) -> CaseSummary:
        now = self._clock.now()
        with self._store.durable_write() as session:
            new_owner = user_queries.by_id(session, to_user_id)
            check_owner_change(case, new_owner.display_name if new_owner else None, note, taking=taking)
            assert new_owner is not None
            if new_owner.id == case.owner_id:
                raise CaseRuleError(f"{new_owner.display_name} already owns {case.reference}")
            to_owner = new_owner
            change_id, event_id = new_id(), new_id()

            def move(session: Session) -> uuid.UUID:
                if not queries.change_owner(
                    session,
                    case.id,
                    from_owner_id=case.owner_id,
                    to_owner_id=to_owner.id,
                    note=note.strip(),
                    change_id=change_id,
                    at=now,
                ):
                    raise CaseRuleError(f"{case.reference} changed owner meanwhile: look at it again")
                return queries.customer_of(session, case.id)

            verb = "taken over by" if taking else f"handed over by {self.user.display_name} to"
            subject = f"{case.reference} {verb} {new_owner.display_name}"
            customer_id = writes.write(
                session,
                move,
                actor=self.user.username,
                at=now,
                queue=outbox.queue,
                line=lambda customer_id: self._line(customer_id, case.id, now, subject, note, event_id),
                mutation=writes.Mutation(
                    mutation_kinds.CASE_TAKE if taking else mutation_kinds.CASE_HAND_OVER,
                    outbox.case_owner(
                        case_id=case.id,
                        from_owner_id=case.owner_id,
                        to_user_id=new_owner.id,
                        note=note.strip(),
                        change_id=change_id,
                        event_id=event_id,
                    ),
                    case.id,
                ),
            )
            return next(c for c in customer_queries.cases_for(session, customer_id) if c.id == case.id)

    def needing_update(self, customer_id: uuid.UUID) -> list[CaseSummary]:
        """The customer's open cases past their target with no news and no update promised."""
        now = self._clock.now()
        with self._store.read() as session:
            cases = customer_queries.cases_for(session, customer_id)
            promises = promise_queries.for_customer(session, customer_id, include_closed=0)
        return self.needing_update_among(cases, promises, now)

    def needing_update_among(
        self, cases: Sequence[CaseSummary], promises: Sequence[PromiseRecord], now: datetime | None = None
    ) -> list[CaseSummary]:
        """`needing_update` from one customer's cases and promises already read (the pane has both)."""
        return cases_needing_update(cases, promises, now or self._clock.now())

    # -- resolution and confirmation --------------------------------------------------------------

    def resolve(
        self,
        case: CaseSummary,
        category: str,
        text: str,
        confirmation: Confirmation,
        check_due_at: datetime | None = None,
    ) -> CaseSummary:
        """Resolve with a root cause; confirmed closes it, not reachable needs a promise to check."""
        now = self._clock.now()
        change = rules.resolve(case, rules.RootCause(category, text), confirmation, now, check_due_at)
        with self._store.durable_write() as session:
            customer_id = self._apply(
                session,
                case,
                change,
                now,
                mutation_kinds.CASE_RESOLVE,
                fields={
                    "root_cause_category": category.strip(),
                    "root_cause_text": text.strip(),
                    "confirmation": confirmation,
                    "check_due_at": check_due_at,
                },
            )
            if confirmation is Confirmation.NOT_REACHABLE:
                assert check_due_at is not None
                self._promise_check(session, case, customer_id, check_due_at, now)
            else:
                self._end_complaint_clock(
                    session, case.id, now, "complaint resolved: customer confirmed the fix"
                )
            return self._read(session, case.id)

    def record_confirmation(
        self, case: CaseSummary, confirmation: Confirmation, check_due_at: datetime | None = None
    ) -> CaseSummary:
        """Another try at confirming the fix: confirmed closes the case; not reachable promises a retry."""
        now = self._clock.now()
        change = rules.record_attempt(case, confirmation, now, check_due_at)
        with self._store.durable_write() as session:
            customer_id = queries.customer_of(session, case.id)
            follow_up = None
            if confirmation is Confirmation.NOT_REACHABLE:
                # The promise first, so the server holds it when case.confirm names it as the follow-up.
                assert check_due_at is not None
                follow_up = self._promise_check(session, case, customer_id, check_due_at, now)
            self._apply(
                session,
                case,
                change,
                now,
                mutation_kinds.CASE_CONFIRM,
                fields={
                    "confirmation": confirmation,
                    "check_due_at": check_due_at,
                    "follow_up_id": follow_up,
                },
            )
            if follow_up is not None:
                self._end_promises(
                    session,
                    case.id,
                    CHECK_KINDS,
                    PromiseStatus.NOT_REACHABLE,
                    "customer not reachable to confirm the fix",
                    now,
                    follow_up,
                )
            else:
                self._end_promises(
                    session, case.id, CHECK_KINDS, PromiseStatus.DONE, "customer confirmed the fix", now
                )
                self._end_complaint_clock(
                    session, case.id, now, "complaint resolved: customer confirmed the fix"
                )
            return self._read(session, case.id)

    def close_in_writing(self, case: CaseSummary, letter: str) -> CaseSummary:
        """After two failed attempts: close, recording the letter that told the customer."""
        now = self._clock.now()
        change = rules.close_in_writing(case, letter, now)
        with self._store.durable_write() as session:
            customer_id = self._apply(
                session,
                case,
                change,
                now,
                mutation_kinds.CASE_CLOSE_IN_WRITING,
                fields={"letter": letter.strip()},
            )
            self._letter(
                session, customer_id, case, now, f"Letter: {case.reference} closed, fix not confirmed", letter
            )
            self._end_promises(
                session,
                case.id,
                CHECK_KINDS,
                PromiseStatus.DONE,
                "customer told in writing; case closed",
                now,
            )
            self._end_complaint_clock(session, case.id, now, "case closed; customer told in writing")
            return self._read(session, case.id)

    def reopen(self, case: CaseSummary, reason: str) -> CaseSummary:
        """The customer says it is not fixed: back in progress, counted as reopened."""
        now = self._clock.now()
        change = rules.reopen(case, reason)
        with self._store.durable_write() as session:
            self._apply(
                session,
                case,
                change,
                now,
                mutation_kinds.CASE_REOPEN,
                reason,
                fields={"reason": reason.strip()},
            )
            return self._read(session, case.id)

    def record_feedback(self, case: CaseSummary, fix_score: int, fault_score: int, cause_text: str) -> None:
        """The customer's two answers after closure, stored apart, and what they think caused it."""
        answers = rules.check_feedback(case, rules.FeedbackAnswers(fix_score, fault_score, cause_text))
        now = self._clock.now()
        with self._store.durable_write() as session:
            if queries.has_feedback(session, case.id):
                raise CaseRuleError(f"feedback for {case.reference} is already recorded")
            customer_id = queries.customer_of(session, case.id)
            feedback_id = new_id()
            subject = (
                f"{case.reference} feedback: fix handled {answers.fix_score}/5, "
                f"fault happening {answers.fault_score}/5"
            )
            event = self._line(customer_id, case.id, now, subject, answers.cause_text)
            writes.write(
                session,
                lambda s: queries.add_feedback(
                    s,
                    feedback_id=feedback_id,
                    case_id=case.id,
                    customer_id=customer_id,
                    fix_score=answers.fix_score,
                    fault_score=answers.fault_score,
                    cause_text=answers.cause_text or None,
                    received_at=now,
                ),
                actor=self.user.username,
                at=now,
                queue=outbox.queue,
                line=event,
                mutation=writes.Mutation(
                    mutation_kinds.CASE_FEEDBACK,
                    outbox.case_feedback(
                        feedback_id=feedback_id,
                        case_id=case.id,
                        fix_score=answers.fix_score,
                        fault_score=answers.fault_score,
                        cause_text=answers.cause_text,
                        event_id=event.id,
                    ),
                    feedback_id,
                ),
            )

    def feedback_scores(self, start: datetime, end: datetime) -> FeedbackScores:
        with self._store.read() as session:
            return queries.feedback_scores(session, start, end)

    # -- formal complaints ------------------------------------------------------------------------

    def mark_complaint(self, case: CaseSummary, made_at: datetime) -> CaseSummary:
        """Flag the formal complaint and start its 8-week clock as a promise with its own timer."""
        now = self._clock.now()
        change = rules.mark_complaint(case, made_at, now)
        deadline = change.values["complaint_deadline_at"]
        assert isinstance(deadline, datetime)
        with self._store.durable_write() as session:
            customer_id = self._apply(
                session,
                case,
                change,
                now,
                mutation_kinds.CASE_FORMAL_COMPLAINT,
                fields={"complaint_made_at": made_at},
            )
            add_promise(
                session,
                self.user,
                customer_id,
                PromiseKind.COMPLAINT_DEADLINE,
                deadline,
                now,
                note=f"{case.reference}: resolve the formal complaint, or send the ombudsman letter",
                case_id=case.id,
            )
            return self._read(session, case.id)

    def declare_deadlock(self, case: CaseSummary, note: str) -> CaseSummary:
        now = self._clock.now()
        change = rules.declare_deadlock(case, note, now)
        with self._store.durable_write() as session:
            self._apply(
                session, case, change, now, mutation_kinds.CASE_DEADLOCK, note, fields={"note": note.strip()}
            )
            return self._read(session, case.id)

    def draft_adr_letter(self, case: CaseSummary, summary: str, zone: tzinfo) -> Letter:
        """The ombudsman letter for `case` as of now (nothing is saved)."""
        now = self._clock.now()
        if not rules.adr_letter_due(case, now):
            raise CaseRuleError(
                f"{case.reference}: the ombudsman letter is due at deadlock or after 8 weeks unresolved"
            )
        summary = summary.strip()
        if not summary:
            raise CaseRuleError("summarise the complaint and what was done: the letter needs it")
        if len(summary) > rules.MAX_NOTE:
            raise CaseRuleError(
                f"the summary is too long ({len(summary):,} characters, at most {rules.MAX_NOTE:,})"
            )
        with self._store.read() as session:
            customer_id = queries.customer_of(session, case.id)
            profile = customer_queries.profile(session, customer_id)
        assert profile is not None
        return draft_adr_letter(case, profile, summary, now, zone)

    def send_adr_letter(self, case: CaseSummary, letter: Letter) -> CaseSummary:
        """Record the ombudsman letter as sent: a letter on the timeline; the complaint clock is met."""
        now = self._clock.now()
        change = rules.record_adr_letter(case, now)
        with self._store.durable_write() as session:
            customer_id = self._apply(session, case, change, now, mutation_kinds.CASE_ADR_LETTER)
            self._letter(session, customer_id, case, now, letter.subject, letter.body)
            self._end_complaint_clock(session, case.id, now, "ombudsman (ADR) letter sent")
            return self._read(session, case.id)

    # -- the parts --------------------------------------------------------------------------------

    def _apply(
        self,
        session: Session,
        case: CaseSummary,
        change: rules.CaseChange,
        now: datetime,
        action: str,
        note: str = "",
        *,
        fields: dict[str, object] | None = None,
    ) -> uuid.UUID:
        """Write the transition at the version the advisor saw, its timeline line and audit entry, and
        queue it as the mutation `action` with the act's own `fields` (the server re-checks them);
        returns the case's customer."""
        event_id = new_id()

        def transition(session: Session) -> uuid.UUID:
            if not queries.apply(session, case.id, version=case.version, values=change.values, at=now):
                current = customer_queries.case_by_id(session, case.id)
                state = current.status.value.replace("_", " ") if current else "gone"
                raise CaseConflictError(
                    f"{case.reference} was changed meanwhile (now {state}): look at it again"
                )
            return queries.customer_of(session, case.id)

        return writes.write(
            session,
            transition,
            actor=self.user.username,
            at=now,
            queue=outbox.queue,
            line=lambda customer_id: self._line(customer_id, case.id, now, change.subject, note, event_id),
            mutation=writes.Mutation(
                action,
                outbox.case_transition(
                    case_id=case.id, version=case.version, event_id=event_id, **(fields or {})
                ),
                case.id,
            ),
            audit=writes.AuditAction(
                action,
                "case",
                case.id,
                {"from_status": case.status.value, "from_version": case.version}
                | {key: _plain(value) for key, value in change.values.items()},
            ),
        )

    def _line(
        self,
        customer_id: uuid.UUID,
        case_id: uuid.UUID,
        now: datetime,
        subject: str,
        text: str,
        event_id: uuid.UUID | None = None,
    ) -> ContactEventRecord:
        """The act's timeline line; its mutation carries the id, so the server writes the same row."""
        return console_event(self.user.id, customer_id, case_id, now, subject, text, event_id=event_id)

    def _read(self, session: Session, case_id: uuid.UUID) -> CaseSummary:
        found = customer_queries.case_by_id(session, case_id)
        assert found is not None
        return found

    def _promise_check(
        self, session: Session, case: CaseSummary, customer_id: uuid.UUID, due_at: datetime, now: datetime
    ) -> uuid.UUID:
        """A callback to confirm the fix (a progress update when there is no number to call)."""
        phone = queries.primary_phone(session, customer_id)
        kind = PromiseKind.CALLBACK if phone else PromiseKind.PROGRESS_UPDATE
        try:
            made = add_promise(
                session,
                self.user,
                customer_id,
                kind,
                due_at,
                now,
                phone_e164=phone,
                note=f"{case.reference}: check with the customer that the fix works",
                case_id=case.id,
            )
        except PromiseRuleError as error:
            raise CaseRuleError(str(error)) from None
        return made.id

    def _end_promises(
        self,
        session: Session,
        case_id: uuid.UUID,
        kinds: tuple[PromiseKind, ...],
        status: PromiseStatus,
        outcome: str,
        now: datetime,
        follow_up: uuid.UUID | None = None,
    ) -> None:
        for promise_id, version in queries.open_promise_ids(session, case_id, kinds):
            if promise_id == follow_up:
                continue
            promise_queries.close(
                session,
                promise_id,
                version=version,
                status=status,
                outcome=outcome,
                closed_at=now,
                customer_told=None,
                follow_up_id=follow_up,
            )

    def _end_complaint_clock(self, session: Session, case_id: uuid.UUID, now: datetime, outcome: str) -> None:
        self._end_promises(
            session, case_id, (PromiseKind.COMPLAINT_DEADLINE,), PromiseStatus.DONE, outcome, now
        )

    def _letter(
        self,
        session: Session,
        customer_id: uuid.UUID,
        case: CaseSummary,
        now: datetime,
        subject: str,
        text: str,
    ) -> None:
        """The letter the customer was sent, on their timeline and queued as its own contact."""
        letter = ContactEventRecord(
            id=new_id(),
            customer_id=customer_id,
            case_id=case.id,
            channel=Channel.LETTER,
            direction=Direction.OUTBOUND,
            advisor_id=self.user.id,
            occurred_at=now,
            recorded_at=now,
            subject=subject[:200],
            summary=text.strip(),
        )
        writes.write(
            session,
            actor=self.user.username,
            at=now,
            queue=outbox.queue,
            line=letter,
            mutation=contact_mutation(letter),
        )
