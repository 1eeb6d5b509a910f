"""The sales-pitch suppressor's rules, one by one and together, and the words of its banner."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.suppressor import decide_offers
from domain.records import SuppressorCase, SuppressorFacts
from domain.vocabulary import CaseKind, CaseStatus, Confirmation

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
ID = uuid.UUID(int=1)


def facts(*, vulnerable: bool = False, consent: bool = True) -> SuppressorFacts:
    return SuppressorFacts(ID, vulnerable, consent)


def open_case(kind: CaseKind = CaseKind.BROADBAND_FAULT, days: float = 3) -> SuppressorCase:
    return SuppressorCase(kind, CaseStatus.IN_PROGRESS, NOW - timedelta(days=days))


def resolved(confirmation: Confirmation, kind: CaseKind = CaseKind.BROADBAND_FAULT) -> SuppressorCase:
    return SuppressorCase(
        kind,
        CaseStatus.RESOLVED,
        NOW - timedelta(days=5),
        resolved_at=NOW - timedelta(days=1),
        confirmation=confirmation,
    )


def complaint_closed(ago: timedelta) -> SuppressorCase:
    return SuppressorCase(
        CaseKind.COMPLAINT,
        CaseStatus.CLOSED,
        NOW - ago - timedelta(days=20),
        resolved_at=NOW - ago - timedelta(days=1),
        closed_at=NOW - ago,
        confirmation=Confirmation.CONFIRMED,
        formal_complaint=True,
    )


def test_no_problem_and_consent_allows_offers() -> None:
    decision = decide_offers(facts(), [], NOW)
    assert decision.allowed and decision.reasons == () and decision.banner == ""


def test_one_open_problem_pauses_offers_and_says_so() -> None:
    decision = decide_offers(facts(), [open_case()], NOW)
    assert not decision.allowed
    assert decision.banner == "Offers paused: 1 open problem (Broadband fault, opened 3 days ago)"


def test_several_open_problems_are_counted_and_listed_oldest_first() -> None:
    cases = [open_case(CaseKind.BILLING, days=0.2), open_case(days=1)]
    decision = decide_offers(facts(), cases, NOW)
    assert decision.banner == (
        "Offers paused: 2 open problems (Broadband fault, opened 1 day ago; Billing, opened today)"
    )


@pytest.mark.parametrize("status", [s for s in CaseStatus if s.is_open])
def test_every_open_status_pauses(status: CaseStatus) -> None:
    case = SuppressorCase(CaseKind.MOBILE_FAULT, status, NOW - timedelta(days=2))
    assert not decide_offers(facts(), [case], NOW).allowed


@pytest.mark.parametrize(
    "confirmation", [Confirmation.PENDING, Confirmation.NOT_REACHABLE, Confirmation.TOLD_IN_WRITING]
)
def test_resolved_but_not_confirmed_pauses(confirmation: Confirmation) -> None:
    decision = decide_offers(facts(), [resolved(confirmation)], NOW)
    assert not decision.allowed
    assert decision.reasons == ("awaiting the customer's confirmation that Broadband fault is fixed",)


def test_resolved_and_confirmed_allows() -> None:
    assert decide_offers(facts(), [resolved(Confirmation.CONFIRMED)], NOW).allowed


def test_several_awaiting_confirmation_read_as_a_list() -> None:
    cases = [resolved(Confirmation.PENDING), resolved(Confirmation.PENDING, CaseKind.BILLING)]
    decision = decide_offers(facts(), cases, NOW)
    assert decision.reasons == (
        "awaiting the customer's confirmation that Broadband fault and Billing are fixed",
    )


def test_a_closed_case_is_over_whatever_its_confirmation() -> None:
    closed = SuppressorCase(
        CaseKind.BILLING,
        CaseStatus.CLOSED,
        NOW - timedelta(days=30),
        resolved_at=NOW - timedelta(days=25),
        closed_at=NOW - timedelta(days=20),
        confirmation=Confirmation.TOLD_IN_WRITING,
    )
    assert decide_offers(facts(), [closed], NOW).allowed


def test_vulnerable_customer_is_never_offered_anything() -> None:
    decision = decide_offers(facts(vulnerable=True), [], NOW)
    assert not decision.allowed
    assert decision.banner == "Offers paused: customer is marked vulnerable"


def test_no_marketing_consent_pauses() -> None:
    decision = decide_offers(facts(consent=False), [], NOW)
    assert decision.banner == "Offers paused: no marketing consent"


def test_formal_complaint_closed_recently_pauses_with_the_resume_date() -> None:
    decision = decide_offers(facts(), [complaint_closed(timedelta(days=3))], NOW)
    assert not decision.allowed
    assert decision.reasons == ("formal complaint closed 3 days ago; offers resume on 6 Dec 2026",)


def test_cooldown_boundary_and_setting() -> None:
    just_inside = complaint_closed(timedelta(days=14) - timedelta(seconds=1))
    exactly = complaint_closed(timedelta(days=14))
    assert not decide_offers(facts(), [just_inside], NOW).allowed
    assert decide_offers(facts(), [exactly], NOW).allowed
    assert not decide_offers(facts(), [exactly], NOW, complaint_cooldown=timedelta(days=30)).allowed
    assert decide_offers(facts(), [complaint_closed(timedelta(days=8))], NOW, timedelta(days=7)).allowed


def test_a_closed_case_that_was_not_a_formal_complaint_has_no_cooldown() -> None:
    plain = complaint_closed(timedelta(days=1))
    plain = SuppressorCase(**{**plain.__dict__, "formal_complaint": False})
    assert decide_offers(facts(), [plain], NOW).allowed


def test_resume_date_is_read_in_the_workstation_zone() -> None:
    late = SuppressorCase(
        CaseKind.COMPLAINT,
        CaseStatus.CLOSED,
        NOW - timedelta(days=10),
        closed_at=datetime(2026, 11, 20, 23, 30, tzinfo=UTC),
        confirmation=Confirmation.CONFIRMED,
        formal_complaint=True,
    )
    assert decide_offers(facts(), [late], NOW).reasons[0].endswith("offers resume on 4 Dec 2026")
    tokyo = decide_offers(facts(), [late], NOW, zone=ZoneInfo("Asia/Tokyo"))
    assert tokyo.reasons[0].endswith("offers resume on 5 Dec 2026")


def test_the_banner_names_every_rule_that_applies() -> None:
    cases = [
        open_case(),
        resolved(Confirmation.PENDING, CaseKind.BILLING),
        complaint_closed(timedelta(days=1)),
    ]
    decision = decide_offers(facts(vulnerable=True, consent=False), cases, NOW)
    assert decision.banner == (
        "Offers paused: 1 open problem (Broadband fault, opened 3 days ago); "
        "awaiting the customer's confirmation that Billing is fixed; "
        "formal complaint closed 1 day ago; offers resume on 8 Dec 2026; "
        "customer is marked vulnerable; "
        "no marketing consent"
    )
    assert len(decision.reasons) == 5


CASES = st.builds(
    SuppressorCase,
    kind=st.sampled_from(CaseKind),
    status=st.sampled_from(CaseStatus),
    opened_at=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2026, 11, 25), timezones=st.just(UTC)
    ),
    confirmation=st.sampled_from(Confirmation),
)


@given(
    cases=st.lists(CASES, max_size=6),
    vulnerable=st.booleans(),
    consent=st.booleans(),
)
def test_allowed_exactly_when_no_rule_applies(
    cases: list[SuppressorCase], vulnerable: bool, consent: bool
) -> None:
    decision = decide_offers(facts(vulnerable=vulnerable, consent=consent), cases, NOW)
    blocked = (
        vulnerable
        or not consent
        or any(c.status.is_open for c in cases)
        or any(
            c.status is CaseStatus.RESOLVED and c.confirmation is not Confirmation.CONFIRMED for c in cases
        )
    )
    assert decision.allowed is not blocked
    assert decision.allowed is (decision.banner == "") is (decision.reasons == ())
    if any(c.status.is_open for c in cases):
        assert "open problem" in decision.banner
