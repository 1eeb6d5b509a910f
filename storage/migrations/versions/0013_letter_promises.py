"""promises: a new kind, a letter to send (written confirmation, copies of bills, the promised
letter that so often never goes)

Revision ID: 0013_letter_promises
Revises: 0012_call_records
Create Date: 2026-12-06 03:00:00

The kind is a CHECK constraint on both engines (no native enum to alter). SQLite cannot change a
constraint in place, so the table is rebuilt in batch mode; PostgreSQL drops and re-adds it.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013_letter_promises"
down_revision: str | None = "0012_call_records"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ck_promises_promise_kind"
BEFORE = ("callback", "progress_update", "engineer_visit", "credit", "complaint_deadline")
AFTER = (*BEFORE, "letter")


def _allow(kinds: Sequence[str]) -> None:
    condition = "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"
    with op.batch_alter_table("promises", recreate="auto") as batch:
        batch.drop_constraint(op.f(NAME), type_="check")
        batch.create_check_constraint(op.f(NAME), condition)


def upgrade() -> None:
    _allow(AFTER)


def downgrade() -> None:
    # A store holding letter promises cannot go below this revision without losing them: refuse.
    bind = op.get_bind()
    if bind.exec_driver_sql("SELECT 1 FROM promises WHERE kind = 'letter' LIMIT 1").first() is not None:
        raise RuntimeError("promises of kind 'letter' exist: downgrading would lose them")
    _allow(BEFORE)
