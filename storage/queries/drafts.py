"""Wrap-up drafts: one row per unsaved wrap-up, written on every edit, read back after a restart."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from domain.records import WrapUpDraftRecord
from storage.models import WrapUpDraft


def put(session: Session, user_id: uuid.UUID, draft: WrapUpDraftRecord, at: datetime) -> None:
    """Insert or replace the draft (by id) as the advisor left it."""
    row = session.get(WrapUpDraft, draft.id)
    if row is None:
        row = WrapUpDraft(id=draft.id, user_id=user_id)
        session.add(row)
    row.customer_id = draft.customer_id
    row.number = draft.number
    row.started_at = draft.started_at
    row.ended_at = draft.ended_at
    row.reason_code = draft.reason_code
    row.note = draft.note
    row.case_id = draft.case_id
    row.updated_at = at


def remove(session: Session, draft_id: uuid.UUID) -> None:
    session.execute(delete(WrapUpDraft).where(WrapUpDraft.id == draft_id))


def for_user(
    session: Session, user_id: uuid.UUID, customer_id: uuid.UUID | None = None
) -> list[WrapUpDraftRecord]:
    """The user's drafts (of one customer when given), oldest call first."""
    query = select(WrapUpDraft).where(WrapUpDraft.user_id == user_id)
    if customer_id is not None:
        query = query.where(WrapUpDraft.customer_id == customer_id)
    return [
        WrapUpDraftRecord(
            id=row.id,
            customer_id=row.customer_id,
            number=row.number,
            started_at=row.started_at,
            ended_at=row.ended_at,
            reason_code=row.reason_code,
            note=row.note,
            case_id=row.case_id,
        )
        for row in session.scalars(query.order_by(WrapUpDraft.started_at, WrapUpDraft.id))
    ]
