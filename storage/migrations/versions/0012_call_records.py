"""contact_events.reason_code and duration_seconds, cases.reported_text, wrapup_drafts: what an
advisor writes down about a call (its reason from the coded list and how long it took), what the
customer reported when a case was opened, and the wrap-up not saved yet

Revision ID: 0012_call_records
Revises: 0011_customer_contacts
Create Date: 2026-12-06 02:10:00

Columns are added in place (no batch rebuild): contact_events keeps its append-only and
customer-contact triggers. The drafts table lives on every store but only a workstation writes it;
the server never syncs it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0012_call_records"
down_revision: str | None = "0011_customer_contacts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contact_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason_code", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("duration_seconds", sa.Integer(), nullable=True))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reported_text", sa.Text(), nullable=True))
    op.create_table(
        "wrapup_drafts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=True),
        sa.Column("started_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason_code", sa.String(length=40), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wrapup_drafts")),
    )
    op.create_index("ix_wrapup_drafts_user_customer", "wrapup_drafts", ["user_id", "customer_id"])


def downgrade() -> None:
    op.drop_index("ix_wrapup_drafts_user_customer", "wrapup_drafts")
    op.drop_table("wrapup_drafts")
    # Plain ALTER TABLE DROP COLUMN (SQLite 3.35+): a batch rebuild would lose contact_events'
    # triggers on SQLite.
    for table, column in (
        ("cases", "reported_text"),
        ("contact_events", "duration_seconds"),
        ("contact_events", "reason_code"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
