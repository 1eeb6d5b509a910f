"""sync_outbox: a partial index on the entries still waiting, in client order

Revision ID: 0010_outbox_pending
Revises: 0009_board_speed
Create Date: 2026-11-25 17:00:00

The outbox keeps every answered entry (the author's record of what the server said), so reading
the next page to push and counting what waits (every status refresh) scanned the whole table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_outbox_pending"
down_revision: str | None = "0009_board_speed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = "state = 'pending'"


def upgrade() -> None:
    op.create_index(
        "ix_sync_outbox_pending",
        "sync_outbox",
        ["client_seq"],
        sqlite_where=sa.text(PENDING),
        postgresql_where=sa.text(PENDING),
    )


def downgrade() -> None:
    op.drop_index("ix_sync_outbox_pending", table_name="sync_outbox")
