"""indexes the customer pane needs at a million customers: a customer's open promises in due order,
and an advisor's goodwill this month

Revision ID: 0007_pane_indexes
Revises: 0006_sync
Create Date: 2026-11-25 14:45:00

Without table statistics SQLite chose the board's (status, due_at) index for "this customer's open
promises, soonest first", reading every open promise (135 ms at a million customers); with due_at
in the customer index it is three equality-and-order steps. Goodwill given this month by one advisor
read every approved request of the month across the team.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007_pane_indexes"
down_revision: str | None = "0006_sync"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_promises_customer", "promises")
    op.create_index("ix_promises_customer", "promises", ["customer_id", "status", "due_at"])
    op.create_index("ix_goodwill_requester_month", "goodwill", ["requested_by", "state", "requested_at"])


def downgrade() -> None:
    op.drop_index("ix_goodwill_requester_month", "goodwill")
    op.drop_index("ix_promises_customer", "promises")
    op.create_index("ix_promises_customer", "promises", ["customer_id", "status"])
