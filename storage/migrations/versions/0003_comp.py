"""service dates on cases for the automatic compensation scheme

Revision ID: 0003_comp
Revises: 0002_cases
Create Date: 2026-11-25 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0003_comp"
down_revision: str | None = "0002_cases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Constant defaults ("0", which PostgreSQL also reads as false): with an SQL expression as the
    # default, SQLite would have to rebuild the whole cases table to add the column.
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reported_at", storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("restored_at", storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("promised_start_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("started_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("appointment_at", storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("appointment_missed", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("cancellation_notice_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("customer_delay_days", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for column in (
            "customer_delay_days",
            "cancellation_notice_at",
            "appointment_missed",
            "appointment_at",
            "started_on",
            "promised_start_on",
            "restored_at",
            "reported_at",
        ):
            batch_op.drop_column(column)
