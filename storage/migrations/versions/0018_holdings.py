"""holdings: the customers a workstation holds whole, since which change, when last opened

Revision ID: 0018_holdings
Revises: 0017_audit_witness
Create Date: 2026-12-06 07:00:00

A workstation holds its working set and the customers it opened, not every customer. Each held
customer has the change log's head their records were read at (a change at or before it is older and
never overwrites them), when an advisor last opened them, and when they were evicted (dropped from
the store, not yet released on the server). On SQLite the contact events' append-only trigger lets
eviction delete the events of a customer marked evicted, and nothing else. A store whose first
sync took every customer (before the working set) holds every customer it has.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0018_holdings"
down_revision: str | None = "0017_audit_witness"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUSE = "BEGIN SELECT RAISE(ABORT, 'contact_events is append-only'); END"


def upgrade() -> None:
    op.create_table(
        "holdings",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("since_seq", sa.BigInteger(), nullable=False),
        sa.Column("held_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("touched_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("evicted_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_holdings")),
    )
    # A workstation whose first sync took every customer holds them all, from its cursor on (the
    # engine tells the server at its next start); eviction then trims them to its working set.
    stamp = storage.types.UTCDateTime(timezone=True)
    now = sa.literal(datetime.now(UTC), stamp)
    customers = sa.table("customers", sa.column("id", sa.Uuid()))
    cursor = sa.table("sync_cursor", sa.column("name", sa.String()), sa.column("last_seq", sa.BigInteger()))
    snapshot = sa.table("sync_snapshot", sa.column("name", sa.String()))
    holdings = sa.table(
        "holdings",
        sa.column("customer_id", sa.Uuid()),
        sa.column("since_seq", sa.BigInteger()),
        sa.column("held_at", stamp),
        sa.column("touched_at", stamp),
    )
    since = sa.func.coalesce(
        sa.select(cursor.c.last_seq).where(cursor.c.name == "server").scalar_subquery(), 0
    )
    taken = sa.select(customers.c.id, since, now, now).where(sa.exists(sa.select(snapshot.c.name)))
    op.execute(holdings.insert().from_select(["customer_id", "since_seq", "held_at", "touched_at"], taken))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS contact_events_no_delete")
        op.execute(
            "CREATE TRIGGER contact_events_no_delete BEFORE DELETE ON contact_events "
            "WHEN NOT EXISTS (SELECT 1 FROM holdings h WHERE h.customer_id = OLD.customer_id "
            f"AND h.evicted_at IS NOT NULL) {REFUSE}"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS contact_events_no_delete")
        op.execute(f"CREATE TRIGGER contact_events_no_delete BEFORE DELETE ON contact_events {REFUSE}")
    op.drop_table("holdings")
