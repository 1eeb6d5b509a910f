"""Handoffs (with whom each is for): per customer, per receiving team, unacknowledged past deadline,
and guarded acknowledge/complete steps."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import Session, aliased

from domain.records import HandoffRecord
from domain.vocabulary import HandoffKind, HandoffStatus, Team
from storage import pane_sql
from storage.models import Case, Customer, Handoff, User
from storage.prepared import built_once, plain, rows

# Built once: an alias made per call costs SQLAlchemy its column adaptation again every time.
_CREATOR, _ACKNOWLEDGER = aliased(User, name="creator"), aliased(User, name="acknowledger")


def _select() -> Select[*tuple[Any, ...]]:
    return (
        select(
            Handoff.id,
            Handoff.customer_id,
            Handoff.case_id,
            Case.reference,
            Handoff.kind,
            Handoff.summary,
            Handoff.from_team,
            Handoff.to_team,
            _CREATOR.display_name,
            Handoff.created_at,
            Handoff.acknowledge_by,
            _ACKNOWLEDGER.display_name,
            Handoff.acknowledged_at,
            Handoff.done_by,
            Handoff.done_at,
            Handoff.status,
            Handoff.version,
            Customer.given_name + " " + Customer.family_name,
            Customer.account_number,
        )
        .join(Customer, Customer.id == Handoff.customer_id)
        .join(_CREATOR, _CREATOR.id == Handoff.created_by)
        .outerjoin(_ACKNOWLEDGER, _ACKNOWLEDGER.id == Handoff.acknowledged_by)
        .outerjoin(Case, Case.id == Handoff.case_id)
    )


def _records(session: Session, statement: Select[*tuple[Any, ...]]) -> list[HandoffRecord]:
    return [HandoffRecord(*tuple(row)) for row in session.execute(statement)]


def get(session: Session, handoff_id: uuid.UUID) -> HandoffRecord | None:
    found = _records(session, _select().where(Handoff.id == handoff_id))
    return found[0] if found else None


def for_customer(session: Session, customer_id: uuid.UUID) -> list[HandoffRecord]:
    """Live ones first (by acknowledge-by), then finished ones, newest first."""
    return pane_sql.handoffs(plain(session), customer_id)


def unacknowledged_past(session: Session, moment: datetime) -> list[HandoffRecord]:
    return _records(
        session,
        _select()
        .where(Handoff.status == HandoffStatus.AWAITING_ACK, Handoff.acknowledge_by < moment)
        .order_by(Handoff.to_team, Handoff.acknowledge_by),
    )


@built_once
def _team_statement() -> Select[*tuple[Any, ...]]:
    return (
        _select()
        .where(
            Handoff.to_team == bindparam("team"),
            Handoff.status.in_([HandoffStatus.AWAITING_ACK, HandoffStatus.ACKNOWLEDGED]),
        )
        .order_by(Handoff.acknowledge_by, Handoff.created_at)
    )


def for_team(session: Session, team: Team) -> list[HandoffRecord]:
    """Live handoffs to `team` (awaiting acknowledgement or acknowledged), oldest deadline first."""
    return [HandoffRecord(*tuple(row)) for row in rows(session, _team_statement(), {"team": team})]


def moved_on_sent_by(session: Session, user_id: uuid.UUID, since: datetime) -> list[HandoffRecord]:
    """Handoffs `user_id` made that were acknowledged or done at or after `since`, oldest first."""
    moved = (Handoff.acknowledged_at >= since) | (Handoff.done_at >= since)
    statement = _select().where(Handoff.created_by == user_id, moved).order_by(Handoff.created_at)
    return _records(session, statement)


def add(
    session: Session,
    *,
    handoff_id: uuid.UUID,
    customer_id: uuid.UUID,
    case_id: uuid.UUID | None,
    kind: HandoffKind,
    summary: str,
    from_team: Team,
    to_team: Team,
    created_by: uuid.UUID,
    created_at: datetime,
    acknowledge_by: datetime,
    done_by: datetime | None,
) -> HandoffRecord:
    """Record a new handoff awaiting the other team's acknowledgement; returns it as stored."""
    session.add(
        Handoff(
            id=handoff_id,
            customer_id=customer_id,
            case_id=case_id,
            kind=kind,
            summary=summary,
            from_team=from_team,
            to_team=to_team,
            created_by=created_by,
            created_at=created_at,
            acknowledge_by=acknowledge_by,
            done_by=done_by,
            status=HandoffStatus.AWAITING_ACK,
            version=1,
        )
    )
    session.flush()
    made = get(session, handoff_id)
    assert made is not None
    return made


def advance(
    session: Session,
    handoff_id: uuid.UUID,
    *,
    version: int,
    expected: HandoffStatus,
    values: dict[str, Any],
) -> bool:
    """Move a handoff on from `expected` at the version seen; False if it moved meanwhile."""
    result = session.execute(
        update(Handoff)
        .where(Handoff.id == handoff_id, Handoff.version == version, Handoff.status == expected)
        .values(**values, version=Handoff.version + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
