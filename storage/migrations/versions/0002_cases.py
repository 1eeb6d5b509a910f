"""formal complaint dates: when it was made, deadlock, ombudsman letter sent

Revision ID: 0002_cases
Revises: 0001
Create Date: 2026-11-25 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0002_cases"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("complaint_made_at", "deadlock_at", "adr_letter_sent_at")


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, storage.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
