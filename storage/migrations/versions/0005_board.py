"""indexes for the supervisor's board: customer contacts by time, cases by closing, resolving,
complaint and reopening, offer impressions by time, open promises by due time

Revision ID: 0005_board
Revises: 0004_server
Create Date: 2026-11-25 13:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_board"
down_revision: str | None = "0004_server"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CUSTOMER_CONTACT = "case_id IS NOT NULL AND direction = 'inbound' AND channel <> 'system'"


def upgrade() -> None:
    op.create_index(
        "ix_contact_events_customer_contacts",
        "contact_events",
        ["occurred_at", "case_id", "channel", "advisor_id"],
        sqlite_where=sa.text(CUSTOMER_CONTACT),
        postgresql_where=sa.text(CUSTOMER_CONTACT),
    )
    op.create_index(
        "ix_contact_events_case_contacts",
        "contact_events",
        ["case_id", "occurred_at", "advisor_id", "channel"],
        sqlite_where=sa.text(CUSTOMER_CONTACT),
        postgresql_where=sa.text(CUSTOMER_CONTACT),
    )
    op.create_index("ix_cases_closed_at", "cases", ["closed_at"])
    op.create_index("ix_cases_resolved_at", "cases", ["resolved_at"])
    op.create_index("ix_cases_formal_opened", "cases", ["formal_complaint", "opened_at"])
    op.create_index("ix_cases_reopened_updated", "cases", ["reopened_count", "updated_at"])
    op.create_index("ix_offer_impressions_shown_at", "offer_impressions", ["shown_at"])
    op.create_index("ix_promises_status_due", "promises", ["status", "due_at"])
    op.create_index("ix_promises_due_at", "promises", ["due_at"])
    op.create_index("ix_promises_window_end_at", "promises", ["window_end_at"])


def downgrade() -> None:
    op.drop_index("ix_promises_window_end_at", "promises")
    op.drop_index("ix_promises_due_at", "promises")
    op.drop_index("ix_promises_status_due", "promises")
    op.drop_index("ix_offer_impressions_shown_at", "offer_impressions")
    op.drop_index("ix_cases_reopened_updated", "cases")
    op.drop_index("ix_cases_formal_opened", "cases")
    op.drop_index("ix_cases_resolved_at", "cases")
    op.drop_index("ix_cases_closed_at", "cases")
    op.drop_index("ix_contact_events_case_contacts", "contact_events")
    op.drop_index("ix_contact_events_customer_contacts", "contact_events")
