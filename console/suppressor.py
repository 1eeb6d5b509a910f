"""The sales-pitch suppressor: whether offers may be shown to a customer now, and why not in words.

Pure: facts in, a decision out. No offer while any problem is open, nor until the customer has
confirmed the fix; none for a vulnerable customer, one without marketing consent, or within a
cooling-off period after a formal complaint ended. The banner names every rule that applies.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from domain.records import CaseSummary, OfferRecord, SuppressorCase, SuppressorFacts
from domain.vocabulary import CaseKind, CaseStatus, Confirmation

DEFAULT_COMPLAINT_COOLDOWN = timedelta(days=14)

CASE_KIND_WORDS = {
    CaseKind.BROADBAND_FAULT: "Broadband fault",
    CaseKind.LANDLINE_FAULT: "Landline fault",
    CaseKind.MOBILE_FAULT: "Mobile fault",
    CaseKind.NEW_SERVICE: "New service",
    CaseKind.HOME_MOVE: "Home move",
    CaseKind.BILLING: "Billing",
    CaseKind.PLAN_CHANGE: "Plan change",
    CaseKind.ENGINEER_APPOINTMENT: "Engineer appointment",
    CaseKind.SERVICE_REQUEST: "Service request",
    CaseKind.COMPLAINT: "Complaint",
}


@dataclass(frozen=True)
class OfferDecision:
    allowed: bool
    reasons: tuple[str, ...]
    banner: str

    @staticmethod
    def from_reasons(reasons: Iterable[str]) -> OfferDecision:
        found = tuple(reasons)
        if not found:
            return OfferDecision(True, (), "")
        return OfferDecision(False, found, "Offers paused: " + "; ".join(found))


def _ago(moment: datetime, now: datetime, verb: str) -> str:
    days = max((now - moment).days, 0)
    if days == 0:
        return f"{verb} today"
    return f"{verb} {days} day{'s' if days != 1 else ''} ago"


def _and(words: Sequence[str]) -> str:
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]


def _day(moment: datetime, zone: tzinfo) -> str:
    local = moment.astimezone(zone)
    return f"{local.day} {local:%b %Y}"


def awaiting_confirmation(case: SuppressorCase) -> bool:
    """Resolved, but the customer has not (yet) confirmed the fix. A closed case is over."""
    return case.status is CaseStatus.RESOLVED and case.confirmation is not Confirmation.CONFIRMED


def complaint_ended_at(case: SuppressorCase) -> datetime | None:
    if not case.formal_complaint or case.status.is_open:
        return None
    return case.closed_at or case.resolved_at


def decide_offers(
    facts: SuppressorFacts,
    cases: Iterable[SuppressorCase],
    now: datetime,
    complaint_cooldown: timedelta = DEFAULT_COMPLAINT_COOLDOWN,
    *,
    zone: tzinfo = UTC,
) -> OfferDecision:
    """May offers be shown to this customer at `now`? `zone` is where the resume date is read."""
    cases = list(cases)
    reasons: list[str] = []

    open_cases = sorted((c for c in cases if c.status.is_open), key=lambda c: c.opened_at)
    if open_cases:
        count = len(open_cases)
        noun = "open problem" if count == 1 else "open problems"
        items = "; ".join(
            f"{CASE_KIND_WORDS[c.kind]}, {_ago(c.opened_at, now, 'opened')}" for c in open_cases
        )
        reasons.append(f"{count} {noun} ({items})")

    unconfirmed = sorted((c for c in cases if awaiting_confirmation(c)), key=lambda c: c.opened_at)
    if unconfirmed:
        kinds = list(dict.fromkeys(CASE_KIND_WORDS[c.kind] for c in unconfirmed))
        verb = "is" if len(unconfirmed) == 1 else "are"
        reasons.append(f"awaiting the customer's confirmation that {_and(kinds)} {verb} fixed")

    ended = [moment for c in cases if (moment := complaint_ended_at(c)) is not None]
    recent = [moment for moment in ended if now < moment + complaint_cooldown]
    if recent:
        latest = max(recent)
        reasons.append(
            f"formal complaint {_ago(latest, now, 'closed')}; "
            f"offers resume on {_day(latest + complaint_cooldown, zone)}"
        )

    if facts.vulnerable:
        reasons.append("customer is marked vulnerable")
    if not facts.marketing_consent:
        reasons.append("no marketing consent")
    return OfferDecision.from_reasons(reasons)


class OffersPausedError(RuntimeError):
    """Offers may not be shown to this customer now: nothing was recorded. Carries the decision."""

    def __init__(self, decision: OfferDecision) -> None:
        super().__init__(decision.banner)
        self.decision = decision


@dataclass(frozen=True)
class OfferView:
    """What the offers panel shows: the decision, and the offers (none unless allowed)."""

    customer_id: uuid.UUID
    decision: OfferDecision
    offers: tuple[OfferRecord, ...]


def suppressor_cases_among(
    cases: Iterable[CaseSummary], complaints_ended_since: datetime
) -> list[SuppressorCase]:
    """What the suppressor weighs of a customer's cases (all of them, read): every case not closed, and
    formal complaints that ended (closed, else resolved) since `complaints_ended_since`; by opening."""
    weighed = []
    for c in cases:
        ended = c.closed_at if c.closed_at is not None else c.resolved_at
        if c.status is not CaseStatus.CLOSED or (
            c.formal_complaint and ended is not None and ended >= complaints_ended_since
        ):
            weighed.append(
                SuppressorCase(
                    c.kind,
                    c.status,
                    c.opened_at,
                    c.resolved_at,
                    c.closed_at,
                    c.confirmation,
                    c.formal_complaint,
                    c.reference,
                )
            )
    return sorted(weighed, key=lambda c: c.opened_at)
