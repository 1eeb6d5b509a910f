"""One table of case rule cases, run against the console's case service on SQLite (which applies
console/case_rules.py; tests/db/test_case_rule_cases.py) and against the server's functions on
PostgreSQL (tests/db/test_server_case_rule_cases.py): the two implementations cannot drift apart.

Each row: the case as it stands, who acts (their role), the act and what they give, and the outcome:
allowed, with the case's status and fields after, or refused, with words the refusal contains. Times
are offsets from the moment of acting (`NOW` on both sides).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain.vocabulary import CaseStatus, Confirmation, Role

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
WEEK = timedelta(weeks=1)
LONG = "x" * 2_001


@dataclass(frozen=True)
class Before:
    """The case before the act. `owner`: "actor" (who acts), "colleague", or None (nobody)."""

    status: CaseStatus = CaseStatus.OPEN
    confirmation: Confirmation = Confirmation.PENDING
    attempts: int = 0
    owner: str | None = None
    complaint_made: timedelta | None = None  # a formal complaint made this long before now
    deadlock: bool = False
    reopened_count: int = 0
    feedback_given: bool = False
    # Someone changed the case after the advisor read it: the advisor saw version 1 (and no owner),
    # the case is at version 2 (with `owner`).
    stale: bool = False


OPEN = Before()
RESOLVED = Before(CaseStatus.RESOLVED, Confirmation.NOT_REACHABLE, 1)
TRIED_TWICE = Before(CaseStatus.RESOLVED, Confirmation.NOT_REACHABLE, 2)
CLOSED = Before(CaseStatus.CLOSED, Confirmation.CONFIRMED)
COMPLAINT = Before(complaint_made=2 * WEEK)
OVERDUE_COMPLAINT = Before(complaint_made=9 * WEEK)


@dataclass(frozen=True)
class CaseRuleCase:
    """`act` is one of ACTS. `then`: fields after the act, by name: confirmation, attempts,
    reopened_count, owner ("actor"/"colleague"), formal_complaint, complaint_deadline (offset from
    now), deadlock, adr_letter, feedback (booleans: set or not)."""

    name: str
    act: str
    payload: dict[str, Any] = field(default_factory=dict)
    before: Before = OPEN
    actor: Role = Role.ADVISOR
    status: CaseStatus | None = None
    then: dict[str, Any] = field(default_factory=dict)
    refused: str | None = None


# The act's inputs: open {title, target}; resolve {category, text, confirmation, check_due};
# confirm {confirmation, check_due}; close_in_writing {letter}; reopen {reason};
# formal_complaint {made}; deadlock {note}; adr_letter {}; take {note}; hand_over {to, note}
# (to: "colleague", "owner" or "nobody"); feedback {fix, fault, cause}.
ACTS = (
    "open",
    "resolve",
    "confirm",
    "close_in_writing",
    "reopen",
    "formal_complaint",
    "deadlock",
    "adr_letter",
    "take",
    "hand_over",
    "feedback",
)
CAUSE = {"category": "router failure", "text": "the power supply failed"}
CONFIRMED = {"confirmation": Confirmation.CONFIRMED}
NOT_REACHED = {"confirmation": Confirmation.NOT_REACHABLE, "check_due": DAY}
ADR_DUE = "the ombudsman letter is due at deadlock or after 8 weeks unresolved"


def _case(name: str, act: str, payload: dict[str, Any] | None = None, **rest: Any) -> CaseRuleCase:
    return CaseRuleCase(name, act, payload or {}, **rest)


CASE_CASES = [
    # -- opening ---------------------------------------------------------------------------------
    _case(
        "a new case is open and owned by who opened it",
        "open",
        {"title": "Broadband down"},
        status=CaseStatus.OPEN,
        then={"owner": "actor"},
    ),
    _case(
        "a new case with a target from now on",
        "open",
        {"title": "No dial tone", "target": DAY},
        status=CaseStatus.OPEN,
    ),
    _case("a new case needs a title", "open", {"title": "   "}, refused="the title is empty"),
    _case(
        "a title over 200 characters",
        "open",
        {"title": "x" * 201},
        refused="the title is too long (201 characters, at most 200)",
    ),
    _case(
        "a title far over 200 characters",
        "open",
        {"title": "x" * 1_500},
        refused="the title is too long (1,500 characters, at most 200)",
    ),
    _case(
        "a title over the 2,000 every other text may have",
        "open",
        {"title": LONG},
        refused="the title is too long (2,001 characters, at most 200)",
    ),
    _case(
        "a target in the past",
        "open",
        {"title": "Broadband down", "target": -HOUR},
        refused="the target time is in the past",
    ),
    # -- resolving -------------------------------------------------------------------------------
    _case(
        "resolved with the customer's confirmation: closed",
        "resolve",
        CAUSE | CONFIRMED,
        status=CaseStatus.CLOSED,
        then={"confirmation": Confirmation.CONFIRMED, "attempts": 0},
    ),
    _case(
        "resolved, customer not reachable: resolved, first attempt",
        "resolve",
        CAUSE | NOT_REACHED,
        status=CaseStatus.RESOLVED,
        then={"confirmation": Confirmation.NOT_REACHABLE, "attempts": 1},
    ),
    _case(
        "a case in progress resolves",
        "resolve",
        CAUSE | CONFIRMED,
        before=Before(CaseStatus.IN_PROGRESS),
        status=CaseStatus.CLOSED,
    ),
    _case(
        "a case awaiting the customer resolves",
        "resolve",
        CAUSE | CONFIRMED,
        before=Before(CaseStatus.AWAITING_CUSTOMER),
        status=CaseStatus.CLOSED,
    ),
    _case(
        "a supervisor resolves too",
        "resolve",
        CAUSE | CONFIRMED,
        actor=Role.SUPERVISOR,
        status=CaseStatus.CLOSED,
    ),
    _case(
        "no root cause category",
        "resolve",
        CAUSE | CONFIRMED | {"category": " "},
        refused="choose the root cause category",
    ),
    _case(
        "a category not on the list",
        "resolve",
        CAUSE | CONFIRMED | {"category": "gremlins"},
        refused="'gremlins' is not a root cause category: choose one from the list",
    ),
    _case(
        "no words for the root cause",
        "resolve",
        CAUSE | CONFIRMED | {"text": "  "},
        refused="the root cause is empty: say it in a few words",
    ),
    _case(
        "a root cause too long",
        "resolve",
        CAUSE | CONFIRMED | {"text": LONG},
        refused="the root cause is too long (2,001 characters, at most 2,000)",
    ),
    _case(
        "the customer was not asked",
        "resolve",
        CAUSE | {"confirmation": Confirmation.PENDING},
        refused="ask the customer whether it is fixed: confirmed, or not reachable",
    ),
    _case(
        "not reachable, no time to try again",
        "resolve",
        CAUSE | NOT_REACHED | {"check_due": None},
        refused="say when you will try again",
    ),
    _case(
        "not reachable, the retry in the past",
        "resolve",
        CAUSE | NOT_REACHED | {"check_due": -HOUR},
        refused="the time to try the customer again is in the past",
    ),
    _case(
        "a resolved case is not resolved again",
        "resolve",
        CAUSE | CONFIRMED,
        before=RESOLVED,
        refused="is already resolved",
    ),
    _case(
        "a closed case is not resolved again",
        "resolve",
        CAUSE | CONFIRMED,
        before=CLOSED,
        refused="is already closed",
    ),
    _case(
        "a case changed since it was read is not resolved blind",
        "resolve",
        CAUSE | CONFIRMED,
        before=Before(stale=True),
        refused="was changed meanwhile (now open): look at it again",
    ),
    # -- confirming the fix ----------------------------------------------------------------------
    _case(
        "confirmed on a later try: closed",
        "confirm",
        CONFIRMED,
        before=RESOLVED,
        status=CaseStatus.CLOSED,
        then={"confirmation": Confirmation.CONFIRMED},
    ),
    _case(
        "not reachable again: a second attempt",
        "confirm",
        NOT_REACHED,
        before=RESOLVED,
        status=CaseStatus.RESOLVED,
        then={"confirmation": Confirmation.NOT_REACHABLE, "attempts": 2},
    ),
    _case(
        "an open case awaits no confirmation",
        "confirm",
        CONFIRMED,
        refused="is open: only a resolved case awaits confirmation",
    ),
    _case(
        "a closed case awaits no confirmation",
        "confirm",
        CONFIRMED,
        before=CLOSED,
        refused="is closed: only a resolved case awaits confirmation",
    ),
    _case(
        "an attempt says what the customer said",
        "confirm",
        {"confirmation": Confirmation.PENDING},
        before=RESOLVED,
        refused="record what the customer said: confirmed, or not reachable",
    ),
    _case(
        "not reachable again, no time to try again",
        "confirm",
        NOT_REACHED | {"check_due": None},
        before=RESOLVED,
        refused="say when you will try again",
    ),
    # -- closing without confirmation ------------------------------------------------------------
    _case(
        "after two failed attempts, closed in writing",
        "close_in_writing",
        {"letter": "Dear Ms Shah"},
        before=TRIED_TWICE,
        status=CaseStatus.CLOSED,
        then={"confirmation": Confirmation.TOLD_IN_WRITING},
    ),
    _case(
        "one failed attempt is not enough",
        "close_in_writing",
        {"letter": "Dear Ms Shah"},
        before=RESOLVED,
        refused="try the customer 2 times before closing without their confirmation (1 so far)",
    ),
    _case(
        "an open case is not closed in writing",
        "close_in_writing",
        {"letter": "Dear Ms Shah"},
        refused="is open: only a resolved case can be closed",
    ),
    _case(
        "closing in writing needs the letter",
        "close_in_writing",
        {"letter": " "},
        before=TRIED_TWICE,
        refused="the letter to the customer is empty",
    ),
    # -- reopening -------------------------------------------------------------------------------
    _case(
        "a closed case reopens, in progress",
        "reopen",
        {"reason": "still dropping"},
        before=CLOSED,
        status=CaseStatus.IN_PROGRESS,
        then={"confirmation": Confirmation.PENDING, "attempts": 0, "reopened_count": 1},
    ),
    _case(
        "a resolved case reopens, counted again",
        "reopen",
        {"reason": "still dropping"},
        before=Before(CaseStatus.RESOLVED, Confirmation.NOT_REACHABLE, 1, reopened_count=1),
        status=CaseStatus.IN_PROGRESS,
        then={"attempts": 0, "reopened_count": 2},
    ),
    _case(
        "an open case has nothing to reopen",
        "reopen",
        {"reason": "still dropping"},
        refused="is still open: there is nothing to reopen",
    ),
    _case(
        "a case awaiting the customer has nothing to reopen",
        "reopen",
        {"reason": "still dropping"},
        before=Before(CaseStatus.AWAITING_CUSTOMER),
        refused="is still open: there is nothing to reopen",
    ),
    _case(
        "reopening needs the reason",
        "reopen",
        {"reason": ""},
        before=CLOSED,
        refused="the reason for reopening is empty",
    ),
    # -- the formal complaint clock --------------------------------------------------------------
    _case(
        "a formal complaint starts its 8-week clock",
        "formal_complaint",
        {"made": HOUR},
        status=CaseStatus.OPEN,
        then={"formal_complaint": True, "complaint_deadline": 8 * WEEK - HOUR},
    ),
    _case(
        "a resolved case can become a formal complaint",
        "formal_complaint",
        {"made": DAY},
        before=RESOLVED,
        status=CaseStatus.RESOLVED,
        then={"formal_complaint": True},
    ),
    _case(
        "already a formal complaint",
        "formal_complaint",
        {"made": HOUR},
        before=COMPLAINT,
        refused="is already a formal complaint",
    ),
    _case(
        "a closed case is not made a complaint",
        "formal_complaint",
        {"made": HOUR},
        before=CLOSED,
        refused="is closed: reopen it, or open a new case for the complaint",
    ),
    _case(
        "a complaint made in the future",
        "formal_complaint",
        {"made": -HOUR},
        refused="the complaint cannot have been made in the future",
    ),
    _case(
        "a complaint made more than 8 weeks ago",
        "formal_complaint",
        {"made": 9 * WEEK},
        refused="the complaint was made more than 8 weeks ago",
    ),
    _case(
        "deadlock on a formal complaint",
        "deadlock",
        {"note": "no offer acceptable"},
        before=COMPLAINT,
        status=CaseStatus.OPEN,
        then={"deadlock": True},
    ),
    _case(
        "deadlock needs a formal complaint",
        "deadlock",
        {"note": "no offer acceptable"},
        refused="is not a formal complaint: mark it as one first",
    ),
    _case(
        "deadlock is declared once",
        "deadlock",
        {"note": "no offer acceptable"},
        before=Before(complaint_made=2 * WEEK, deadlock=True),
        refused="was already declared",
    ),
    _case(
        "no deadlock on a closed complaint",
        "deadlock",
        {"note": "no offer acceptable"},
        before=Before(CaseStatus.CLOSED, Confirmation.CONFIRMED, complaint_made=2 * WEEK),
        refused="is closed: there is no complaint to deadlock",
    ),
    _case(
        "deadlock says why",
        "deadlock",
        {"note": " "},
        before=COMPLAINT,
        refused="why no agreement can be reached is empty",
    ),
    _case(
        "at deadlock the ombudsman letter is due",
        "adr_letter",
        before=Before(complaint_made=2 * WEEK, deadlock=True),
        status=CaseStatus.OPEN,
        then={"adr_letter": True},
    ),
    _case(
        "8 weeks unresolved: the ombudsman letter is due",
        "adr_letter",
        before=OVERDUE_COMPLAINT,
        status=CaseStatus.OPEN,
        then={"adr_letter": True},
    ),
    _case("before 8 weeks, without deadlock, not yet", "adr_letter", before=COMPLAINT, refused=ADR_DUE),
    _case(
        "a resolved complaint past 8 weeks is not owed it",
        "adr_letter",
        before=Before(CaseStatus.RESOLVED, Confirmation.NOT_REACHABLE, 1, complaint_made=9 * WEEK),
        refused=ADR_DUE,
    ),
    _case("no ombudsman letter without a formal complaint", "adr_letter", refused=ADR_DUE),
    # -- ownership -------------------------------------------------------------------------------
    _case(
        "taking over an unowned case",
        "take",
        {"note": "I'll see it through"},
        status=CaseStatus.OPEN,
        then={"owner": "actor"},
    ),
    _case(
        "taking over from a colleague",
        "take",
        {"note": "they are on leave"},
        before=Before(owner="colleague"),
        status=CaseStatus.OPEN,
        then={"owner": "actor"},
    ),
    _case(
        "taking over a case that changed owner since it was read",
        "take",
        {"note": "I'll see it through"},
        before=Before(owner="colleague", stale=True),
        refused="changed owner meanwhile: look at it again",
    ),
    _case(
        "a handover note too long",
        "hand_over",
        {"to": "colleague", "note": LONG},
        before=Before(owner="actor"),
        refused="the note is too long (at most 2,000 characters)",
    ),
    _case(
        "a handover needs a note",
        "take",
        {"note": "  "},
        before=Before(owner="colleague"),
        refused="a handover needs a note for the next owner",
    ),
    _case(
        "a resolved case changes owner only once reopened",
        "take",
        {"note": "mine now"},
        before=RESOLVED,
        refused="is resolved: reopen it before changing its owner",
    ),
    _case(
        "nobody takes over a case they own",
        "take",
        {"note": "mine now"},
        before=Before(owner="actor"),
        refused="already owns",
    ),
    _case(
        "handing over to a colleague",
        "hand_over",
        {"to": "colleague", "note": "engineer booked"},
        before=Before(owner="actor"),
        status=CaseStatus.OPEN,
        then={"owner": "colleague"},
    ),
    _case(
        "handing over to nobody known",
        "hand_over",
        {"to": "nobody", "note": "engineer booked"},
        before=Before(owner="actor"),
        refused="choose who takes the case over",
    ),
    _case(
        "handing over to the owner",
        "hand_over",
        {"to": "owner", "note": "engineer booked"},
        before=Before(owner="colleague"),
        refused="already owns",
    ),
    _case(
        "a closed case is not handed over",
        "hand_over",
        {"to": "colleague", "note": "engineer booked"},
        before=Before(CaseStatus.CLOSED, Confirmation.CONFIRMED, owner="actor"),
        refused="is closed: reopen it before changing its owner",
    ),
    # -- feedback --------------------------------------------------------------------------------
    _case(
        "two scores after closure",
        "feedback",
        {"fix": 4, "fault": 2, "cause": "the storm"},
        before=CLOSED,
        status=CaseStatus.CLOSED,
        then={"feedback": True},
    ),
    _case(
        "no feedback before closure",
        "feedback",
        {"fix": 4, "fault": 2, "cause": ""},
        before=RESOLVED,
        refused="is resolved: feedback is asked after closure",
    ),
    _case(
        "the fix scores 1 to 5",
        "feedback",
        {"fix": 6, "fault": 2, "cause": ""},
        before=CLOSED,
        refused="the score for how the fix was handled must be 1 to 5",
    ),
    _case(
        "the fault scores 1 to 5",
        "feedback",
        {"fix": 4, "fault": 0, "cause": ""},
        before=CLOSED,
        refused="the score for the fault must be 1 to 5",
    ),
    _case(
        "feedback once per case",
        "feedback",
        {"fix": 4, "fault": 2, "cause": ""},
        before=Before(CaseStatus.CLOSED, Confirmation.CONFIRMED, feedback_given=True),
        refused="is already recorded",
    ),
]


# -- what both runners share: the case row before, and the fields read back after ------------------

ROOT_CAUSE = {"root_cause_category": "router failure", "root_cause_text": "the power supply failed"}


def case_columns(before: Before, now: datetime, owners: dict[str, uuid.UUID]) -> dict[str, Any]:
    """The case table's columns for `before` (besides id, reference and customer); `owners` names
    the ids of "actor" and "colleague"."""
    opened = now - 3 * WEEK
    settled = before.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED)
    made = now - before.complaint_made if before.complaint_made is not None else None
    return {
        "status": before.status,
        "confirmation": before.confirmation,
        "confirmation_attempts": before.attempts,
        "owner_id": owners[before.owner] if before.owner else None,
        "opened_at": opened,
        "updated_at": now - DAY,
        "resolved_at": now - DAY if settled else None,
        "closed_at": now - DAY if before.status is CaseStatus.CLOSED else None,
        "reopened_count": before.reopened_count,
        "formal_complaint": made is not None,
        "complaint_made_at": made,
        "complaint_deadline_at": made + 8 * WEEK if made is not None else None,
        "deadlock_at": now - HOUR if before.deadlock else None,
        "version": 2 if before.stale else 1,
    } | (ROOT_CAUSE if settled else {})


def observed(
    row: Mapping[str, Any], now: datetime, owners: dict[str, uuid.UUID], feedback: bool
) -> dict[str, Any]:
    """The `then` fields as the case row (and whether feedback exists) show them."""
    by_id = {user_id: name for name, user_id in owners.items()}
    deadline = row["complaint_deadline_at"]
    return {
        "confirmation": Confirmation(row["confirmation"]),
        "attempts": row["confirmation_attempts"],
        "reopened_count": row["reopened_count"],
        "owner": by_id.get(row["owner_id"]),
        "formal_complaint": bool(row["formal_complaint"]),
        "complaint_deadline": deadline - now if deadline is not None else None,
        "deadlock": row["deadlock_at"] is not None,
        "adr_letter": row["adr_letter_sent_at"] is not None,
        "feedback": feedback,
    }


def disagreement(
    case: CaseRuleCase, refusal: str | None, status: CaseStatus, after: dict[str, Any]
) -> str | None:
    """What in the outcome differs from the row's expectation, or None."""
    if case.refused is not None:
        if refusal is None:
            return f"allowed (now {status.value}), expected refused with {case.refused!r}"
        if case.refused not in refusal:
            return f"refused with {refusal!r}, expected the words {case.refused!r}"
        return None
    if refusal is not None:
        return f"refused with {refusal!r}, expected allowed"
    if case.status is not None and status is not case.status:
        return f"now {status.value}, expected {case.status.value}"
    wrong = {key: after[key] for key, value in case.then.items() if after[key] != value}
    return f"fields {wrong}, expected {case.then}" if wrong else None
