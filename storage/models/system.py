"""Audit log, the client's sync outbox and cursor, and the server's mutation and change logs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.vocabulary import MutationState
from storage.models.base import Base, enum_column
from storage.types import UTCDateTime

PENDING = "state = 'pending'"

# SQLite only gives AUTOINCREMENT semantics to INTEGER PRIMARY KEY.
BigIntPK = BigInteger().with_variant(Integer, "sqlite")


class AuditEntry(Base):
    """Append-only, hash-chained: each row's hash covers its content and the previous row's hash."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(63))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """A witness outside the server's audit log (a workstation-only table): the chain's last entry
    as this workstation saw it at a sync. A head that later disappears or changes is named."""

    __tablename__ = "audit_heads"

    seq: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxEntry(Base):
    """A named mutation waiting on the workstation to be pushed to the server."""

    __tablename__ = "sync_outbox"
    __table_args__ = (
        UniqueConstraint("client_id", "client_seq", name="client_order"),
        # Answered entries stay (the author's record), so what still waits is read by this index.
        Index(
            "ix_sync_outbox_pending",
            "client_seq",
            sqlite_where=text(PENDING),
            postgresql_where=text(PENDING),
        ),
    )

    mutation_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    client_seq: Mapped[int] = mapped_column(BigIntPK)
    kind: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(63))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[MutationState] = mapped_column(enum_column(MutationState, "outbox_state"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)


class SyncIdentity(Base):
    """The workstation's one row: its client id and the last client sequence number it handed out."""

    __tablename__ = "sync_identity"

    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SyncCursor(Base):
    """How far this workstation has pulled the server's change log."""

    __tablename__ = "sync_cursor"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigIntPK)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MutationLog(Base):
    """Server side: every mutation applied, keyed by its id, so a retry returns the stored result."""

    __tablename__ = "mutation_log"

    mutation_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    client_seq: Mapped[int] = mapped_column(BigIntPK)
    kind: Mapped[str] = mapped_column(String(60))
    actor: Mapped[str] = mapped_column(String(63))
    state: Mapped[MutationState] = mapped_column(enum_column(MutationState, "mutation_state"))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChangeLog(Base):
    """Server side: accepted changes in commit order; clients pull by sequence number."""

    __tablename__ = "change_log"

    seq: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=False)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    customer_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    # Only this user (and supervisors) may pull the change; NULL: every console role may.
    reader_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    mutation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    committed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SyncSnapshot(Base):
    """A first sync's place (a workstation-only table): the change log's head it started at, the
    entity and last id of the last page written, rows done of the total the server announced."""

    __tablename__ = "sync_snapshot"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    head: Mapped[int] = mapped_column(BigInteger)
    entity: Mapped[str | None] = mapped_column(String(40))
    after_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    done: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[int] = mapped_column(BigInteger)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Holding(Base):
    """A customer this workstation holds whole (a workstation-only table): fetched with their records
    at the change log's `since_seq` (a change at or before it is older than what is held and never
    overwrites it), last opened at `touched_at`; `evicted_at` once dropped from the store and not yet
    released on the server."""

    __tablename__ = "holdings"

    customer_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    since_seq: Mapped[int] = mapped_column(BigInteger)
    held_at: Mapped[datetime] = mapped_column(UTCDateTime)
    touched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    evicted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
