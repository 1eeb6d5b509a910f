"""Rules for cases: ownership changes, and when the owner owes the customer a progress update."""

from __future__ import annotations

from datetime import datetime

from storage.records import CaseSummary

MAX_NOTE = 2_000


class CaseRuleError(ValueError):
    """A case action breaks a rule; the message says which."""


def check_owner_change(case: CaseSummary, new_owner_name: str | None, note: str, *, taking: bool) -> None:
    if not case.status.is_open:
        raise CaseRuleError(f"{case.reference} is {case.status.value}: reopen it before changing its owner")
    if not note.strip():
        raise CaseRuleError("a handover needs a note for the next owner: what is done and what is next")
    if len(note) > MAX_NOTE:
        raise CaseRuleError(f"the note is too long (at most {MAX_NOTE:,} characters)")
    if not taking and new_owner_name is None:
        raise CaseRuleError("choose who takes the case over")


def needs_progress_update(case: CaseSummary, now: datetime, *, update_promised: bool) -> bool:
    """Past its target with no update since and no update promised: keep the customer informed."""
    if not case.status.is_open or case.target_at is None or now <= case.target_at:
        return False
    return case.updated_at <= case.target_at and not update_promised
