"""Users: who is working at this workstation, and names for display."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from domain.records import UserRecord
from storage import pane_sql
from storage.models import User
from storage.prepared import built_once, plain, rows


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


def add(session: Session, user: UserRecord, *, created_at: datetime) -> UserRecord:
    """Add `user` as the central server knows them (a workstation's copy of its team)."""
    session.add(
        User(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            goodwill_limit_pence=user.goodwill_limit_pence,
            team=user.team,
            active=user.active,
            created_at=created_at,
        )
    )
    return user


def rename(session: Session, user: UserRecord) -> None:
    """Give the user with `user.id` the name and display name the server has for it."""
    found = session.get(User, user.id)
    if found is not None:
        found.username = user.username
        found.display_name = user.display_name


def by_username(session: Session, username: str) -> UserRecord | None:
    user = session.scalar(select(User).where(User.username == username))
    return _record(user) if user else None


def _columns() -> Select[*tuple[Any, ...]]:
    """A UserRecord's columns, in its order."""
    return select(
        User.id,
        User.username,
        User.display_name,
        User.role,
        User.team,
        User.goodwill_limit_pence,
        User.active,
    )


@built_once
def _by_id_statement() -> Select[*tuple[Any, ...]]:
    return _columns().where(User.id == bindparam("user_id"))


def by_id(session: Session, user_id: uuid.UUID) -> UserRecord | None:
    found = rows(session, _by_id_statement(), {"user_id": user_id})
    return UserRecord(*tuple(found[0])) if found else None


def all_active(session: Session) -> list[UserRecord]:
    """Every active user by display name, read as rows rather than ORM objects (hundreds, at start)."""
    return pane_sql.active_users(plain(session))
