"""audit_heads: the server's audit chain heads a workstation has seen, its witness of the chain

Revision ID: 0017_audit_witness
Revises: 0014_customer_details
Create Date: 2026-12-06 04:20:00

The audit log's hash chain shows an edited, deleted or reordered entry, but not a tail cut off or a
chain rehashed from some entry on: nothing inside the table remembers what was there. Each
workstation keeps the heads it saw at its syncs; `audit verify --witness` and every sync compare.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0017_audit_witness"
down_revision: str | None = "0014_customer_details"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_heads",
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("seen_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_heads")),
    )


def downgrade() -> None:
    op.drop_table("audit_heads")
