"""customer_contacts: the contact log's customer contacts marked repeat or not, kept by a trigger

Revision ID: 0011_customer_contacts
Revises: 0010_outbox_pending
Create Date: 2026-11-25 18:40:00

The board counted repeat contacts with a window (LAG) over every customer contact of the weeks it
shows: at a million customers, 95 k rows sorted by case on each read, two thirds of a second. A
contact's mark is now decided once, when it enters the log: it is a repeat when the case had another
customer contact in the 168 hours before it (ties in time ordered by event id). An inserted contact
can also make the case's later contacts within 168 hours repeats (a sync brings other workstations'
contacts late and out of order); since the log is append-only, a mark only ever turns on, so
that one UPDATE keeps every mark right. The board's reads become one range of this table.

The two partial indexes of customer contacts on contact_events served only the board; this table
and its case index replace them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0011_customer_contacts"
down_revision: str | None = "0010_outbox_pending"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CUSTOMER_CONTACT = "case_id IS NOT NULL AND direction = 'inbound' AND channel <> 'system'"
NEW_CUSTOMER_CONTACT = "NEW.case_id IS NOT NULL AND NEW.direction = 'inbound' AND NEW.channel <> 'system'"
CHANNELS = ("phone", "email", "social", "letter", "chat", "visit", "system")

# SQLite keeps UTC timestamps as 'YYYY-MM-DD HH:MM:SS.ffffff': shift the date and time by whole
# days and keep the fraction as it was, so the comparisons stay exact text comparisons.
SQLITE_WEEK_BEFORE = "strftime('%Y-%m-%d %H:%M:%S', NEW.occurred_at, '-7 days') || substr(NEW.occurred_at, 20)"
SQLITE_WEEK_AFTER = "strftime('%Y-%m-%d %H:%M:%S', NEW.occurred_at, '+7 days') || substr(NEW.occurred_at, 20)"

SQLITE_TRIGGER = f"""
CREATE TRIGGER contact_events_customer_contact AFTER INSERT ON contact_events
WHEN {NEW_CUSTOMER_CONTACT}
BEGIN
    INSERT INTO customer_contacts (occurred_at, event_id, case_id, advisor_id, channel, is_repeat)
    VALUES (NEW.occurred_at, NEW.id, NEW.case_id, NEW.advisor_id, NEW.channel, EXISTS (
        SELECT 1 FROM customer_contacts AS earlier
        WHERE earlier.case_id = NEW.case_id
          AND earlier.occurred_at >= {SQLITE_WEEK_BEFORE}
          AND (earlier.occurred_at < NEW.occurred_at
               OR (earlier.occurred_at = NEW.occurred_at AND earlier.event_id < NEW.id))));
    UPDATE customer_contacts SET is_repeat = 1
    WHERE case_id = NEW.case_id AND is_repeat = 0
      AND occurred_at <= {SQLITE_WEEK_AFTER}
      AND (occurred_at > NEW.occurred_at OR (occurred_at = NEW.occurred_at AND event_id > NEW.id));
END
"""

# '168 hours', not '7 days': a day interval follows the session's time zone across a clock change.
POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION customer_contact_noted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Two contacts on one case committed at once would not see each other: take turns per case.
    PERFORM 1 FROM cases WHERE id = NEW.case_id FOR NO KEY UPDATE;
    INSERT INTO customer_contacts (occurred_at, event_id, case_id, advisor_id, channel, is_repeat)
    VALUES (NEW.occurred_at, NEW.id, NEW.case_id, NEW.advisor_id, NEW.channel, EXISTS (
        SELECT 1 FROM customer_contacts AS earlier
        WHERE earlier.case_id = NEW.case_id
          AND earlier.occurred_at >= NEW.occurred_at - interval '168 hours'
          AND (earlier.occurred_at, earlier.event_id) < (NEW.occurred_at, NEW.id)));
    UPDATE customer_contacts SET is_repeat = true
    WHERE case_id = NEW.case_id AND NOT is_repeat
      AND occurred_at <= NEW.occurred_at + interval '168 hours'
      AND (occurred_at, event_id) > (NEW.occurred_at, NEW.id);
    RETURN NULL;
END $$
"""
POSTGRESQL_TRIGGER = f"""
CREATE TRIGGER contact_events_customer_contact AFTER INSERT ON contact_events
FOR EACH ROW WHEN ({NEW_CUSTOMER_CONTACT}) EXECUTE FUNCTION customer_contact_noted()
"""

BACKFILL = """
INSERT INTO customer_contacts (occurred_at, event_id, case_id, advisor_id, channel, is_repeat)
SELECT occurred_at, id, case_id, advisor_id, channel, COALESCE(previous >= {week_before}, {false})
FROM (
    SELECT id, case_id, advisor_id, channel, occurred_at,
           LAG(occurred_at) OVER (PARTITION BY case_id ORDER BY occurred_at, id) AS previous
    FROM contact_events WHERE {customer_contact}
) AS contacts
"""


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "customer_contacts",
        sa.Column("occurred_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("advisor_id", sa.Uuid(), nullable=True),
        sa.Column(
            "channel",
            sa.Enum(*CHANNELS, name="channel", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("is_repeat", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("occurred_at", "event_id", name=op.f("pk_customer_contacts")),
        sqlite_with_rowid=False,
    )
    if sqlite:
        week_before = "strftime('%Y-%m-%d %H:%M:%S', occurred_at, '-7 days') || substr(occurred_at, 20)"
        op.execute(BACKFILL.format(week_before=week_before, false="0", customer_contact=CUSTOMER_CONTACT))
    else:
        op.execute(
            BACKFILL.format(
                week_before="occurred_at - interval '168 hours'", false="false", customer_contact=CUSTOMER_CONTACT
            )
        )
    op.create_index(
        "ix_customer_contacts_case", "customer_contacts", ["case_id", "occurred_at", "event_id", "advisor_id"]
    )
    if sqlite:
        op.execute(SQLITE_TRIGGER)
    else:
        op.execute(POSTGRESQL_FUNCTION)
        op.execute(POSTGRESQL_TRIGGER)
    op.drop_index("ix_contact_events_customer_contacts", "contact_events")
    op.drop_index("ix_contact_events_case_contacts", "contact_events")


def downgrade() -> None:
    op.create_index(
        "ix_contact_events_case_contacts",
        "contact_events",
        ["case_id", "occurred_at", "advisor_id", "channel"],
        sqlite_where=sa.text(CUSTOMER_CONTACT),
        postgresql_where=sa.text(CUSTOMER_CONTACT),
    )
    op.create_index(
        "ix_contact_events_customer_contacts",
        "contact_events",
        ["occurred_at", "case_id", "channel", "advisor_id"],
        sqlite_where=sa.text(CUSTOMER_CONTACT),
        postgresql_where=sa.text(CUSTOMER_CONTACT),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS contact_events_customer_contact")
    else:
        op.execute("DROP TRIGGER IF EXISTS contact_events_customer_contact ON contact_events")
        op.execute("DROP FUNCTION IF EXISTS customer_contact_noted()")
    op.drop_index("ix_customer_contacts_case", "customer_contacts")
    op.drop_table("customer_contacts")
