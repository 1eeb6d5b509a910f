"""The customer detail rule cases (tests/rules/detail_cases.py) against console/details_rules.py."""

from __future__ import annotations

import pytest

from console.details_rules import DetailRuleError, check_reason, check_value
from tests.rules.detail_cases import DETAIL_CASES, DetailCase


@pytest.mark.parametrize("case", DETAIL_CASES, ids=[case.name for case in DETAIL_CASES])
def test_the_console_agrees_with_the_detail_case(case: DetailCase) -> None:
    try:
        check_reason(case.reason)
        stored = check_value(case.field, case.typed)
    except DetailRuleError as refusal:
        assert str(refusal) == case.refused
    else:
        assert case.refused is None, f"allowed, yet the case refuses: {case.refused}"
        assert stored == case.stored


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(DetailRuleError, match="is not a customer detail"):
        check_value("shoe_size", "9")
