"""The audit chain heads a workstation has seen (its witness of the server's chain), and the
comparison of witnessed heads with a chain as it stands."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import AuditEntry, AuditHead


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str
    seen_at: datetime


def recent(session: Session, limit: int) -> list[Head]:
    """The last `limit` heads seen, newest first."""
    rows = session.scalars(select(AuditHead).order_by(AuditHead.seq.desc()).limit(limit))
    return [Head(row.seq, row.hash, row.seen_at) for row in rows]


def every(session: Session) -> list[Head]:
    rows = session.scalars(select(AuditHead).order_by(AuditHead.seq))
    return [Head(row.seq, row.hash, row.seen_at) for row in rows]


def record(session: Session, seq: int, hash_: str, now: datetime) -> None:
    """Keep a head seen now; a seq already witnessed keeps its first hash (the one to compare)."""
    if session.get(AuditHead, seq) is None:
        session.add(AuditHead(seq=seq, hash=hash_, seen_at=now))
        session.flush()


def differences(witnessed: Iterable[Head], current: Mapping[int, str], *, seen_by: str) -> list[str]:
    """One line per witnessed head the chain no longer holds as it was seen, oldest first."""
    problems: list[str] = []
    for head in sorted(witnessed, key=lambda head: head.seq):
        seen = f"seen by {seen_by} at {head.seen_at:%Y-%m-%d %H:%M} UTC"
        now = current.get(head.seq)
        if now is None:
            problems.append(f"seq {head.seq}: {seen}, now missing (the chain's tail deleted or truncated)")
        elif now != head.hash:
            problems.append(f"seq {head.seq}: {seen} with another hash (the chain rewritten up to here)")
    return problems


def hashes_at(session: Session, seqs: Iterable[int]) -> dict[int, str]:
    """The audit log's hash at each seq it still holds."""
    wanted = sorted(set(seqs))
    found: dict[int, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for seq, hash_ in session.execute(
            select(AuditEntry.seq, AuditEntry.hash).where(AuditEntry.seq.in_(chunk))
        ):
            found[int(seq)] = str(hash_)
    return found


def chain_head(session: Session) -> int | None:
    return session.scalar(select(func.max(AuditEntry.seq)))
