"""The ombudsman letter drafted from the case and the customer, with the wording from its resource file."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from console.adr_letter import draft_adr_letter
from domain.records import CaseSummary, CustomerProfile
from domain.vocabulary import CaseKind, CaseStatus, Channel, Severity

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
CUSTOMER = CustomerProfile(
    uuid.UUID(int=2), "40000002", "Mr", "Tom", "Jones", None, (), "14 Acacia Avenue", "London", "M1 1AE",
    False, None, False, Channel.EMAIL, date(2015, 4, 1), None, (),
)  # fmt: skip


def complaint(*, deadlock: bool) -> CaseSummary:
    made = NOW - timedelta(days=20)
    return CaseSummary(
        uuid.UUID(int=1), "CS-0000003", CaseKind.BILLING, "Charged twice for October", CaseStatus.IN_PROGRESS,
        Severity.MEDIUM, None, made, None, None, None, True, None, NOW,
        complaint_made_at=made, complaint_deadline_at=made + timedelta(weeks=8),
        deadlock_at=NOW if deadlock else None,
    )  # fmt: skip


def test_deadlock_letter_names_the_customer_case_dates_and_ombudsman() -> None:
    letter = draft_adr_letter(complaint(deadlock=True), CUSTOMER, "We refunded one charge.", NOW, UTC)
    assert letter.subject == "Your complaint CS-0000003: your right to go to the ombudsman"
    body = letter.body
    assert body.startswith("Mr Tom Jones\n14 Acacia Avenue\nLondon\nM1 1AE\n\n25 November 2026")
    assert "Dear Mr Jones," in body
    assert "on 5 November 2026 about: Charged twice for October" in body
    assert "We refunded one charge." in body
    assert "final response" in body and "Communications Ombudsman" in body
    assert "within 12 months of the date of this letter" in body
    assert "$" not in body  # every placeholder filled


def test_eight_week_letter_gives_the_deadline() -> None:
    letter = draft_adr_letter(complaint(deadlock=False), CUSTOMER, "Summary.", NOW + timedelta(weeks=6), UTC)
    assert "the 8 weeks ended on 31 December 2026" in letter.body
