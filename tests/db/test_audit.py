"""The audit log's hash chain: appended entries verify clean; an edited row is named by its seq."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text, update

from console.ids import new_id
from storage import audit
from storage.models import AuditEntry
from storage.store import Store

NOW = datetime(2026, 11, 25, 10, 0, 0, 123456, tzinfo=UTC)


def test_three_entries_verify_clean_and_an_edited_one_is_named(any_store: Store) -> None:
    with any_store.write() as session:
        for number in range(3):
            audit.append(
                session,
                at=NOW + timedelta(minutes=number),
                actor="sam",
                action="goodwill.approve",
                entity="goodwill",
                entity_id=new_id(),
                detail={"amount_pence": 7500 + number, "note": "Días sin servicio ✓"},
            )
    with any_store.read() as session:
        rows = list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
        assert audit.verify(session) == []
    assert rows[0].prev_hash == audit.GENESIS
    assert rows[1].prev_hash == rows[0].hash and rows[2].prev_hash == rows[1].hash
    second = rows[1].seq

    # Only someone with the rights to drop the append-only trigger can edit a row at all.
    with any_store.write() as session:
        if any_store.location.is_sqlite:
            session.execute(text("DROP TRIGGER audit_log_no_update"))
        else:
            session.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))
        session.execute(update(AuditEntry).where(AuditEntry.seq == second).values(detail={"amount_pence": 1}))
    with any_store.read() as session:
        problems = audit.verify(session)
    assert len(problems) == 1
    assert problems[0].startswith(f"seq {second}:")


def test_the_trigger_refuses_an_edit(any_store: Store) -> None:
    import pytest
    from sqlalchemy.exc import DBAPIError

    with any_store.write() as session:
        audit.append(
            session,
            at=NOW,
            actor="alex",
            action="goodwill.request",
            entity="goodwill",
            entity_id=None,
            detail={},
        )
    with pytest.raises(DBAPIError), any_store.write() as session:
        session.execute(update(AuditEntry).values(actor="mallory"))
