"""Owning a case: taking it over or handing it over, always with a note the next owner sees."""

from __future__ import annotations

import uuid

from sqlalchemy import update

from console.case_rules import CaseRuleError, check_owner_change, needs_progress_update
from console.clock import Clock
from console.ids import new_id
from console.services.events import add_console_event
from storage.models import Case, CaseOwnerChange
from storage.queries import customers as customer_queries
from storage.queries import promises as promise_queries
from storage.queries import users as user_queries
from storage.records import CaseSummary, UserRecord
from storage.store import Store
from storage.vocabulary import PromiseKind


class CaseService:
    def __init__(self, store: Store, clock: Clock, user: UserRecord) -> None:
        self._store = store
        self._clock = clock
        self.user = user

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
            moved = session.execute(
                update(Case)
                .where(Case.id == case.id, Case.owner_id.is_not_distinct_from(case.owner_id))
                .values(owner_id=new_owner.id, updated_at=now, version=Case.version + 1)
                .execution_options(synchronize_session=False)
            )
            if not moved.rowcount:  # type: ignore[attr-defined]
                raise CaseRuleError(f"{case.reference} changed owner meanwhile: look at it again")
            session.add(
                CaseOwnerChange(
                    id=new_id(),
                    case_id=case.id,
                    from_user_id=case.owner_id,
                    to_user_id=new_owner.id,
                    note=note.strip(),
                    changed_at=now,
                )
            )
            verb = "taken over by" if taking else f"handed over by {self.user.display_name} to"
            customer_id = session.get_one(Case, case.id).customer_id
            add_console_event(
                session,
                self.user,
                customer_id,
                case.id,
                now,
                f"{case.reference} {verb} {new_owner.display_name}",
                note,
            )
            session.flush()
            return next(c for c in customer_queries.cases_for(session, customer_id) if c.id == case.id)

    def needing_update(self, customer_id: uuid.UUID) -> list[CaseSummary]:
        """The customer's open cases past their target with no news and no update promised."""
        now = self._clock.now()
        with self._store.read() as session:
            cases = customer_queries.cases_for(session, customer_id)
            promised = {
                p.case_id
                for p in promise_queries.for_customer(session, customer_id, include_closed=0)
                if p.kind is PromiseKind.PROGRESS_UPDATE
            }
        return [c for c in cases if needs_progress_update(c, now, update_promised=c.id in promised)]
