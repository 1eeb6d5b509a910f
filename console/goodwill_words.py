"""How goodwill is put in words: its kinds, the reasons offered, a request's state and the notice
of a decision."""

from __future__ import annotations

from console.money import format_pence
from domain.records import GoodwillRecord
from domain.vocabulary import Authorisation, GoodwillKind, GoodwillState

KIND_WORDS = {
    GoodwillKind.GOODWILL_CREDIT: "goodwill credit",
    GoodwillKind.COMPENSATION: "compensation",
    GoodwillKind.FEE_WAIVER: "fee waiver",
    GoodwillKind.REFUND: "refund",
}
REASON_CATEGORIES = (
    "service outage",
    "missed callback",
    "missed appointment",
    "delayed repair",
    "delayed installation",
    "fee charged in error",
    "billing error",
    "moving home",
    "other",
)
OVER_LIMIT_NEXT_STEP = (
    "Sent to a supervisor for approval — tell the customer it is being approved, not that it is done."
)


def state_words(record: GoodwillRecord) -> str:
    """The request's state as the advisor tells it: who decided, and why when it was refused."""
    if record.state is GoodwillState.AWAITING_APPROVAL:
        return "Awaiting approval"
    if record.state is GoodwillState.AWAITING_SECOND_APPROVAL:
        return f"Awaiting a second approval (first by {record.decided_by_name})"
    if record.state is GoodwillState.REJECTED:
        return f"Rejected: {record.decision_note}" if record.decision_note else "Rejected"
    if record.authorisation is Authorisation.SELF_WITHIN_LIMIT:
        return "Approved (within your limit)"
    if record.authorisation is Authorisation.SECOND_SUPERVISOR:
        return f"Approved by {record.decided_by_name} and {record.second_decided_by_name}"
    return f"Approved by {record.decided_by_name}"


def decided_by_name(record: GoodwillRecord) -> str | None:
    return record.second_decided_by_name or record.decided_by_name


def decision_words(record: GoodwillRecord) -> str:
    """The notice a requester gets: `Goodwill £75.00 for Tom Reed approved by Sam Patel`."""
    kind = "Goodwill" if record.kind is GoodwillKind.GOODWILL_CREDIT else KIND_WORDS[record.kind].capitalize()
    head = f"{kind} {format_pence(record.amount_pence)} for {record.customer_name}"
    if record.state is GoodwillState.REJECTED:
        note = (record.decision_note or "").strip().splitlines()
        who = decided_by_name(record)
        by = f" by {who}" if who else ""
        return f"{head} rejected{by}: {note[-1]}" if note else f"{head} rejected{by}"
    names = [n for n in (record.decided_by_name, record.second_decided_by_name) if n]
    return f"{head} approved by {' and '.join(names)}" if names else f"{head} approved"
