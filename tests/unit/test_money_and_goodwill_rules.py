"""Amounts are pence, never floats; limits and four eyes hold for every amount and every pair of people."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.goodwill_rules import GoodwillRuleError, PendingRequest, on_approval, on_request
from console.money import MAX_PAYMENT_PENCE, AmountError, format_pence, parse_pounds
from domain.records import UserRecord
from domain.vocabulary import Authorisation, GoodwillState, Role, Team


@pytest.mark.parametrize(
    ("typed", "pence"),
    [("12.50", 1250), ("£12.50", 1250), ("£ 7", 700), ("0.01", 1), ("1,250", 125000), ("3.5", 350)],
)
def test_amounts_read_as_pence(typed: str, pence: int) -> None:
    assert parse_pounds(typed) == pence


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "more than £0.00"),
        ("0", "more than £0.00"),
        ("1e9", "not an amount"),
        ("12.345", "two digits at most"),
        ("£ 12,50", "use a point for pence"),
        ("", "enter an amount"),
        ("100000.01", "more than £10,000.00"),
        ("12.50; DROP TABLE goodwill", "not an amount"),
        ("NaN", "not an amount"),
    ],
)
def test_bad_amounts_have_a_message(typed: str, message: str) -> None:
    with pytest.raises(AmountError, match=message):
        parse_pounds(typed)


@given(st.integers(min_value=1, max_value=MAX_PAYMENT_PENCE))
def test_format_and_parse_round_trip(pence: int) -> None:
    assert parse_pounds(format_pence(pence)) == pence


@given(st.text(max_size=40))
def test_parse_never_returns_a_bad_amount(text: str) -> None:
    try:
        pence = parse_pounds(text)
    except AmountError:
        return
    assert isinstance(pence, int) and 0 < pence <= MAX_PAYMENT_PENCE


def person(role: Role, limit: int) -> UserRecord:
    return UserRecord(uuid.uuid4(), "u", "U", role, Team.FRONT_LINE, limit, True)


ADVISOR = person(Role.ADVISOR, 5_000)


@given(st.integers(min_value=1, max_value=MAX_PAYMENT_PENCE))
def test_never_approved_above_the_limit_without_a_supervisor(amount: int) -> None:
    verdict = on_request(amount, ADVISOR, "line down for a week")
    if amount <= ADVISOR.goodwill_limit_pence:
        assert verdict.state is GoodwillState.APPROVED
        assert verdict.authorisation is Authorisation.SELF_WITHIN_LIMIT
    else:
        assert verdict.state is GoodwillState.AWAITING_APPROVAL and verdict.authorisation is None


@pytest.mark.parametrize(("reason", "message"), [("  ", "give the reason"), ("x" * 10_000, "too long")])
def test_reason_is_required_and_bounded(reason: str, message: str) -> None:
    with pytest.raises(GoodwillRuleError, match=message):
        on_request(1_000, ADVISOR, reason)


@given(
    amount=st.integers(min_value=5_001, max_value=MAX_PAYMENT_PENCE),
    first_limit=st.integers(min_value=10_000, max_value=100_000),
)
def test_four_eyes_and_second_supervisor(amount: int, first_limit: int) -> None:
    first, second = person(Role.SUPERVISOR, first_limit), person(Role.SUPERVISOR, first_limit)
    request = PendingRequest(amount, ADVISOR, GoodwillState.AWAITING_APPROVAL)
    with pytest.raises(GoodwillRuleError, match="own request"):
        on_approval(PendingRequest(amount, first, GoodwillState.AWAITING_APPROVAL), first)
    with pytest.raises(GoodwillRuleError, match="only an active supervisor"):
        on_approval(request, person(Role.ADVISOR, 10**9))
    verdict = on_approval(request, first)
    if amount <= first_limit:
        assert verdict.state is GoodwillState.APPROVED and verdict.authorisation is Authorisation.SUPERVISOR
        return
    assert verdict.state is GoodwillState.AWAITING_SECOND_APPROVAL
    pending = PendingRequest(amount, ADVISOR, verdict.state, first.id)
    with pytest.raises(GoodwillRuleError, match="second supervisor"):
        on_approval(pending, first)
    final = on_approval(pending, second)
    assert final.state is GoodwillState.APPROVED and final.authorisation is Authorisation.SECOND_SUPERVISOR


def test_decided_requests_stay_decided() -> None:
    with pytest.raises(GoodwillRuleError, match="already approved"):
        on_approval(PendingRequest(9_000, ADVISOR, GoodwillState.APPROVED), person(Role.SUPERVISOR, 50_000))
