"""Writing down contacts: a call's wrap-up (a phone contact with its reason and duration, its draft
kept until saved) and a contact logged by hand on any channel, each queued as `contact.add`."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from console.clock import Clock
from console.contact_reasons import ReasonList, load_reasons
from console.contact_rules import CHANNEL_WORDS as CHANNEL_WORDS
from console.contact_rules import ContactEntry as ContactEntry
from console.contact_rules import (
    ContactRuleError,
    call_heading,
    check_logged,
    check_summary,
)
from console.contact_rules import WrapUp as WrapUp
from console.contact_rules import check_wrap_up as check_wrap_up
from console.ids import new_id
from console.services.events import contact_mutation
from console.sync import outbox
from domain.records import ContactEventRecord, UserRecord, WrapUpDraftRecord
from domain.vocabulary import Channel, Direction
from storage import writes
from storage.queries import cases as case_queries
from storage.queries import drafts as draft_queries
from storage.store import Store


class ContactService:
    def __init__(
        self, store: Store, clock: Clock, user: UserRecord, reasons: ReasonList | None = None
    ) -> None:
        self._store = store
        self._clock = clock
        self.user = user
        self.reasons = reasons if reasons is not None else load_reasons()

    def check_wrap_up(self, wrap: WrapUp) -> tuple[str | None, int, str]:
        return check_wrap_up(wrap, self.reasons)

    def wrap_up(self, wrap: WrapUp) -> uuid.UUID:
        """The call as an inbound phone contact with its reason and duration; its draft goes."""
        code, seconds, note = self.check_wrap_up(wrap)
        heading = call_heading(self.reasons.words_for(code) or "Call", seconds, wrap.number)
        return self._add(
            wrap.customer_id,
            wrap.case_id,
            Channel.PHONE,
            Direction.INBOUND,
            heading,
            note,
            occurred_at=wrap.started_at,
            reason_code=code,
            duration_seconds=seconds,
            draft_id=wrap.draft_id,
        )

    def log(self, entry: ContactEntry) -> uuid.UUID:
        check_logged(entry.channel, entry.direction)
        summary = check_summary(entry.summary)
        way = "from the customer" if entry.direction is Direction.INBOUND else "to the customer"
        heading = f"{CHANNEL_WORDS[entry.channel]} {way}"
        return self._add(entry.customer_id, entry.case_id, entry.channel, entry.direction, heading, summary)

    def _add(
        self,
        customer_id: uuid.UUID,
        case_id: uuid.UUID | None,
        channel: Channel,
        direction: Direction,
        subject: str,
        summary: str,
        *,
        occurred_at: datetime | None = None,
        reason_code: str | None = None,
        duration_seconds: int | None = None,
        draft_id: uuid.UUID | None = None,
    ) -> uuid.UUID:
        now = self._clock.now()
        event = ContactEventRecord(
            id=new_id(),
            customer_id=customer_id,
            case_id=case_id,
            channel=channel,
            direction=direction,
            advisor_id=self.user.id,
            occurred_at=min(occurred_at or now, now),
            recorded_at=now,
            subject=subject,
            summary=summary,
            reason_code=reason_code,
            duration_seconds=duration_seconds,
        )

        def check_and_clear(session: Session) -> None:
            if case_id is not None and not case_queries.belongs_to(session, case_id, customer_id):
                raise ContactRuleError("the case is not this customer's")
            if draft_id is not None:
                draft_queries.remove(session, draft_id)

        with self._store.durable_write() as session:
            writes.write(
                session,
                check_and_clear,
                actor=self.user.username,
                at=now,
                queue=outbox.queue,
                line=event,
                mutation=contact_mutation(event),
            )
        return event.id

    # -- drafts ------------------------------------------------------------------------------------

    def save_draft(self, draft: WrapUpDraftRecord) -> None:
        """Keep the wrap-up as typed so far (on every edit); nothing is checked: it is not saved yet."""
        with self._store.write() as session:
            draft_queries.put(session, self.user.id, draft, self._clock.now())

    def drafts(self, customer_id: uuid.UUID | None = None) -> list[WrapUpDraftRecord]:
        """The user's unsaved wrap-ups (of one customer when given), oldest call first."""
        with self._store.read() as session:
            return draft_queries.for_user(session, self.user.id, customer_id)

    def discard_draft(self, draft_id: uuid.UUID) -> None:
        with self._store.write() as session:
            draft_queries.remove(session, draft_id)
