"""One table of goodwill rule cases, run against console/goodwill_rules.py (tests/unit) and against
the server's functions (tests/db): the two implementations of the rules cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass

from domain.vocabulary import Authorisation, GoodwillState, Role

ADVISOR_LIMIT = 5_000
FIRST_SUPERVISOR_LIMIT = 10_000  # who gave the first approval in the second-approval cases


@dataclass(frozen=True)
class RequestCase:
    """An advisor with `limit_pence` asks for `amount_pence`."""

    name: str
    limit_pence: int
    amount_pence: int
    state: GoodwillState | None = None
    authorisation: Authorisation | None = None
    refused: str | None = None  # words the refusal contains
    reason: str = "line down for a week"


@dataclass(frozen=True)
class ApprovalCase:
    """Someone says yes to a request an advisor (limit ADVISOR_LIMIT) made for `amount_pence`.

    approver: "other" (a colleague), "requester" (the person who asked, then a supervisor whose
    limit is below the amount), or "first approver" (who gave the first of two approvals).
    before: the request's state when the approver acts; on the server a supervisor with
    FIRST_SUPERVISOR_LIMIT brings it there (approves, or rejects for REJECTED).
    """

    name: str
    amount_pence: int
    approver_role: Role
    approver_limit: int
    approver: str = "other"
    before: GoodwillState = GoodwillState.AWAITING_APPROVAL
    state: GoodwillState | None = None
    authorisation: Authorisation | None = None
    refused: str | None = None


REQUEST_CASES = [
    RequestCase(
        "well within the limit", ADVISOR_LIMIT, 1_250, GoodwillState.APPROVED, Authorisation.SELF_WITHIN_LIMIT
    ),
    RequestCase(
        "exactly the limit",
        ADVISOR_LIMIT,
        ADVISOR_LIMIT,
        GoodwillState.APPROVED,
        Authorisation.SELF_WITHIN_LIMIT,
    ),
    RequestCase("a penny over the limit", ADVISOR_LIMIT, ADVISOR_LIMIT + 1, GoodwillState.AWAITING_APPROVAL),
    RequestCase("far over the limit", ADVISOR_LIMIT, 1_000_000, GoodwillState.AWAITING_APPROVAL),
    RequestCase("a zero limit gives nothing alone", 0, 1, GoodwillState.AWAITING_APPROVAL),
    RequestCase("nothing", ADVISOR_LIMIT, 0, refused="more than £0.00"),
    RequestCase("a negative amount", ADVISOR_LIMIT, -500, refused="more than £0.00"),
    RequestCase("a blank reason", ADVISOR_LIMIT, 1_000, reason="   ", refused="give the reason"),
    RequestCase("a reason too long", ADVISOR_LIMIT, 1_000, reason="x" * 2_001, refused="too long"),
]

APPROVAL_CASES = [
    ApprovalCase(
        "within the supervisor's limit",
        7_500,
        Role.SUPERVISOR,
        10_000,
        state=GoodwillState.APPROVED,
        authorisation=Authorisation.SUPERVISOR,
    ),
    ApprovalCase(
        "exactly the supervisor's limit",
        10_000,
        Role.SUPERVISOR,
        10_000,
        state=GoodwillState.APPROVED,
        authorisation=Authorisation.SUPERVISOR,
    ),
    ApprovalCase(
        "above the supervisor's limit: a second supervisor must approve",
        10_001,
        Role.SUPERVISOR,
        10_000,
        state=GoodwillState.AWAITING_SECOND_APPROVAL,
        authorisation=None,
    ),
    ApprovalCase(
        "an advisor cannot approve, whatever their limit",
        7_500,
        Role.ADVISOR,
        1_000_000,
        refused="only an active supervisor",
    ),
    ApprovalCase(
        "nobody approves their own request",
        20_000,
        Role.SUPERVISOR,
        10_000,
        approver="requester",
        refused="own request",
    ),
    ApprovalCase(
        "a second supervisor completes it, whatever their own limit",
        20_000,
        Role.SUPERVISOR,
        2_000,
        before=GoodwillState.AWAITING_SECOND_APPROVAL,
        state=GoodwillState.APPROVED,
        authorisation=Authorisation.SECOND_SUPERVISOR,
    ),
    ApprovalCase(
        "the first approver cannot give the second approval",
        20_000,
        Role.SUPERVISOR,
        FIRST_SUPERVISOR_LIMIT,
        approver="first approver",
        before=GoodwillState.AWAITING_SECOND_APPROVAL,
        refused="second supervisor",
    ),
    ApprovalCase(
        "an approved request stays approved",
        7_500,
        Role.SUPERVISOR,
        10_000,
        before=GoodwillState.APPROVED,
        refused="already",
    ),
    ApprovalCase(
        "a rejected request stays rejected",
        7_500,
        Role.SUPERVISOR,
        10_000,
        before=GoodwillState.REJECTED,
        refused="already",
    ),
]


@dataclass(frozen=True)
class RejectionCase:
    """Someone says no to a request an advisor (limit ADVISOR_LIMIT) made for `amount_pence`;
    `decider` and `before` as in ApprovalCase."""

    name: str
    amount_pence: int
    decider_role: Role
    decider: str = "other"
    before: GoodwillState = GoodwillState.AWAITING_APPROVAL
    refused: str | None = None


REJECTION_CASES = [
    RejectionCase("a supervisor rejects", 7_500, Role.SUPERVISOR),
    RejectionCase(
        "an advisor cannot reject", 7_500, Role.ADVISOR, refused="only an active supervisor rejects"
    ),
    RejectionCase(
        "nobody rejects their own request", 20_000, Role.SUPERVISOR, decider="requester", refused="their own"
    ),
    RejectionCase(
        "a second supervisor rejects at the second stage",
        20_000,
        Role.SUPERVISOR,
        before=GoodwillState.AWAITING_SECOND_APPROVAL,
    ),
    RejectionCase(
        "the first approver does not decide the second stage",
        20_000,
        Role.SUPERVISOR,
        decider="first approver",
        before=GoodwillState.AWAITING_SECOND_APPROVAL,
        refused="you gave the first approval",
    ),
    RejectionCase(
        "an approved request cannot be rejected",
        7_500,
        Role.SUPERVISOR,
        before=GoodwillState.APPROVED,
        refused="already",
    ),
]
