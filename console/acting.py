"""Who acts, as the store says at the moment of the act: role, team, limit and active flag come from
the users row now (a pull may have changed them since the console started), as the server reads its
users row for every mutation; a user no longer active acts no more."""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain.records import UserRecord
from storage.queries import users


def acting_user(session: Session, user: UserRecord, refused: type[Exception]) -> UserRecord:
    """`user` as stored now (as given when the store does not hold them); `refused` when not active."""
    current = users.by_id(session, user.id) or user
    if not current.active:
        raise refused(f"{current.display_name} is no longer an active user: sign in again")
    return current
