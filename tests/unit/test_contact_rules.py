"""The contact reasons file (read without ever failing, a bad line named) and what a contact must hold."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.case_rules import CaseRuleError, check_case_kind, check_case_words, progress_update
from console.contact_reasons import default_reasons_path, load_reasons, parse_reasons
from console.contact_rules import (
    ContactRuleError,
    check_duration,
    check_logged,
    check_reason_code,
    check_summary,
    duration_words,
)
from domain.records import CaseSummary
from domain.vocabulary import CaseKind, CaseStatus, Channel, Direction, Severity

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


def test_the_shipped_reasons_file_loads_in_its_order() -> None:
    reasons = load_reasons()
    assert reasons.problem is None
    assert reasons.reasons[0].code == "fault" and reasons.reasons[-1].code == "other"
    assert reasons.words_for("billing") == "Question about a bill or payment"
    assert all(check_reason_code(r.code) == r.code for r in reasons.reasons)
    assert default_reasons_path().name == "contact_reasons.toml"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('[reasons]\nfault = "A fault"\nbilling = \n', "line 3: not valid TOML"),
        ('[reasons]\nfault = "A fault"\n"Bad Code" = "Shouty"\n', "line 3: 'Bad Code' is not a reason code"),
        ('[reasons]\nfault = "A fault"\nmove = 3\n', "line 3: give the words for 'move' in quotes"),
        ('[reasons]\nfault = "   "\n', "line 2: give the words for 'fault'"),
        ('title = "no table"\n', "no [reasons] table"),
        ("", "no [reasons] table"),
    ],
)
def test_a_malformed_reasons_file_is_named_with_its_line(text: str, words: str) -> None:
    found = parse_reasons(text)
    assert found.reasons == ()
    assert found.problem is not None and words in found.problem
    assert found.problem.startswith("contact_reasons.toml")


def test_a_missing_reasons_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    found = load_reasons(tmp_path / "gone.toml")
    assert found.reasons == () and found.problem and "cannot be read" in found.problem


def test_a_summary_needs_words_and_has_a_limit() -> None:
    assert check_summary("  rang about the bill ") == "rang about the bill"
    with pytest.raises(ContactRuleError, match="write what happened"):
        check_summary("   ")
    with pytest.raises(ContactRuleError, match=r"too long \(100,000 characters, at most 10,000\)"):
        check_summary("x" * 100_000)


def test_reason_codes_and_durations_are_bounded() -> None:
    assert check_reason_code(None) is None and check_reason_code(" ") is None
    assert check_reason_code("fault_progress") == "fault_progress"
    for bad in ("Fault", "x" * 41, "rm -rf", "_x"):
        with pytest.raises(ContactRuleError, match="short code"):
            check_reason_code(bad)
    assert check_duration(0) == 0 and check_duration(86_400) == 86_400
    for bad in (-1, 86_401):
        with pytest.raises(ContactRuleError, match="0 to 86,400 seconds"):
            check_duration(bad)
    assert duration_words(754) == "12 min 34 s" and duration_words(9) == "9 s"
    assert duration_words(3_720) == "1 h 02 min"


def test_only_people_channels_are_logged_by_hand() -> None:
    check_logged(Channel.LETTER, Direction.OUTBOUND)
    with pytest.raises(ContactRuleError, match="choose how"):
        check_logged(Channel.SYSTEM, Direction.INBOUND)
    with pytest.raises(ContactRuleError, match="contacted us"):
        check_logged(Channel.EMAIL, Direction.INTERNAL)


def test_case_kind_and_words_are_checked() -> None:
    assert check_case_kind("billing") is CaseKind.BILLING
    with pytest.raises(CaseRuleError, match="kind must be one of broadband_fault"):
        check_case_kind("gremlins")
    assert check_case_words("  ", None) == (None, None)
    with pytest.raises(CaseRuleError, match="what the customer reported is too long"):
        check_case_words("x" * 2_001, None)


def _case(status: CaseStatus = CaseStatus.OPEN) -> CaseSummary:
    import uuid

    return CaseSummary(
        id=uuid.uuid4(),
        reference="CS-0000009",
        kind=CaseKind.BILLING,
        title="Charged twice",
        status=status,
        severity=Severity.MEDIUM,
        owner_name=None,
        opened_at=NOW,
        target_at=None,
        resolved_at=None,
        next_step=None,
        formal_complaint=False,
        owner_id=None,
        updated_at=NOW,
    )


def test_progress_needs_a_next_step_and_what_was_done_on_an_open_case() -> None:
    change = progress_update(_case(), "Refund on Friday", "Raised the refund", True)
    assert change.values == {"next_step": "Refund on Friday"}
    assert change.subject == "CS-0000009 progress (customer told): next, Refund on Friday"
    with pytest.raises(CaseRuleError, match="what was done is empty"):
        progress_update(_case(), " ", "", False)
    with pytest.raises(CaseRuleError, match="the next step is empty"):
        progress_update(_case(), " ", "Raised the refund", True)
    with pytest.raises(CaseRuleError, match="is closed: reopen it before recording progress"):
        progress_update(_case(CaseStatus.CLOSED), "Refund", "Raised", False)
