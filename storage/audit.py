"""The hash-chained audit log: each entry's hash covers its content and the previous entry's hash,
so an edited, deleted or reordered row breaks the chain and `verify` names it."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from storage.models import AuditEntry

GENESIS = "0" * 64
# Appends are serialised on PostgreSQL so two writers never chain onto the same previous row: on a
# central server by the chain head's row (no client role can lock it: storage/server/10_schema.sql),
# on a plain PostgreSQL store, which has no client roles, by an advisory lock.
_CHAIN_HEAD = "SELECT id FROM api.audit_chain_head WHERE id = 1 FOR UPDATE"
_CHAIN_LOCK = 7_246_001


def entry_hash(
    *,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: uuid.UUID | None,
    detail: dict[str, Any],
    prev_hash: str,
) -> str:
    canonical = json.dumps(
        {
            "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_id": str(entity_id) if entity_id is not None else None,
            "detail": detail,
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def append(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: uuid.UUID | None,
    detail: dict[str, Any],
) -> None:
    """Add one entry chained onto the last one, in the caller's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        if session.scalar(text("SELECT to_regclass('api.audit_chain_head')")) is not None:
            session.execute(text(_CHAIN_HEAD))
        else:
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
    previous = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1))
    prev_hash = previous or GENESIS
    fields: dict[str, Any] = {
        "at": at,
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "detail": detail,
    }
    session.add(AuditEntry(**fields, prev_hash=prev_hash, hash=entry_hash(**fields, prev_hash=prev_hash)))
    session.flush()


def entry_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def verify(session: Session) -> list[str]:
    """One line per broken entry (naming its seq); empty when the whole chain is intact."""
    problems: list[str] = []
    expected_prev = GENESIS
    for row in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
        if row.prev_hash != expected_prev:
            problems.append(f"seq {row.seq}: does not follow the entry before it (deleted or reordered)")
        computed = entry_hash(
            at=row.at,
            actor=row.actor,
            action=row.action,
            entity=row.entity,
            entity_id=row.entity_id,
            detail=row.detail,
            prev_hash=row.prev_hash,
        )
        if computed != row.hash:
            problems.append(f"seq {row.seq}: content does not match its hash (edited)")
        expected_prev = row.hash
    return problems
