"""The shared goodwill rule cases (tests/rules/goodwill_cases.py) against console/goodwill_rules.py."""

from __future__ import annotations

import uuid

import pytest

from console.goodwill_rules import GoodwillRuleError, PendingRequest, on_approval, on_request
from domain.records import UserRecord
from domain.vocabulary import Role, Team
from tests.rules.goodwill_cases import (
    ADVISOR_LIMIT,
    APPROVAL_CASES,
    REQUEST_CASES,
    ApprovalCase,
    RequestCase,
)


def person(role: Role, limit: int) -> UserRecord:
    return UserRecord(uuid.uuid4(), "u", "U", role, Team.FRONT_LINE, limit, True)


@pytest.mark.parametrize("case", REQUEST_CASES, ids=lambda case: case.name)
def test_request(case: RequestCase) -> None:
    requester = person(Role.ADVISOR, case.limit_pence)
    if case.refused:
        with pytest.raises(GoodwillRuleError, match=case.refused):
            on_request(case.amount_pence, requester, case.reason)
        return
    verdict = on_request(case.amount_pence, requester, case.reason)
    assert (verdict.state, verdict.authorisation) == (case.state, case.authorisation)


@pytest.mark.parametrize("case", APPROVAL_CASES, ids=lambda case: case.name)
def test_approval(case: ApprovalCase) -> None:
    approver = person(case.approver_role, case.approver_limit)
    requester = approver if case.approver == "requester" else person(Role.ADVISOR, ADVISOR_LIMIT)
    first = approver.id if case.approver == "first approver" else uuid.uuid4()
    request = PendingRequest(case.amount_pence, requester, case.before, first)
    if case.refused:
        with pytest.raises(GoodwillRuleError, match=case.refused):
            on_approval(request, approver)
        return
    verdict = on_approval(request, approver)
    assert (verdict.state, verdict.authorisation) == (case.state, case.authorisation)
