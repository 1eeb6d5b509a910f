"""customer_detail_changes: every customer detail set, with the value it replaced, who, when and why

Revision ID: 0014_customer_details
Revises: 0013_letter_promises
Create Date: 2026-12-06 03:40:00

A changed phone number, email or address used to overwrite the old one out of sight. Each change
now leaves a row here (append-only), so an earlier detail is shown and can be brought back.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0014_customer_details"
down_revision: str | None = "0013_letter_promises"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_detail_changes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_by", sa.Uuid(), nullable=False),
        sa.Column("changed_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("restores_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_customer_detail_changes_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["changed_by"], ["users.id"], name=op.f("fk_customer_detail_changes_changed_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_detail_changes")),
    )
    op.create_index(
        "ix_customer_detail_changes_customer", "customer_detail_changes", ["customer_id", "changed_at"]
    )


def downgrade() -> None:
    # A store holding detail history cannot go below this revision without losing it: refuse.
    bind = op.get_bind()
    if bind.exec_driver_sql("SELECT 1 FROM customer_detail_changes LIMIT 1").first() is not None:
        raise RuntimeError("customer detail changes exist: downgrading would lose them")
    op.drop_index("ix_customer_detail_changes_customer", "customer_detail_changes")
    op.drop_table("customer_detail_changes")
