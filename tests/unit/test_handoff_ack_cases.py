"""The shared acknowledge-by cases (tests/rules/handoff_cases.py) against the console's working-hours
arithmetic: `handoff_rules.acknowledge_by` with the shipped teams file."""

from __future__ import annotations

import pytest

from console.handoff_rules import acknowledge_by
from console.working_time import WorkingHours
from tests.rules.handoff_cases import ACK_CASES, AckCase


@pytest.mark.parametrize("case", ACK_CASES, ids=lambda case: case.name)
def test_acknowledge_by_case(case: AckCase) -> None:
    assert acknowledge_by(case.made_utc, case.team, WorkingHours()) == case.due_utc
