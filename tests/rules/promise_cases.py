"""One table of promise rule cases, run against the console's promise service on SQLite (which applies
console/promise_rules.py; tests/db/test_promise_rule_cases.py) and against the server's functions on
PostgreSQL (tests/db/test_server_promise_rule_cases.py): the two implementations cannot drift apart.

Each row: the promise as it stands, who acts (their role), the act and what they give, and the
outcome: allowed, with the promise's status after, or refused, with words the refusal contains.
Times are offsets from the moment of acting (`NOW` on both sides).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain.vocabulary import PromiseKind, PromiseStatus, Role

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
LONG = "x" * 2_001
PHONE = "+447700900123"

# Acts on both sides: make {kind, due, window_end, phone, note} (window_end an offset from now);
# end {status, text, next, told}; reassign {to, note} (to: "other", "owner", "nobody").
ACTS = ("make", "end", "reassign")
CONSOLE_ONLY: tuple[str, ...] = ()


@dataclass(frozen=True)
class Before:
    """The promise before an `end` or `reassign`: a callback owned by "actor" or "colleague"."""

    status: PromiseStatus = PromiseStatus.OPEN
    owner: str = "actor"
    outcome: str | None = None
    # Someone changed the promise after the advisor read it: seen at version 1, now at version 2.
    stale: bool = False
    # The promise is on a case owned by this person ("actor", "colleague", "other"); None: no case.
    case_owner: str | None = None


OPEN = Before()
DONE = Before(PromiseStatus.DONE, outcome="called back, all working")
NOT_REACHED = Before(PromiseStatus.NOT_REACHABLE, outcome="no answer")


@dataclass(frozen=True)
class PromiseRuleCase:
    """`then`: fields after the act: follow_up (a follow-up promise was made), owner."""

    name: str
    act: str
    payload: dict[str, Any] = field(default_factory=dict)
    before: Before = OPEN
    actor: Role = Role.ADVISOR
    status: PromiseStatus | None = None
    then: dict[str, Any] = field(default_factory=dict)
    refused: str | None = None


def _make(name: str, *, refused: str | None = None, **payload: Any) -> PromiseRuleCase:
    given = {
        "kind": PromiseKind.PROGRESS_UPDATE,
        "due": 2 * HOUR,
        "window_end": None,
        "phone": None,
        "note": "",
    }
    status = None if refused else PromiseStatus.OPEN
    return PromiseRuleCase(name, "make", given | payload, status=status, refused=refused)


def _end(
    name: str,
    status: PromiseStatus,
    text: str = "",
    *,
    next_at: timedelta | None = None,
    told: bool | None = None,
    before: Before = OPEN,
    refused: str | None = None,
    then: dict[str, Any] | None = None,
) -> PromiseRuleCase:
    payload = {"status": status, "text": text, "next": next_at, "told": told}
    return PromiseRuleCase(
        name,
        "end",
        payload,
        before,
        status=None if refused else status,
        then=then or {},
        refused=refused,
    )


def _reassign(
    name: str,
    to: str = "other",
    note: str = "Sam is off sick: please call them today",
    *,
    actor: Role = Role.SUPERVISOR,
    before: Before = Before(owner="colleague"),
    refused: str | None = None,
) -> PromiseRuleCase:
    status = None if refused else before.status
    then = {} if refused else {"owner": "other"}
    return PromiseRuleCase(name, "reassign", {"to": to, "note": note}, before, actor, status, then, refused)


PROMISE_CASES = [
    # -- making a promise ------------------------------------------------------------------------
    _make("a callback with a number to call", kind=PromiseKind.CALLBACK, phone=PHONE),
    _make("a progress update needs no number"),
    _make(
        "an engineer visit with a window", kind=PromiseKind.ENGINEER_VISIT, due=DAY, window_end=DAY + 3 * HOUR
    ),
    _make("a credit to apply, with a note", kind=PromiseKind.CREDIT, due=3 * DAY, note="£10 for the outage"),
    _make(
        "a letter to send, by the end of the week",
        kind=PromiseKind.LETTER,
        due=4 * DAY,
        note="written confirmation",
    ),
    _make("due within the year", due=365 * DAY),
    _make("due in the past", due=-MINUTE, refused="the due time is in the past: choose a time from now on"),
    _make("due this very moment", due=timedelta(0), refused="the due time is in the past"),
    _make("due more than a year away", due=367 * DAY, refused="the due time is more than a year away"),
    _make(
        "a window ending before it starts",
        due=DAY,
        window_end=DAY - HOUR,
        refused="the window must end after it starts",
    ),
    _make(
        "a window ending as it starts", due=DAY, window_end=DAY, refused="the window must end after it starts"
    ),
    _make(
        "a callback with no number",
        kind=PromiseKind.CALLBACK,
        refused="a callback needs a number to call: the customer has none on file, so ask for one",
    ),
    _make("a note too long", note=LONG, refused="the note is too long (2,001 characters, at most 2,000)"),
    # -- ending a promise ------------------------------------------------------------------------
    _end(
        "done, saying what happened",
        PromiseStatus.DONE,
        "called back, all working",
        then={"follow_up": False},
    ),
    _end(
        "done needs a few words",
        PromiseStatus.DONE,
        "  ",
        refused="say what happened: an outcome needs a few words",
    ),
    _end(
        "not reachable, with the next try: a follow-up promise",
        PromiseStatus.NOT_REACHABLE,
        next_at=2 * HOUR,
        then={"follow_up": True},
    ),
    _end(
        "not reachable without the next try",
        PromiseStatus.NOT_REACHABLE,
        refused="the customer was not reachable: set when to try again",
    ),
    _end(
        "not reachable, the next try in the past",
        PromiseStatus.NOT_REACHABLE,
        next_at=-HOUR,
        refused="the next attempt must be in the future",
    ),
    _end(
        "rescheduled, the customer told: a follow-up promise",
        PromiseStatus.RESCHEDULED,
        "engineer off sick",
        next_at=DAY,
        told=True,
        then={"follow_up": True},
    ),
    _end(
        "rescheduled, the customer not told (yet)",
        PromiseStatus.RESCHEDULED,
        "engineer off sick",
        next_at=DAY,
        told=False,
        then={"follow_up": True},
    ),
    _end(
        "rescheduled without a reason",
        PromiseStatus.RESCHEDULED,
        " ",
        next_at=DAY,
        told=True,
        refused="give the reason for rescheduling",
    ),
    _end(
        "rescheduled without saying whether the customer was told",
        PromiseStatus.RESCHEDULED,
        "engineer off sick",
        next_at=DAY,
        refused="say whether the customer was told the new time",
    ),
    _end(
        "rescheduled to the past",
        PromiseStatus.RESCHEDULED,
        "engineer off sick",
        next_at=-HOUR,
        told=True,
        refused="a rescheduled promise needs a new time in the future",
    ),
    _end(
        "rescheduled with no new time",
        PromiseStatus.RESCHEDULED,
        "engineer off sick",
        told=True,
        refused="a rescheduled promise needs a new time in the future",
    ),
    _end(
        "an outcome too long",
        PromiseStatus.DONE,
        LONG,
        refused="the outcome is too long (2,001 characters, at most 2,000)",
    ),
    _end(
        "a promise ended is not ended again",
        PromiseStatus.DONE,
        "called again",
        before=DONE,
        refused="this promise was already ended (done): called back, all working",
    ),
    _end(
        "a promise ended unreached is not ended again",
        PromiseStatus.DONE,
        "called again",
        before=NOT_REACHED,
        refused="this promise was already ended (customer not reachable): no answer",
    ),
    _end(
        "a promise changed since it was read is not ended blind",
        PromiseStatus.DONE,
        "called back",
        before=Before(stale=True),
        refused="this promise was changed by someone else meanwhile: look at it again",
    ),
    _end(
        "a colleague's promise is not ended by another advisor",
        PromiseStatus.DONE,
        "called back for Sam",
        before=Before(owner="colleague"),
        refused="only the promise's owner, its case's owner or a supervisor ends this promise",
    ),
    _end(
        "a colleague's promise on a case another advisor owns is not theirs to end",
        PromiseStatus.DONE,
        "called back for Sam",
        before=Before(owner="colleague", case_owner="other"),
        refused="only the promise's owner, its case's owner or a supervisor ends this promise",
    ),
    _end(
        "the case's owner ends a colleague's promise on their case",
        PromiseStatus.DONE,
        "called back for Sam",
        before=Before(owner="colleague", case_owner="actor"),
    ),
    _end(
        "the owner ends their promise on a colleague's case",
        PromiseStatus.DONE,
        "called back",
        before=Before(case_owner="colleague"),
    ),
    PromiseRuleCase(
        "a supervisor ends a colleague's promise",
        "end",
        {"status": PromiseStatus.DONE, "text": "called back for Sam", "next": None, "told": None},
        Before(owner="colleague"),
        Role.SUPERVISOR,
        PromiseStatus.DONE,
    ),
    # -- reassigning -----------------------------------------------------------------------------------
    _reassign("a supervisor gives a colleague's promise to another"),
    _reassign("an advisor does not reassign", actor=Role.ADVISOR, refused="only a supervisor reassigns"),
    _reassign("an ended promise is not reassigned", before=DONE, refused="there is nothing to reassign"),
    _reassign("to nobody known", to="nobody", refused="choose an active colleague to give the promise to"),
    _reassign("to its owner", to="owner", refused="already owns this promise"),
    _reassign("without a note", note=" ", refused="add a note for the new owner"),
    _reassign(
        "a promise changed since it was read",
        before=Before(owner="colleague", stale=True),
        refused="changed by someone else meanwhile",
    ),
    _reassign("a note too long", note=LONG, refused="the note is too long (2,001 characters, at most 2,000)"),
]


# -- what both runners share: the promise row before, and the fields read back after ---------------


def promise_columns(
    before: Before, now: datetime, owners: dict[str, uuid.UUID], case_id: uuid.UUID | None = None
) -> dict[str, Any]:
    """The promises table's columns for `before` (besides id and customer; `case_id`: its case's)."""
    ended = before.status is not PromiseStatus.OPEN
    return {
        "case_id": case_id,
        "kind": PromiseKind.CALLBACK,
        "owner_id": owners[before.owner],
        "created_at": now - DAY,
        "due_at": now + HOUR,
        "window_end_at": None,
        "phone_e164": PHONE,
        "note": None,
        "status": before.status,
        "outcome": before.outcome,
        "closed_at": now - HOUR if ended else None,
        "version": 2 if before.stale else 1,
    }


def observed(row: Mapping[Any, Any], owners: dict[str, uuid.UUID]) -> dict[str, Any]:
    by_id = {user_id: name for name, user_id in owners.items()}
    return {"follow_up": row["follow_up_id"] is not None, "owner": by_id.get(row["owner_id"])}


def disagreement(
    case: PromiseRuleCase, refusal: str | None, status: PromiseStatus | None, after: dict[str, Any]
) -> str | None:
    """What in the outcome differs from the row's expectation, or None."""
    if case.refused is not None:
        if refusal is None:
            return f"allowed (now {status}), expected refused with {case.refused!r}"
        if case.refused not in refusal:
            return f"refused with {refusal!r}, expected the words {case.refused!r}"
        return None
    if refusal is not None:
        return f"refused with {refusal!r}, expected allowed"
    if case.status is not None and status is not case.status:
        return f"now {status}, expected {case.status.value}"
    wrong = {key: after[key] for key, value in case.then.items() if after[key] != value}
    return f"fields {wrong}, expected {case.then}" if wrong else None
