"""What the advisor reads about a goodwill request, and where "this month" starts (no Qt, no store)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from console.ids import new_id
from console.services.goodwill import month_start, state_words
from domain.records import GoodwillRecord
from domain.vocabulary import Authorisation, GoodwillKind, GoodwillState

AT = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)

REQUEST = GoodwillRecord(
    id=new_id(),
    customer_id=new_id(),
    customer_name="Tom Baker",
    account_number="40000002",
    case_id=None,
    case_reference=None,
    kind=GoodwillKind.GOODWILL_CREDIT,
    amount_pence=7500,
    reason_category="service outage",
    reason_text="Four days without broadband",
    requested_by=new_id(),
    requested_by_name="Alex Morgan",
    requested_at=AT,
    state=GoodwillState.AWAITING_APPROVAL,
    authorisation=None,
    decided_by=None,
    decided_by_name=None,
    decided_at=None,
    decision_note=None,
    second_decided_by=None,
    second_decided_by_name=None,
    second_decided_at=None,
    version=1,
)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({}, "Awaiting approval"),
        (
            {"state": GoodwillState.AWAITING_SECOND_APPROVAL, "decided_by_name": "Sam Patel"},
            "Awaiting a second approval (first by Sam Patel)",
        ),
        (
            {"state": GoodwillState.APPROVED, "authorisation": Authorisation.SELF_WITHIN_LIMIT},
            "Approved (within your limit)",
        ),
        (
            {
                "state": GoodwillState.APPROVED,
                "authorisation": Authorisation.SUPERVISOR,
                "decided_by_name": "Sam Patel",
            },
            "Approved by Sam Patel",
        ),
        (
            {
                "state": GoodwillState.APPROVED,
                "authorisation": Authorisation.SECOND_SUPERVISOR,
                "decided_by_name": "Sam Patel",
                "second_decided_by_name": "Kim Lee",
            },
            "Approved by Sam Patel and Kim Lee",
        ),
        (
            {"state": GoodwillState.REJECTED, "decision_note": "Already credited"},
            "Rejected: Already credited",
        ),
    ],
)
def test_state_in_words(changes: dict[str, object], words: str) -> None:
    record = dataclasses.replace(REQUEST, **changes)  # type: ignore[arg-type]
    assert state_words(record) == words
    assert record.pending is (
        record.state is not GoodwillState.APPROVED and record.state is not GoodwillState.REJECTED
    )


def test_the_month_starts_on_the_first_at_midnight_utc() -> None:
    assert month_start(AT) == datetime(2026, 11, 1, tzinfo=UTC)
    assert month_start(datetime(2026, 12, 1, 0, 0, tzinfo=UTC)) == datetime(2026, 12, 1, tzinfo=UTC)


def test_the_month_starts_at_uk_midnight() -> None:
    from datetime import UTC, datetime

    from console.services.goodwill import month_start

    # 31 May 23:30 UTC is already 1 June in London (BST): June's total.
    assert month_start(datetime(2026, 5, 31, 23, 30, tzinfo=UTC)) == datetime(2026, 5, 31, 23, 0, tzinfo=UTC)
    # In winter the UK month starts at midnight UTC.
    assert month_start(datetime(2026, 11, 25, 10, 0, tzinfo=UTC)) == datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
