"""Who is working at this workstation, and the colleagues a case can be handed to."""

from __future__ import annotations

from domain.records import UserRecord
from storage.queries import users as queries
from storage.store import Store


class UnknownUserError(LookupError):
    """No active user with that username on this store."""


class PeopleService:
    def __init__(self, store: Store) -> None:
        self._store = store

    def current_user(self, username: str) -> UserRecord:
        """The user the console acts as; UnknownUserError if the store has no such active user."""
        name = username.strip()
        with self._store.read() as session:
            user = queries.by_username(session, name)
        if user is None:
            raise UnknownUserError(f"no user {name!r} on this store")
        if not user.active:
            raise UnknownUserError(f"user {name!r} is no longer active on this store")
        return user

    def colleagues(self) -> list[UserRecord]:
        """Every active user, by display name."""
        with self._store.read() as session:
            return queries.all_active(session)
