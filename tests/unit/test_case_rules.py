"""The case state machine: resolving with a root cause, confirming with the customer, closing in
writing after two failed attempts, reopening, feedback, and the formal complaint's 8-week clock."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console import case_rules as rules
from console.case_rules import CaseRuleError, FeedbackAnswers, RootCause
from domain.records import CaseSummary
from domain.vocabulary import CaseKind, CaseStatus, Confirmation, Severity

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
CAUSE = RootCause("line fault (copper)", "Card failed in the street cabinet; replaced")
LATER = NOW + timedelta(hours=4)


def case(status: CaseStatus = CaseStatus.IN_PROGRESS, **extra: object) -> CaseSummary:
    base = CaseSummary(
        id=uuid.UUID(int=1),
        reference="CS-1",
        kind=CaseKind.BROADBAND_FAULT,
        title="Broadband drops",
        status=status,
        severity=Severity.MEDIUM,
        owner_name=None,
        opened_at=NOW - timedelta(days=3),
        target_at=None,
        resolved_at=None,
        next_step=None,
        formal_complaint=False,
        owner_id=None,
        updated_at=NOW - timedelta(days=1),
    )
    return replace(base, **extra)  # type: ignore[arg-type]


def after(before: CaseSummary, change: rules.CaseChange) -> CaseSummary:
    """The case as the service would read it back after writing the change."""
    return replace(before, version=before.version + 1, **change.values)  # type: ignore[arg-type]


OPEN_STATUSES = [s for s in CaseStatus if s.is_open]


# -- resolving --------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", OPEN_STATUSES)
def test_resolve_confirmed_closes_the_case(status: CaseStatus) -> None:
    change = rules.resolve(case(status), CAUSE, Confirmation.CONFIRMED, NOW)
    done = after(case(status), change)
    assert done.status is CaseStatus.CLOSED
    assert done.confirmation is Confirmation.CONFIRMED
    assert done.resolved_at == NOW and done.closed_at == NOW
    assert done.root_cause_category == "line fault (copper)"
    assert done.root_cause_text == CAUSE.text


def test_resolve_not_reachable_stays_resolved_with_one_attempt() -> None:
    change = rules.resolve(case(), CAUSE, Confirmation.NOT_REACHABLE, NOW, LATER)
    done = after(case(), change)
    assert done.status is CaseStatus.RESOLVED
    assert done.confirmation is Confirmation.NOT_REACHABLE
    assert done.confirmation_attempts == 1
    assert done.closed_at is None


def test_not_reachable_needs_a_time_to_check_in_the_future() -> None:
    with pytest.raises(CaseRuleError, match="say when you will try again"):
        rules.resolve(case(), CAUSE, Confirmation.NOT_REACHABLE, NOW)
    with pytest.raises(CaseRuleError, match="in the past"):
        rules.resolve(case(), CAUSE, Confirmation.NOT_REACHABLE, NOW, NOW)


@pytest.mark.parametrize(
    ("cause", "message"),
    [
        (RootCause("", "text"), "choose the root cause category"),
        (RootCause("gremlins", "text"), "is not a root cause category"),
        (RootCause("line fault (copper)", ""), "the root cause is empty"),
        (RootCause("line fault (copper)", "   \n "), "the root cause is empty"),
        (RootCause("line fault (copper)", "x" * 10_000), "too long \\(10,000 characters"),
    ],
)
def test_resolve_needs_a_root_cause(cause: RootCause, message: str) -> None:
    with pytest.raises(CaseRuleError, match=message):
        rules.resolve(case(), cause, Confirmation.CONFIRMED, NOW)


def test_resolve_needs_an_answer_from_the_customer() -> None:
    for answer in (Confirmation.PENDING, Confirmation.TOLD_IN_WRITING):
        with pytest.raises(CaseRuleError, match="confirmed, or not reachable"):
            rules.resolve(case(), CAUSE, answer, NOW, LATER)


@pytest.mark.parametrize("status", [CaseStatus.RESOLVED, CaseStatus.CLOSED])
def test_resolve_only_an_open_case(status: CaseStatus) -> None:
    with pytest.raises(CaseRuleError, match="already"):
        rules.resolve(case(status), CAUSE, Confirmation.CONFIRMED, NOW)


def test_categories_are_one_list_of_distinct_short_words() -> None:
    assert len(set(rules.ROOT_CAUSE_CATEGORIES)) == len(rules.ROOT_CAUSE_CATEGORIES)
    assert all(0 < len(c) <= rules.MAX_CATEGORY for c in rules.ROOT_CAUSE_CATEGORIES)


# -- confirming, closing in writing, reopening -------------------------------------------------------


def awaiting(attempts: int = 1) -> CaseSummary:
    return case(
        CaseStatus.RESOLVED,
        confirmation=Confirmation.NOT_REACHABLE,
        confirmation_attempts=attempts,
        resolved_at=NOW - timedelta(days=1),
    )


def test_confirming_later_closes() -> None:
    done = after(awaiting(), rules.record_attempt(awaiting(), Confirmation.CONFIRMED, NOW))
    assert (done.status, done.confirmation, done.closed_at) == (
        CaseStatus.CLOSED,
        Confirmation.CONFIRMED,
        NOW,
    )


def test_second_failed_attempt_counts_and_allows_closing_in_writing() -> None:
    first = awaiting(1)
    assert not rules.may_close_in_writing(first)
    with pytest.raises(CaseRuleError, match=r"2 times .* \(1 so far\)"):
        rules.close_in_writing(first, "We wrote to you", NOW)
    second = after(first, rules.record_attempt(first, Confirmation.NOT_REACHABLE, NOW, LATER))
    assert second.confirmation_attempts == 2 and second.status is CaseStatus.RESOLVED
    assert rules.may_close_in_writing(second)
    closed = after(second, rules.close_in_writing(second, "We wrote to say it is fixed", NOW))
    assert closed.status is CaseStatus.CLOSED
    assert closed.confirmation is Confirmation.TOLD_IN_WRITING


def test_closing_in_writing_needs_the_letter() -> None:
    with pytest.raises(CaseRuleError, match="the letter to the customer is empty"):
        rules.close_in_writing(awaiting(2), "  ", NOW)


@pytest.mark.parametrize("status", [*OPEN_STATUSES, CaseStatus.CLOSED])
def test_confirmation_only_on_a_resolved_case(status: CaseStatus) -> None:
    with pytest.raises(CaseRuleError, match="only a resolved case"):
        rules.record_attempt(case(status), Confirmation.CONFIRMED, NOW)
    with pytest.raises(CaseRuleError, match="only a resolved case"):
        rules.close_in_writing(case(status, confirmation_attempts=5), "letter", NOW)


@pytest.mark.parametrize(
    "before", [awaiting(2), case(CaseStatus.CLOSED, confirmation=Confirmation.CONFIRMED)]
)
def test_reopen_starts_the_confirmation_again(before: CaseSummary) -> None:
    done = after(before, rules.reopen(before, "Still dropping every evening"))
    assert done.status is CaseStatus.IN_PROGRESS
    assert done.confirmation is Confirmation.PENDING
    assert done.confirmation_attempts == 0
    assert done.resolved_at is None and done.closed_at is None
    assert done.reopened_count == before.reopened_count + 1


def test_reopen_needs_a_reason_and_a_case_that_is_not_open() -> None:
    with pytest.raises(CaseRuleError, match="reason for reopening is empty"):
        rules.reopen(awaiting(), "")
    with pytest.raises(CaseRuleError, match="still open"):
        rules.reopen(case(), "not fixed")


# -- any sequence of acts keeps the case consistent --------------------------------------------------

ACTS = st.sampled_from(["resolve_ok", "resolve_nr", "confirm", "not_reached", "in_writing", "reopen"])


def act(current: CaseSummary, name: str) -> rules.CaseChange:
    if name == "resolve_ok":
        return rules.resolve(current, CAUSE, Confirmation.CONFIRMED, NOW)
    if name == "resolve_nr":
        return rules.resolve(current, CAUSE, Confirmation.NOT_REACHABLE, NOW, LATER)
    if name == "confirm":
        return rules.record_attempt(current, Confirmation.CONFIRMED, NOW)
    if name == "not_reached":
        return rules.record_attempt(current, Confirmation.NOT_REACHABLE, NOW, LATER)
    if name == "in_writing":
        return rules.close_in_writing(current, "We wrote to you", NOW)
    return rules.reopen(current, "not fixed")


@given(st.lists(ACTS, max_size=25))
def test_every_sequence_of_acts_keeps_the_invariants(names: list[str]) -> None:
    current = case()
    reopened = 0
    for name in names:
        try:
            change = act(current, name)
        except CaseRuleError:
            continue
        before = current
        current = after(current, change)
        if name == "reopen":
            reopened += 1
        if current.status is CaseStatus.CLOSED:
            # Closed only after confirmation, or two failed attempts and a letter.
            assert current.confirmation is Confirmation.CONFIRMED or (
                current.confirmation is Confirmation.TOLD_IN_WRITING and before.confirmation_attempts >= 2
            )
            assert current.closed_at is not None and current.resolved_at is not None
        if current.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
            assert current.root_cause_category in rules.ROOT_CAUSE_CATEGORIES
            assert current.root_cause_text
        if current.status is CaseStatus.RESOLVED:
            assert current.confirmation is Confirmation.NOT_REACHABLE
            assert current.confirmation_attempts >= 1
        if current.status.is_open:
            assert current.confirmation is Confirmation.PENDING
        assert current.reopened_count == reopened


# -- feedback ---------------------------------------------------------------------------------------


@given(st.integers(-3, 8), st.integers(-3, 8))
def test_feedback_scores_are_one_to_five_each(fix: int, fault: int) -> None:
    closed = case(CaseStatus.CLOSED)
    answers = FeedbackAnswers(fix, fault, "  the cabinet  ")
    if 1 <= fix <= 5 and 1 <= fault <= 5:
        assert rules.check_feedback(closed, answers) == FeedbackAnswers(fix, fault, "the cabinet")
    else:
        with pytest.raises(CaseRuleError, match="must be 1 to 5"):
            rules.check_feedback(closed, answers)


def test_feedback_only_after_closure_and_cause_text_bounded() -> None:
    with pytest.raises(CaseRuleError, match="after closure"):
        rules.check_feedback(awaiting(), FeedbackAnswers(3, 3, ""))
    with pytest.raises(CaseRuleError, match="too long"):
        rules.check_feedback(case(CaseStatus.CLOSED), FeedbackAnswers(3, 3, "x" * 10_000))
    assert rules.check_feedback(case(CaseStatus.CLOSED), FeedbackAnswers(5, 1, "")).cause_text == ""


# -- formal complaints ------------------------------------------------------------------------------


def test_complaint_clock_is_eight_weeks_from_when_it_was_made() -> None:
    made = NOW - timedelta(days=2)
    done = after(case(), rules.mark_complaint(case(), made, NOW))
    assert done.formal_complaint and done.complaint_made_at == made
    assert done.complaint_deadline_at == made + timedelta(days=56)
    assert not rules.adr_letter_due(done, NOW)
    assert not rules.adr_letter_due(done, made + timedelta(days=56) - timedelta(seconds=1))
    assert rules.adr_letter_due(done, made + timedelta(days=56))


@pytest.mark.parametrize(
    ("made", "message"),
    [
        (NOW + timedelta(hours=1), "in the future"),
        (NOW - timedelta(weeks=8), "more than 8 weeks ago"),
    ],
)
def test_complaint_dates_that_cannot_be(made: datetime, message: str) -> None:
    with pytest.raises(CaseRuleError, match=message):
        rules.mark_complaint(case(), made, NOW)


def test_complaint_not_twice_nor_on_a_closed_case() -> None:
    with pytest.raises(CaseRuleError, match="already a formal complaint"):
        rules.mark_complaint(case(formal_complaint=True), NOW, NOW)
    with pytest.raises(CaseRuleError, match="closed"):
        rules.mark_complaint(case(CaseStatus.CLOSED), NOW, NOW)


def test_deadlock_makes_the_letter_due_at_once() -> None:
    complaint = case(formal_complaint=True, complaint_deadline_at=NOW + timedelta(weeks=6))
    with pytest.raises(CaseRuleError, match="not a formal complaint"):
        rules.declare_deadlock(case(), "no agreement", NOW)
    with pytest.raises(CaseRuleError, match="is empty"):
        rules.declare_deadlock(complaint, "", NOW)
    with pytest.raises(CaseRuleError, match="ombudsman letter is due"):
        rules.record_adr_letter(complaint, NOW)
    deadlocked = after(complaint, rules.declare_deadlock(complaint, "Customer rejects our final offer", NOW))
    assert rules.adr_letter_due(deadlocked, NOW)
    with pytest.raises(CaseRuleError, match="already declared"):
        rules.declare_deadlock(deadlocked, "again", NOW)
    sent = after(deadlocked, rules.record_adr_letter(deadlocked, NOW))
    assert sent.adr_letter_sent_at == NOW


def test_no_letter_for_a_closed_complaint() -> None:
    closed = case(CaseStatus.CLOSED, formal_complaint=True, complaint_deadline_at=NOW - timedelta(days=1))
    assert not rules.adr_letter_due(closed, NOW)
    resolved = case(CaseStatus.RESOLVED, formal_complaint=True, complaint_deadline_at=NOW - timedelta(days=1))
    assert not rules.adr_letter_due(resolved, NOW)  # resolved, awaiting confirmation: not unresolved


def test_demo_data_root_causes_come_from_the_one_list() -> None:
    from console.seed.phrases import ROOT_CAUSES

    for causes in ROOT_CAUSES.values():
        for category, _text in causes:
            assert category in rules.ROOT_CAUSE_CATEGORIES


# -- what a case allows now --------------------------------------------------------------------------

A = rules.CaseAction
ME = uuid.UUID(int=7)


@pytest.mark.parametrize("status", OPEN_STATUSES)
def test_an_open_case_allows_resolving_ownership_and_a_complaint(status: CaseStatus) -> None:
    allowed = rules.allowed_actions(case(status), NOW)
    assert allowed == {A.RESOLVE, A.TAKE_OVER, A.HAND_OVER, A.FORMAL_COMPLAINT, A.SERVICE_DATES}


def test_the_owner_may_hand_over_but_not_take_over_their_own_case() -> None:
    mine = case(owner_id=ME)
    assert A.TAKE_OVER not in rules.allowed_actions(mine, NOW, ME)
    assert A.HAND_OVER in rules.allowed_actions(mine, NOW, ME)
    assert A.TAKE_OVER in rules.allowed_actions(mine, NOW, uuid.UUID(int=8))


def test_a_resolved_case_awaits_confirmation_and_may_be_reopened() -> None:
    allowed = rules.allowed_actions(awaiting(1), NOW)
    assert {A.CONFIRM, A.REOPEN, A.FORMAL_COMPLAINT} <= allowed
    assert not allowed & {A.RESOLVE, A.TAKE_OVER, A.HAND_OVER, A.FEEDBACK, A.CLOSE_IN_WRITING}
    assert A.CLOSE_IN_WRITING in rules.allowed_actions(awaiting(rules.ATTEMPTS_BEFORE_WRITING), NOW)


def test_a_closed_case_allows_feedback_and_reopening_only() -> None:
    closed = case(CaseStatus.CLOSED, kind=CaseKind.BILLING, formal_complaint=True, deadlock_at=NOW)
    assert rules.allowed_actions(closed, NOW) == {A.FEEDBACK, A.REOPEN}


def test_the_complaint_moves_from_marking_to_deadlock_to_the_letter() -> None:
    marked = case(formal_complaint=True, complaint_deadline_at=NOW + timedelta(weeks=4))
    allowed = rules.allowed_actions(marked, NOW)
    assert A.DEADLOCK in allowed and not allowed & {A.FORMAL_COMPLAINT, A.OMBUDSMAN_LETTER}
    deadlocked = replace(marked, deadlock_at=NOW)
    allowed = rules.allowed_actions(deadlocked, NOW)
    assert A.OMBUDSMAN_LETTER in allowed and A.DEADLOCK not in allowed
    assert A.OMBUDSMAN_LETTER in rules.allowed_actions(marked, NOW + timedelta(weeks=5))


def test_service_dates_only_for_kinds_the_scheme_covers() -> None:
    assert A.SERVICE_DATES not in rules.allowed_actions(case(kind=CaseKind.BILLING), NOW)


@given(st.lists(ACTS, max_size=12))
def test_every_act_allowed_is_one_the_rules_accept(names: list[str]) -> None:
    current = case()
    for name in names:
        allowed = rules.allowed_actions(current, NOW)
        try:
            change = act(current, name)
        except CaseRuleError:
            continue
        needed = {
            "resolve_ok": A.RESOLVE,
            "resolve_nr": A.RESOLVE,
            "confirm": A.CONFIRM,
            "not_reached": A.CONFIRM,
            "in_writing": A.CLOSE_IN_WRITING,
            "reopen": A.REOPEN,
        }[name]
        assert needed in allowed
        current = after(current, change)


# -- the status in words ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("standing", "words"),
    [
        (case(CaseStatus.IN_PROGRESS), "In progress"),
        (case(CaseStatus.AWAITING_CUSTOMER), "Awaiting customer"),
        (case(CaseStatus.IN_PROGRESS, formal_complaint=True), "Formal complaint"),
        (case(CaseStatus.OPEN, formal_complaint=True, deadlock_at=NOW), "Formal complaint, deadlock"),
        (case(CaseStatus.RESOLVED, confirmation=Confirmation.PENDING), "Awaiting confirmation"),
        (case(CaseStatus.RESOLVED, confirmation=Confirmation.NOT_REACHABLE), "Awaiting confirmation"),
        (case(CaseStatus.CLOSED, confirmation=Confirmation.CONFIRMED), "Closed"),
        (case(CaseStatus.CLOSED, formal_complaint=True, deadlock_at=NOW), "Closed"),
    ],
)
def test_status_words_say_complaint_deadlock_and_awaiting_confirmation(
    standing: CaseSummary, words: str
) -> None:
    assert rules.status_words(standing) == words


def test_a_fix_awaiting_confirmation_is_still_work() -> None:
    assert rules.awaiting_confirmation(case(CaseStatus.RESOLVED, confirmation=Confirmation.NOT_REACHABLE))
    assert not rules.awaiting_confirmation(case(CaseStatus.CLOSED, confirmation=Confirmation.CONFIRMED))
    assert not rules.awaiting_confirmation(case(CaseStatus.IN_PROGRESS))


def test_the_default_case_is_the_selected_open_one_or_the_only_open_one() -> None:
    first, second = case(id=uuid.UUID(int=1)), case(id=uuid.UUID(int=2))
    closed = case(CaseStatus.CLOSED, id=uuid.UUID(int=3))
    assert rules.default_case([first, closed], None) == first.id  # exactly one open: that one
    assert rules.default_case([first, second], None) is None  # several: the advisor says which
    assert rules.default_case([first, second], second) == second.id
    assert rules.default_case([first, closed], closed) == first.id  # a closed selection is no default
    assert rules.default_case([closed], None) is None
