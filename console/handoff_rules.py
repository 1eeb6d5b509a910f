"""Handoffs between teams: when each must be acknowledged, and whether one has been dropped."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from console.teams import TeamList, standard_teams
from console.working_time import WorkingHours
from domain.records import HandoffRecord
from domain.vocabulary import HandoffStatus, Role, Team


class HandoffState(StrEnum):
    AWAITING = "awaiting"  # not yet acknowledged, still within its deadline
    DROPPED = "dropped"  # not acknowledged past its deadline: red everywhere
    ACKNOWLEDGED = "acknowledged"
    LATE = "late"  # acknowledged, but past its done-by
    DONE = "done"
    CANCELLED = "cancelled"


class HandoffRuleError(ValueError):
    """A handoff or a step of it breaks a rule; the message says which."""


def acknowledge_by(
    created_at: datetime, to_team: Team, hours: WorkingHours, teams: TeamList | None = None
) -> datetime:
    """The receiving team's acknowledge time (resources/teams.toml) in working hours after `created_at`."""
    return hours.add(created_at, (teams or standard_teams()).info(to_team).acknowledge_within)


def handoff_state(handoff: HandoffRecord, now: datetime) -> HandoffState:
    if handoff.status is HandoffStatus.CANCELLED:
        return HandoffState.CANCELLED
    if handoff.status is HandoffStatus.DONE:
        return HandoffState.DONE
    if handoff.status is HandoffStatus.AWAITING_ACK:
        return HandoffState.DROPPED if now > handoff.acknowledge_by else HandoffState.AWAITING
    if handoff.done_by is not None and now > handoff.done_by:
        return HandoffState.LATE
    return HandoffState.ACKNOWLEDGED


def may_say_being_dealt_with(handoffs: list[HandoffRecord]) -> bool:
    """ "It's being dealt with" is true only when every live handoff has been acknowledged."""
    live = [h for h in handoffs if h.status in (HandoffStatus.AWAITING_ACK, HandoffStatus.ACKNOWLEDGED)]
    return bool(live) and all(h.status is HandoffStatus.ACKNOWLEDGED for h in live)


def check_new_handoff(from_team: Team, to_team: Team, summary: str) -> None:
    if from_team is to_team:
        raise HandoffRuleError("a handoff goes to another team")
    if not summary.strip():
        raise HandoffRuleError("say what the other team must do")
    if len(summary) > 2_000:
        raise HandoffRuleError("the summary is too long (at most 2,000 characters)")


def check_done_note(note: str | None) -> str | None:
    """What was done, as kept (trimmed; None when nothing was said)."""
    text = (note or "").strip()
    if len(text) > 2_000:
        raise HandoffRuleError("what was done is too long (at most 2,000 characters)")
    return text or None


def check_mover(team: Team, role: Role, handoff: HandoffRecord) -> None:
    """Only the receiving team acknowledges and completes a handoff (a supervisor may act for it)."""
    if team is not handoff.to_team and role is not Role.SUPERVISOR:
        words = handoff.to_team.value.replace("_", " ")
        raise HandoffRuleError(f"only the {words} team or a supervisor moves this handoff on")


class HandoffMove(StrEnum):
    """The one step a handoff can be moved on by now (the window offers only that one)."""

    ACKNOWLEDGE = "acknowledge"
    COMPLETE = "complete"


def next_move(handoff: HandoffRecord) -> HandoffMove | None:
    """Acknowledge one awaiting acknowledgement, complete one acknowledged; nothing once it has ended."""
    if handoff.status is HandoffStatus.AWAITING_ACK:
        return HandoffMove.ACKNOWLEDGE
    if handoff.status is HandoffStatus.ACKNOWLEDGED:
        return HandoffMove.COMPLETE
    return None
