"""Users: who is working at this workstation, and names for display."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import User
from storage.records import UserRecord


def _record(user: User) -> UserRecord:
    return UserRecord(
        user.id,
        user.username,
        user.display_name,
        user.role,
        user.team,
        user.goodwill_limit_pence,
        user.active,
    )


def by_username(session: Session, username: str) -> UserRecord | None:
    user = session.scalar(select(User).where(User.username == username))
    return _record(user) if user else None


def by_id(session: Session, user_id: uuid.UUID) -> UserRecord | None:
    user = session.get(User, user_id)
    return _record(user) if user else None


def all_active(session: Session) -> list[UserRecord]:
    return [_record(u) for u in session.scalars(select(User).where(User.active).order_by(User.display_name))]
