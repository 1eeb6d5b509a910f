"""A workstation's first sync: whether it needs one, where it stands, and its place moved on in the
same transaction as each page it writes."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import exists, insert, select, update
from sqlalchemy.orm import Session

from domain.records import SnapshotRecord
from storage.models import SyncSnapshot, User
from storage.queries import sync as sync_queries

SNAPSHOT = "server"


def state(session: Session) -> SnapshotRecord | None:
    row = session.get(SyncSnapshot, SNAPSHOT)
    if row is None:
        return None
    return SnapshotRecord(
        head=row.head,
        entity=row.entity,
        after_id=row.after_id,
        done=row.done,
        total=row.total,
        finished=row.finished_at is not None,
    )


def needed(session: Session) -> bool:
    """A first sync is due on a new store (no users, never pulled, no first sync begun), and until
    one that began has finished. A store filled some other way keeps to the change log alone."""
    found = state(session)
    if found is not None:
        return not found.finished
    if sync_queries.cursor(session) != 0:
        return False
    return not session.execute(select(exists().where(User.id.is_not(None)))).scalar()


def begin(session: Session, *, head: int, total: int, now: datetime) -> SnapshotRecord:
    session.execute(
        insert(SyncSnapshot).values(
            name=SNAPSHOT,
            head=head,
            entity=None,
            after_id=None,
            done=0,
            total=total,
            started_at=now,
            updated_at=now,
        )
    )
    return SnapshotRecord(head=head, entity=None, after_id=None, done=0, total=total, finished=False)


def advance(
    session: Session, *, entity: str, after_id: uuid.UUID | None, done: int, total: int, now: datetime
) -> None:
    """The place after a page, written in the page's own transaction."""
    session.execute(
        update(SyncSnapshot)
        .where(SyncSnapshot.name == SNAPSHOT)
        .values(entity=entity, after_id=after_id, done=done, total=total, updated_at=now)
    )


def finish(session: Session, now: datetime) -> None:
    """Every entity taken: from now on the change log after the head keeps the store current."""
    row = session.get(SyncSnapshot, SNAPSHOT)
    assert row is not None
    session.execute(
        update(SyncSnapshot).where(SyncSnapshot.name == SNAPSHOT).values(finished_at=now, updated_at=now)
    )
    if sync_queries.cursor(session) < row.head:
        sync_queries.set_cursor(session, row.head, now)
