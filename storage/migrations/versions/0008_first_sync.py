"""sync_snapshot: where a workstation's first sync stands, so a cancelled or cut one resumes

Revision ID: 0008_first_sync
Revises: 0007_pane_indexes
Create Date: 2026-11-25 16:00:00

One row per server: the change log's head when the first sync began, the entity and last id of the
last page written (in the same transaction as the page), rows done of the announced total, and when
it finished. Workstation-only: the server never writes it and no client role may read it there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0008_first_sync"
down_revision: str | None = "0007_pane_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sync_snapshot",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("head", sa.BigInteger(), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=True),
        sa.Column("after_id", sa.Uuid(), nullable=True),
        sa.Column("done", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("started_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sync_snapshot")),
    )


def downgrade() -> None:
    op.drop_table("sync_snapshot")
