"""Who acts, as the store says at the moment of the act: role, team, limit and active flag come from
the users row now (a pull may have changed them since the console started), as the server reads its
users row for every mutation; a user no longer active acts no more."""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain.records import UserRecord
from storage.queries import users


class InactiveUserError(PermissionError):
    """The person acting is no longer an active user on this store (a pull brought it): nothing is saved."""


def acting_user(session: Session, user: UserRecord, refused: type[Exception]) -> UserRecord:
    """`user` as stored now (as given when the store does not hold them); `refused` when not active."""
    current = users.by_id(session, user.id) or user
    if not current.active:
        raise refused(f"{current.display_name} is no longer an active user: sign in again")
    return current


def check_active(session: Session, username: str) -> None:
    """Refuse any act of a user the store holds as not active, as the server refuses their mutations."""
    current = users.by_username(session, username)
    if current is not None and not current.active:
        raise InactiveUserError(f"{current.display_name} is no longer an active user: sign in again")
