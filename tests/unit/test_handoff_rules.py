"""Which step a handoff can be moved on by: the window enables its buttons from this alone."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from console.handoff_rules import HandoffMove, next_move
from domain.records import HandoffRecord
from domain.vocabulary import HandoffKind, HandoffStatus, Team

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def handoff(status: HandoffStatus) -> HandoffRecord:
    return HandoffRecord(
        id=uuid.UUID(int=1),
        customer_id=uuid.UUID(int=2),
        case_id=None,
        case_reference=None,
        kind=next(iter(HandoffKind)),
        summary="Move the broadband to the new flat",
        from_team=Team.FRONT_LINE,
        to_team=Team.PROVISIONING,
        created_by_name="Alex Advisor",
        created_at=NOW - timedelta(hours=1),
        acknowledge_by=NOW + timedelta(hours=3),
        acknowledged_by_name=None,
        acknowledged_at=None,
        done_by=None,
        done_at=None,
        status=status,
        version=1,
    )


@pytest.mark.parametrize(
    ("status", "move"),
    [
        (HandoffStatus.AWAITING_ACK, HandoffMove.ACKNOWLEDGE),
        (HandoffStatus.ACKNOWLEDGED, HandoffMove.COMPLETE),
        (HandoffStatus.DONE, None),
        (HandoffStatus.CANCELLED, None),
    ],
)
def test_a_handoff_moves_on_one_step_at_a_time(status: HandoffStatus, move: HandoffMove | None) -> None:
    assert next_move(handoff(status)) is move


def test_every_status_is_covered() -> None:
    assert {next_move(handoff(status)) for status in HandoffStatus} == {*HandoffMove, None}
