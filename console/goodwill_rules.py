"""Who may give how much: a request within the requester's limit is approved at once, above it a
supervisor approves, above the supervisor's limit a second supervisor; nobody approves their own."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain.records import UserRecord
from domain.vocabulary import Authorisation, GoodwillState, Role

MAX_REASON = 2_000


class GoodwillRuleError(ValueError):
    """The request or decision breaks a rule; the message says which."""


class GoodwillConflictError(GoodwillRuleError):
    """Someone else decided this request first; the message says who."""


@dataclass(frozen=True)
class Verdict:
    state: GoodwillState
    authorisation: Authorisation | None


def on_request(amount_pence: int, requester: UserRecord, reason: str) -> Verdict:
    if amount_pence <= 0:
        raise GoodwillRuleError("the amount must be more than £0.00")
    if not reason.strip():
        raise GoodwillRuleError("give the reason: the customer and the approver will both read it")
    if len(reason) > MAX_REASON:
        raise GoodwillRuleError(
            f"the reason is too long ({len(reason):,} characters, at most {MAX_REASON:,})"
        )
    if not requester.active:
        raise GoodwillRuleError(f"{requester.display_name} is not an active user")
    if amount_pence <= requester.goodwill_limit_pence:
        return Verdict(GoodwillState.APPROVED, Authorisation.SELF_WITHIN_LIMIT)
    return Verdict(GoodwillState.AWAITING_APPROVAL, None)


@dataclass(frozen=True)
class PendingRequest:
    amount_pence: int
    requested_by: UserRecord
    state: GoodwillState
    first_approver_id: uuid.UUID | None = None


def on_approval(request: PendingRequest, approver: UserRecord) -> Verdict:
    """The state after `approver` says yes; raises if they may not."""
    if request.state not in (GoodwillState.AWAITING_APPROVAL, GoodwillState.AWAITING_SECOND_APPROVAL):
        raise GoodwillRuleError(f"this request is already {request.state.value.replace('_', ' ')}")
    if approver.id == request.requested_by.id:
        raise GoodwillRuleError("nobody approves their own request: ask a supervisor")
    if approver.role is not Role.SUPERVISOR or not approver.active:
        raise GoodwillRuleError("only an active supervisor approves goodwill above an advisor's limit")
    if request.state is GoodwillState.AWAITING_SECOND_APPROVAL:
        if approver.id == request.first_approver_id:
            raise GoodwillRuleError("a second supervisor must approve: you gave the first approval")
        return Verdict(GoodwillState.APPROVED, Authorisation.SECOND_SUPERVISOR)
    if request.amount_pence <= approver.goodwill_limit_pence:
        return Verdict(GoodwillState.APPROVED, Authorisation.SUPERVISOR)
    return Verdict(GoodwillState.AWAITING_SECOND_APPROVAL, None)
