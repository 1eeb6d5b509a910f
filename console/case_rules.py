"""Rules for cases: ownership changes, progress updates, and the resolution state machine (root cause,
the customer's confirmation, closing, reopening, feedback) with the formal-complaint clock.

Pure: a case as last read (CaseSummary) and what the advisor asks for in; a CaseChange (the columns
to write) out, or CaseRuleError with the reason in words for the advisor. `allowed_actions` publishes
which acts a case allows now, so the window enables its buttons from the rules, never its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from console.compensation import covered
from domain.records import CaseSummary, PromiseRecord
from domain.vocabulary import CaseKind, CaseStatus, Confirmation, PromiseKind, PromiseStatus

MAX_NOTE = 2_000
MAX_CATEGORY = 60
# A case closes unconfirmed only after this many failed attempts to reach the customer.
ATTEMPTS_BEFORE_WRITING = 2
# The regulator's clock: a formal complaint unresolved this long may go to the ombudsman.
COMPLAINT_CLOCK = timedelta(weeks=8)
SCORES = range(1, 6)

# The one list of root-cause categories (the supervisor board ranks them; the demo data draws on it).
ROOT_CAUSE_CATEGORIES = (
    # the network and equipment
    "line fault (copper)",
    "exchange equipment",
    "mast outage",
    "planned works overran",
    "third-party damage",
    "router failure",
    # the customer's side
    "customer wiring",
    "customer equipment",
    "handset settings",
    "customer misunderstanding",
    # orders and provisioning
    "provisioning error",
    "SIM provisioning",
    "order not passed on",
    "order delayed",
    "order completed",
    "request completed",
    # engineers
    "engineer capacity",
    "appointment kept",
    # billing
    "billing system error",
    "duplicate payment",
    "incorrect fee",
    # how we handled it
    "broken promises",
    "callback number lost",
    "process failure",
    "advisor conduct",
    "other",
)


class CaseRuleError(ValueError):
    """A case action breaks a rule; the message says which."""


MAX_TITLE = 200


def check_new_case(title: str, target_at: datetime | None, now: datetime) -> str:
    """A new case needs a title (what is wrong, in a line); a target, if given, from now on."""
    cleaned = _text(title, "the title", limit=MAX_TITLE)
    if target_at is not None and target_at <= now:
        raise CaseRuleError("the target time is in the past: choose a time from now on")
    return cleaned


def check_case_kind(value: str) -> CaseKind:
    """One of the kinds of case (domain.vocabulary.CaseKind, the list api.case_open checks too)."""
    try:
        return CaseKind(value)
    except ValueError:
        raise CaseRuleError(f"kind must be one of {', '.join(CaseKind)}") from None


def check_case_words(reported: str | None, next_step: str | None) -> tuple[str | None, str | None]:
    """What the customer reported and the next step, both optional on a new case: None when blank."""
    said = _text(reported or "", "what the customer reported", required=False)
    step = _text(next_step or "", "the next step", required=False)
    return said or None, step or None


def provisional_reference(case_id: uuid.UUID) -> str:
    """A new case's name until the server gives it its CS- number (the answer to case.open)."""
    return f"CS-P{case_id.hex[-10:].upper()}"


def check_owner_change(case: CaseSummary, new_owner_name: str | None, note: str, *, taking: bool) -> None:
    if not case.status.is_open:
        raise CaseRuleError(f"{case.reference} is {case.status.value}: reopen it before changing its owner")
    if not note.strip():
        raise CaseRuleError("a handover needs a note for the next owner: what is done and what is next")
    if len(note) > MAX_NOTE:
        raise CaseRuleError(f"the note is too long (at most {MAX_NOTE:,} characters)")
    if not taking and new_owner_name is None:
        raise CaseRuleError("choose who takes the case over")


def default_case(cases: Sequence[CaseSummary], selected: CaseSummary | None) -> uuid.UUID | None:
    """The case a new promise or payment is about unless the advisor says otherwise: the selected
    open case, or the only open case when there is exactly one."""
    if selected is not None and selected.status.is_open:
        return selected.id
    open_cases = [case for case in cases if case.status.is_open]
    return open_cases[0].id if len(open_cases) == 1 else None


def needs_progress_update(case: CaseSummary, now: datetime, *, update_promised: bool) -> bool:
    """Past its target with no update since and no update promised: keep the customer informed."""
    if not case.status.is_open or case.target_at is None or now <= case.target_at:
        return False
    return case.updated_at <= case.target_at and not update_promised


def progress_update(case: CaseSummary, next_step: str, done: str, customer_told: bool) -> CaseChange:
    """News on an open case: what was done and the next step. It moves `updated_at` on, which is what
    `needs_progress_update` reads as news; whether the customer was told goes on the timeline."""
    if not case.status.is_open:
        raise CaseRuleError(
            f"{case.reference} is {case.status.value.replace('_', ' ')}: reopen it before recording progress"
        )
    _text(done, "what was done")
    step = _text(next_step, "the next step")
    told = "customer told" if customer_told else "customer not told yet"
    return CaseChange({"next_step": step}, f"{case.reference} progress ({told}): next, {step}"[:200])


def progress_note(done: str, customer_told: bool) -> str:
    """The timeline line's text for a progress update."""
    told = "The customer was told." if customer_told else "The customer has not been told yet."
    return f"{done.strip()}\n{told}"


# -- resolution and confirmation -------------------------------------------------------------------


@dataclass(frozen=True)
class CaseChange:
    """The columns one transition writes (besides version and updated_at), and a line for the timeline."""

    values: dict[str, object] = field(default_factory=dict)
    subject: str = ""


@dataclass(frozen=True)
class RootCause:
    category: str
    text: str


def _text(value: str, what: str, *, required: bool = True, limit: int = MAX_NOTE) -> str:
    cleaned = value.strip()
    if required and not cleaned:
        raise CaseRuleError(f"{what} is empty: say it in a few words")
    if len(cleaned) > limit:
        raise CaseRuleError(f"{what} is too long ({len(cleaned):,} characters, at most {limit:,})")
    return cleaned


def check_root_cause(cause: RootCause) -> RootCause:
    """The root cause as it will be stored: a category from the list and some words."""
    category = cause.category.strip()
    if not category:
        raise CaseRuleError("choose the root cause category")
    if category not in ROOT_CAUSE_CATEGORIES:
        raise CaseRuleError(
            f"{category[:MAX_CATEGORY]!r} is not a root cause category: choose one from the list"
        )
    return RootCause(category, _text(cause.text, "the root cause"))


def _check_due(check_due_at: datetime | None, now: datetime) -> datetime:
    if check_due_at is None:
        raise CaseRuleError("the customer was not reachable: say when you will try again (a promise)")
    if check_due_at <= now:
        raise CaseRuleError("the time to try the customer again is in the past: choose a time from now on")
    return check_due_at


def _confirmed(now: datetime) -> dict[str, object]:
    return {
        "status": CaseStatus.CLOSED,
        "confirmation": Confirmation.CONFIRMED,
        "closed_at": now,
    }


def _not_reached(case: CaseSummary) -> dict[str, object]:
    return {
        "status": CaseStatus.RESOLVED,
        "confirmation": Confirmation.NOT_REACHABLE,
        "confirmation_attempts": case.confirmation_attempts + 1,
    }


def resolve(
    case: CaseSummary,
    cause: RootCause,
    confirmation: Confirmation,
    now: datetime,
    check_due_at: datetime | None = None,
) -> CaseChange:
    """Resolve an open case: root cause required; the customer confirmed (the case closes) or was not
    reachable (it stays resolved, and a promise to check with them is due at `check_due_at`)."""
    if not case.status.is_open:
        raise CaseRuleError(f"{case.reference} is already {case.status.value}")
    cause = check_root_cause(cause)
    base: dict[str, object] = {
        "root_cause_category": cause.category,
        "root_cause_text": cause.text,
        "resolved_at": now,
        "confirmation_attempts": 0,
    }
    if confirmation is Confirmation.CONFIRMED:
        return CaseChange(base | _confirmed(now), f"{case.reference} resolved and confirmed by the customer")
    if confirmation is Confirmation.NOT_REACHABLE:
        _check_due(check_due_at, now)
        return CaseChange(
            base | _not_reached(replace(case, confirmation_attempts=0)),
            f"{case.reference} resolved; customer not reachable to confirm the fix",
        )
    raise CaseRuleError("ask the customer whether it is fixed: confirmed, or not reachable")


def record_attempt(
    case: CaseSummary, confirmation: Confirmation, now: datetime, check_due_at: datetime | None = None
) -> CaseChange:
    """Another try at confirming a resolved case's fix with the customer."""
    if case.status is not CaseStatus.RESOLVED:
        raise CaseRuleError(
            f"{case.reference} is {case.status.value}: only a resolved case awaits confirmation"
        )
    if confirmation is Confirmation.CONFIRMED:
        return CaseChange(_confirmed(now), f"{case.reference}: customer confirmed the fix; case closed")
    if confirmation is Confirmation.NOT_REACHABLE:
        _check_due(check_due_at, now)
        change = _not_reached(case)
        return CaseChange(
            change,
            f"{case.reference}: customer not reachable to confirm the fix "
            f"(attempt {change['confirmation_attempts']})",
        )
    raise CaseRuleError("record what the customer said: confirmed, or not reachable")


def may_close_in_writing(case: CaseSummary) -> bool:
    return (
        case.status is CaseStatus.RESOLVED
        and case.confirmation is Confirmation.NOT_REACHABLE
        and case.confirmation_attempts >= ATTEMPTS_BEFORE_WRITING
    )


def awaiting_confirmation(case: CaseSummary) -> bool:
    """Resolved, but the customer has not yet confirmed the fix works: still work to do."""
    return case.status is CaseStatus.RESOLVED and case.confirmation in (
        Confirmation.PENDING,
        Confirmation.NOT_REACHABLE,
    )


_STATUS_WORDS = {
    CaseStatus.OPEN: "Open",
    CaseStatus.IN_PROGRESS: "In progress",
    CaseStatus.AWAITING_CUSTOMER: "Awaiting customer",
    CaseStatus.RESOLVED: "Resolved",
    CaseStatus.CLOSED: "Closed",
}


def status_words(case: CaseSummary) -> str:
    """What a case's status column says, the part that matters first, in words (never colour alone):
    `Formal complaint, deadlock`, `Formal complaint`, `Awaiting confirmation`, `In progress`, `Closed`."""
    if awaiting_confirmation(case):
        return "Awaiting confirmation"
    if case.formal_complaint and case.status.is_open:
        return "Formal complaint, deadlock" if case.deadlock_at is not None else "Formal complaint"
    return _STATUS_WORDS[case.status]


def close_in_writing(case: CaseSummary, letter: str, now: datetime) -> CaseChange:
    """Close unconfirmed: only after two failed attempts, with the customer told in writing."""
    if case.status is not CaseStatus.RESOLVED:
        raise CaseRuleError(f"{case.reference} is {case.status.value}: only a resolved case can be closed")
    if not may_close_in_writing(case):
        raise CaseRuleError(
            f"try the customer {ATTEMPTS_BEFORE_WRITING} times before closing without their confirmation "
            f"({case.confirmation_attempts} so far)"
        )
    _text(letter, "the letter to the customer")
    return CaseChange(
        {"status": CaseStatus.CLOSED, "confirmation": Confirmation.TOLD_IN_WRITING, "closed_at": now},
        f"{case.reference} closed: customer not reachable, told in writing",
    )


def reopen(case: CaseSummary, reason: str) -> CaseChange:
    """The customer says it is not fixed: back to in progress, the confirmation starts again."""
    if case.status.is_open:
        raise CaseRuleError(f"{case.reference} is still open: there is nothing to reopen")
    reason = _text(reason, "the reason for reopening")
    return CaseChange(
        {
            "status": CaseStatus.IN_PROGRESS,
            "confirmation": Confirmation.PENDING,
            "confirmation_attempts": 0,
            "resolved_at": None,
            "closed_at": None,
            "reopened_count": case.reopened_count + 1,
        },
        f"{case.reference} reopened: {reason}"[:200],
    )


@dataclass(frozen=True)
class FeedbackAnswers:
    fix_score: int
    fault_score: int
    cause_text: str


def check_feedback(case: CaseSummary, answers: FeedbackAnswers) -> FeedbackAnswers:
    """Two separate scores (how the fix was handled; the fault happening at all), 1 to 5, after closure."""
    if case.status is not CaseStatus.CLOSED:
        raise CaseRuleError(f"{case.reference} is {case.status.value}: feedback is asked after closure")
    for score, what in ((answers.fix_score, "how the fix was handled"), (answers.fault_score, "the fault")):
        if score not in SCORES:
            raise CaseRuleError(f"the score for {what} must be 1 to 5")
    return FeedbackAnswers(
        answers.fix_score,
        answers.fault_score,
        _text(answers.cause_text, "what the customer thinks caused it", required=False),
    )


# -- the formal complaint clock --------------------------------------------------------------------


def complaint_deadline(made_at: datetime) -> datetime:
    return made_at + COMPLAINT_CLOCK


def mark_complaint(case: CaseSummary, made_at: datetime, now: datetime) -> CaseChange:
    """Flag a formal complaint; its 8-week clock runs from when the customer made it."""
    if case.formal_complaint:
        raise CaseRuleError(f"{case.reference} is already a formal complaint")
    if case.status is CaseStatus.CLOSED:
        raise CaseRuleError(f"{case.reference} is closed: reopen it, or open a new case for the complaint")
    if made_at > now:
        raise CaseRuleError("the complaint cannot have been made in the future")
    deadline = complaint_deadline(made_at)
    if deadline <= now:
        raise CaseRuleError(
            "the complaint was made more than 8 weeks ago: the customer is already owed the ombudsman letter"
        )
    return CaseChange(
        {"formal_complaint": True, "complaint_made_at": made_at, "complaint_deadline_at": deadline},
        f"{case.reference} marked as a formal complaint",
    )


def declare_deadlock(case: CaseSummary, note: str, now: datetime) -> CaseChange:
    """No agreement can be reached before the 8 weeks are up: the customer may go to the ombudsman now."""
    if not case.formal_complaint:
        raise CaseRuleError(f"{case.reference} is not a formal complaint: mark it as one first")
    if case.status is CaseStatus.CLOSED:
        raise CaseRuleError(f"{case.reference} is closed: there is no complaint to deadlock")
    if case.deadlock_at is not None:
        raise CaseRuleError(f"deadlock on {case.reference} was already declared")
    _text(note, "why no agreement can be reached")
    return CaseChange({"deadlock_at": now}, f"{case.reference}: deadlock declared on the formal complaint")


def adr_letter_due(case: CaseSummary, now: datetime) -> bool:
    """Deadlock declared, or 8 weeks passed unresolved: the customer must be told of the ombudsman."""
    if not case.formal_complaint or case.status is CaseStatus.CLOSED:
        return False
    if case.deadlock_at is not None:
        return True
    deadline = case.complaint_deadline_at
    return deadline is not None and now >= deadline and case.status.is_open


def record_adr_letter(case: CaseSummary, now: datetime) -> CaseChange:
    if not adr_letter_due(case, now):
        raise CaseRuleError(
            f"{case.reference}: the ombudsman letter is due at deadlock or after 8 weeks unresolved"
        )
    return CaseChange({"adr_letter_sent_at": now}, f"{case.reference}: ombudsman (ADR) letter sent")


# -- what a case allows now ------------------------------------------------------------------------


class CaseAction(StrEnum):
    """The acts on a case that the window offers (its buttons and the case list's row menu)."""

    RESOLVE = "resolve"
    CONFIRM = "confirm"
    CLOSE_IN_WRITING = "close in writing"
    REOPEN = "reopen"
    FEEDBACK = "feedback"
    FORMAL_COMPLAINT = "formal complaint"
    DEADLOCK = "deadlock"
    OMBUDSMAN_LETTER = "ombudsman letter"
    TAKE_OVER = "take over"
    HAND_OVER = "hand over"
    SERVICE_DATES = "service dates"


def allowed_actions(
    case: CaseSummary, now: datetime, user_id: uuid.UUID | None = None
) -> frozenset[CaseAction]:
    """The acts the rules above allow on `case` now, for the user `user_id` (the service checks again
    on save). Taking over is for a case someone else owns."""
    status, is_open = case.status, case.status.is_open
    allowed: set[CaseAction] = set()
    if is_open:
        allowed.add(CaseAction.RESOLVE)
        allowed.add(CaseAction.HAND_OVER)
        if user_id is None or case.owner_id != user_id:
            allowed.add(CaseAction.TAKE_OVER)
    if status is CaseStatus.RESOLVED:
        allowed.add(CaseAction.CONFIRM)
    if may_close_in_writing(case):
        allowed.add(CaseAction.CLOSE_IN_WRITING)
    if not is_open:
        allowed.add(CaseAction.REOPEN)
    if status is CaseStatus.CLOSED:
        allowed.add(CaseAction.FEEDBACK)
    else:
        if not case.formal_complaint:
            allowed.add(CaseAction.FORMAL_COMPLAINT)
        elif case.deadlock_at is None:
            allowed.add(CaseAction.DEADLOCK)
    if adr_letter_due(case, now):
        allowed.add(CaseAction.OMBUDSMAN_LETTER)
    if covered(case.kind):
        allowed.add(CaseAction.SERVICE_DATES)
    return frozenset(allowed)


def cases_needing_update(
    cases: Sequence[CaseSummary], promises: Sequence[PromiseRecord], now: datetime
) -> list[CaseSummary]:
    """Of one customer's cases, those owed a progress update now, given the customer's promises (an
    open progress-update promise for a case answers for it)."""
    promised = {
        p.case_id
        for p in promises
        if p.status is PromiseStatus.OPEN and p.kind is PromiseKind.PROGRESS_UPDATE
    }
    return [c for c in cases if needs_progress_update(c, now, update_promised=c.id in promised)]
