"""customer_contacts, advisor_contact_tallies, case_contact_counts: the contact log's customer
contacts, marked, counted per advisor and time bucket and per case, kept by triggers as the log grows

Revision ID: 0011_customer_contacts
Revises: 0010_outbox_pending
Create Date: 2026-11-25 18:40:00

The board counted repeat contacts with a window (LAG) over every customer contact of the weeks it
shows, and cases contacted on several channels by grouping them all: at a million customers, 95 k
rows sorted twice on each read, half a second of work. What it needs is now decided once, when a
contact enters the log:

- `customer_contacts.is_repeat`: the case had another customer contact in the 168 hours before it
  (ties in time ordered by event id);
- `customer_contacts.other_channel_nearby`: the case had a customer contact on another channel
  within 192 hours either side (a UK week is at most 169 hours, so every contact of a case
  contacted on two channels in one week has it: the board groups only those);
- `advisor_contact_tallies`: customer contacts and repeats per advisor and bucket, a bucket being a
  UTC day split at 23:00 ([00:00, 23:00) and [23:00, 24:00)), so that every UK midnight (00:00 or
  23:00 UTC) is a bucket's start and a period's contacts are whole buckets;
- `case_contact_counts`: per case, its first customer contact (time, event, advisor; ties in time
  ordered by event id) and how many it has: first-contact resolution reads one row per resolved case.

An inserted contact can also make the case's later contacts repeats, and nearby ones on other
channels flagged (a sync brings other workstations' contacts late and out of order); the log is
append-only, so a mark only ever turns on, and one UPDATE keeps every mark right; a trigger on that
UPDATE keeps the tallies' repeats right.

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
NO_ADVISOR = "00000000000000000000000000000000"  # advisor_contact_tallies' key for contacts nobody took


def sqlite_shift(column: str, days: str) -> str:
    """SQLite keeps UTC timestamps as 'YYYY-MM-DD HH:MM:SS.ffffff': shift the date and time by whole
    days and keep the fraction, so that comparisons stay exact text comparisons."""
    return f"(strftime('%Y-%m-%d %H:%M:%S', {column}, '{days} days') || substr({column}, 20))"


def sqlite_bucket(column: str) -> str:
    return (
        f"(substr({column}, 1, 10) || CASE WHEN substr({column}, 12, 2) = '23' "
        "THEN ' 23:00:00.000000' ELSE ' 00:00:00.000000' END)"
    )


def postgresql_bucket(column: str) -> str:
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"((date_trunc('day', {utc}) + CASE WHEN extract(hour FROM {utc}) = 23 "
        "THEN interval '23 hours' ELSE interval '0 hours' END) AT TIME ZONE 'UTC')"
    )


SQLITE_TRIGGERS = (
    f"""
CREATE TRIGGER contact_events_customer_contact AFTER INSERT ON contact_events
WHEN {NEW_CUSTOMER_CONTACT}
BEGIN
    INSERT INTO customer_contacts
        (occurred_at, event_id, case_id, advisor_id, channel, is_repeat, other_channel_nearby)
    VALUES (NEW.occurred_at, NEW.id, NEW.case_id, NEW.advisor_id, NEW.channel,
        EXISTS (
            SELECT 1 FROM customer_contacts AS earlier
            WHERE earlier.case_id = NEW.case_id
              AND earlier.occurred_at >= {sqlite_shift("NEW.occurred_at", "-7")}
              AND (earlier.occurred_at < NEW.occurred_at
                   OR (earlier.occurred_at = NEW.occurred_at AND earlier.event_id < NEW.id))),
        EXISTS (
            SELECT 1 FROM customer_contacts AS nearby
            WHERE nearby.case_id = NEW.case_id AND nearby.channel <> NEW.channel
              AND nearby.occurred_at BETWEEN {sqlite_shift("NEW.occurred_at", "-8")}
                                         AND {sqlite_shift("NEW.occurred_at", "+8")}));
    UPDATE customer_contacts SET is_repeat = 1
    WHERE case_id = NEW.case_id AND is_repeat = 0
      AND occurred_at <= {sqlite_shift("NEW.occurred_at", "+7")}
      AND (occurred_at > NEW.occurred_at OR (occurred_at = NEW.occurred_at AND event_id > NEW.id));
    UPDATE customer_contacts SET other_channel_nearby = 1
    WHERE case_id = NEW.case_id AND other_channel_nearby = 0 AND channel <> NEW.channel
      AND occurred_at BETWEEN {sqlite_shift("NEW.occurred_at", "-8")}
                          AND {sqlite_shift("NEW.occurred_at", "+8")};
END
""",
    f"""
CREATE TRIGGER customer_contacts_tallied AFTER INSERT ON customer_contacts
BEGIN
    INSERT OR IGNORE INTO advisor_contact_tallies (starts_at, advisor_id, contacts, repeats)
    VALUES ({sqlite_bucket("NEW.occurred_at")}, COALESCE(NEW.advisor_id, '{NO_ADVISOR}'), 0, 0);
    UPDATE advisor_contact_tallies SET contacts = contacts + 1, repeats = repeats + NEW.is_repeat
    WHERE starts_at = {sqlite_bucket("NEW.occurred_at")}
      AND advisor_id = COALESCE(NEW.advisor_id, '{NO_ADVISOR}');
END
""",
    """
CREATE TRIGGER customer_contacts_case_counted AFTER INSERT ON customer_contacts
BEGIN
    INSERT OR IGNORE INTO case_contact_counts (case_id, first_at, first_event_id, first_advisor_id, contacts)
    VALUES (NEW.case_id, NEW.occurred_at, NEW.event_id, NEW.advisor_id, 0);
    UPDATE case_contact_counts SET
        contacts = contacts + 1,
        first_advisor_id = CASE WHEN NEW.occurred_at < first_at
            OR (NEW.occurred_at = first_at AND NEW.event_id < first_event_id)
            THEN NEW.advisor_id ELSE first_advisor_id END,
        first_event_id = CASE WHEN NEW.occurred_at < first_at
            OR (NEW.occurred_at = first_at AND NEW.event_id < first_event_id)
            THEN NEW.event_id ELSE first_event_id END,
        first_at = CASE WHEN NEW.occurred_at < first_at
            OR (NEW.occurred_at = first_at AND NEW.event_id < first_event_id)
            THEN NEW.occurred_at ELSE first_at END
    WHERE case_id = NEW.case_id;
END
""",
    f"""
CREATE TRIGGER customer_contacts_repeat_tallied AFTER UPDATE OF is_repeat ON customer_contacts
WHEN NEW.is_repeat AND NOT OLD.is_repeat
BEGIN
    UPDATE advisor_contact_tallies SET repeats = repeats + 1
    WHERE starts_at = {sqlite_bucket("NEW.occurred_at")}
      AND advisor_id = COALESCE(NEW.advisor_id, '{NO_ADVISOR}');
END
""",
)

# '168 hours', not '7 days': a day interval follows the session's time zone across a clock change.
# The functions name their tables with the schema and set their own search_path: the server's api
# functions, whose inserts fire them, run with search_path = pg_catalog, pg_temp.
POSTGRESQL_FUNCTIONS = (
    """
CREATE OR REPLACE FUNCTION customer_contact_noted() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    -- Two contacts on one case committed at once would not see each other: take turns per case.
    -- An advisory lock (class 11, then the case), not the case's row: case updates do not wait.
    -- It suffices at READ COMMITTED (the server's level): each statement below sees the other's row.
    PERFORM pg_advisory_xact_lock(11, hashtext(NEW.case_id::text));
    INSERT INTO public.customer_contacts
        (occurred_at, event_id, case_id, advisor_id, channel, is_repeat, other_channel_nearby)
    VALUES (NEW.occurred_at, NEW.id, NEW.case_id, NEW.advisor_id, NEW.channel,
        EXISTS (
            SELECT 1 FROM public.customer_contacts AS earlier
            WHERE earlier.case_id = NEW.case_id
              AND earlier.occurred_at >= NEW.occurred_at - interval '168 hours'
              AND (earlier.occurred_at, earlier.event_id) < (NEW.occurred_at, NEW.id)),
        EXISTS (
            SELECT 1 FROM public.customer_contacts AS nearby
            WHERE nearby.case_id = NEW.case_id AND nearby.channel <> NEW.channel
              AND nearby.occurred_at BETWEEN NEW.occurred_at - interval '192 hours'
                                         AND NEW.occurred_at + interval '192 hours'));
    UPDATE public.customer_contacts SET is_repeat = true
    WHERE case_id = NEW.case_id AND NOT is_repeat
      AND occurred_at <= NEW.occurred_at + interval '168 hours'
      AND (occurred_at, event_id) > (NEW.occurred_at, NEW.id);
    UPDATE public.customer_contacts SET other_channel_nearby = true
    WHERE case_id = NEW.case_id AND NOT other_channel_nearby AND channel <> NEW.channel
      AND occurred_at BETWEEN NEW.occurred_at - interval '192 hours'
                          AND NEW.occurred_at + interval '192 hours';
    RETURN NULL;
END $$
""",
    f"""
CREATE OR REPLACE FUNCTION customer_contact_tallied() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO public.advisor_contact_tallies AS tally (starts_at, advisor_id, contacts, repeats)
        VALUES ({postgresql_bucket("NEW.occurred_at")}, COALESCE(NEW.advisor_id, '{NO_ADVISOR}'::uuid),
                1, NEW.is_repeat::int)
        ON CONFLICT (starts_at, advisor_id)
        DO UPDATE SET contacts = tally.contacts + 1, repeats = tally.repeats + EXCLUDED.repeats;
        INSERT INTO public.case_contact_counts AS counted
            (case_id, first_at, first_event_id, first_advisor_id, contacts)
        VALUES (NEW.case_id, NEW.occurred_at, NEW.event_id, NEW.advisor_id, 1)
        ON CONFLICT (case_id) DO UPDATE SET
            contacts = counted.contacts + 1,
            first_advisor_id = CASE WHEN (EXCLUDED.first_at, EXCLUDED.first_event_id)
                < (counted.first_at, counted.first_event_id)
                THEN EXCLUDED.first_advisor_id ELSE counted.first_advisor_id END,
            first_event_id = CASE WHEN (EXCLUDED.first_at, EXCLUDED.first_event_id)
                < (counted.first_at, counted.first_event_id)
                THEN EXCLUDED.first_event_id ELSE counted.first_event_id END,
            first_at = CASE WHEN (EXCLUDED.first_at, EXCLUDED.first_event_id)
                < (counted.first_at, counted.first_event_id)
                THEN EXCLUDED.first_at ELSE counted.first_at END;
    ELSIF NEW.is_repeat AND NOT OLD.is_repeat THEN
        UPDATE public.advisor_contact_tallies SET repeats = repeats + 1
        WHERE starts_at = {postgresql_bucket("NEW.occurred_at")}
          AND advisor_id = COALESCE(NEW.advisor_id, '{NO_ADVISOR}'::uuid);
    END IF;
    RETURN NULL;
END $$
""",
)
POSTGRESQL_TRIGGERS = (
    f"""
CREATE TRIGGER contact_events_customer_contact AFTER INSERT ON contact_events
FOR EACH ROW WHEN ({NEW_CUSTOMER_CONTACT}) EXECUTE FUNCTION customer_contact_noted()
""",
    """
CREATE TRIGGER customer_contacts_tallied AFTER INSERT OR UPDATE OF is_repeat ON customer_contacts
FOR EACH ROW EXECUTE FUNCTION customer_contact_tallied()
""",
)

BACKFILL_CONTACTS = """
INSERT INTO customer_contacts
    (occurred_at, event_id, case_id, advisor_id, channel, is_repeat, other_channel_nearby)
SELECT occurred_at, id, case_id, advisor_id, channel, COALESCE(previous >= {week_before}, {false}),
    EXISTS (
        SELECT 1 FROM contact_events AS nearby
        WHERE nearby.case_id = contacts.case_id AND nearby.case_id IS NOT NULL AND nearby.direction = 'inbound'
          AND nearby.channel <> 'system' AND nearby.channel <> contacts.channel
          AND nearby.occurred_at BETWEEN {eight_days_before} AND {eight_days_after})
FROM (
    SELECT id, case_id, advisor_id, channel, occurred_at,
           LAG(occurred_at) OVER (PARTITION BY case_id ORDER BY occurred_at, id) AS previous
    FROM contact_events WHERE {customer_contact}
) AS contacts
"""
BACKFILL_CASE_COUNTS = """
INSERT INTO case_contact_counts (case_id, first_at, first_event_id, first_advisor_id, contacts)
SELECT case_id, occurred_at, event_id, advisor_id, contacts FROM (
    SELECT case_id, occurred_at, event_id, advisor_id,
           ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY occurred_at, event_id) AS place,
           COUNT(*) OVER (PARTITION BY case_id) AS contacts
    FROM customer_contacts
) AS ranked WHERE place = 1
"""
BACKFILL_TALLIES = """
INSERT INTO advisor_contact_tallies (starts_at, advisor_id, contacts, repeats)
SELECT {bucket}, COALESCE(advisor_id, {no_advisor}), count(*), sum(CASE WHEN is_repeat THEN 1 ELSE 0 END)
FROM customer_contacts GROUP BY 1, 2
"""


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if not sqlite:
        # No contact may land between the backfill's snapshot and the triggers' creation (SQLite's
        # first CREATE TABLE already takes the one write lock). ACCESS EXCLUSIVE at once, as the
        # DROP INDEX at the end needs it: a weaker lock first deadlocks with a client that read the
        # log and then waits to insert into it.
        op.execute("LOCK TABLE contact_events IN ACCESS EXCLUSIVE MODE")
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
        sa.Column("other_channel_nearby", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("occurred_at", "event_id", name=op.f("pk_customer_contacts")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "advisor_contact_tallies",
        sa.Column("starts_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("advisor_id", sa.Uuid(), nullable=False),
        sa.Column("contacts", sa.Integer(), nullable=False),
        sa.Column("repeats", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("starts_at", "advisor_id", name=op.f("pk_advisor_contact_tallies")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "case_contact_counts",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("first_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_event_id", sa.Uuid(), nullable=False),
        sa.Column("first_advisor_id", sa.Uuid(), nullable=True),
        sa.Column("contacts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_contact_counts")),
        sqlite_with_rowid=False,
    )
    if sqlite:
        op.execute(
            BACKFILL_CONTACTS.format(
                week_before=sqlite_shift("occurred_at", "-7"),
                false="0",
                eight_days_before=sqlite_shift("contacts.occurred_at", "-8"),
                eight_days_after=sqlite_shift("contacts.occurred_at", "+8"),
                customer_contact=CUSTOMER_CONTACT,
            )
        )
        op.execute(BACKFILL_TALLIES.format(bucket=sqlite_bucket("occurred_at"), no_advisor=f"'{NO_ADVISOR}'"))
    else:
        op.execute(
            BACKFILL_CONTACTS.format(
                week_before="occurred_at - interval '168 hours'",
                false="false",
                eight_days_before="contacts.occurred_at - interval '192 hours'",
                eight_days_after="contacts.occurred_at + interval '192 hours'",
                customer_contact=CUSTOMER_CONTACT,
            )
        )
        op.execute(
            BACKFILL_TALLIES.format(bucket=postgresql_bucket("occurred_at"), no_advisor=f"'{NO_ADVISOR}'::uuid")
        )
    op.execute(BACKFILL_CASE_COUNTS)
    op.create_index(
        "ix_customer_contacts_case",
        "customer_contacts",
        ["case_id", "occurred_at", "event_id", "advisor_id", "channel"],
    )
    for statement in SQLITE_TRIGGERS if sqlite else (*POSTGRESQL_FUNCTIONS, *POSTGRESQL_TRIGGERS):
        op.execute(statement)
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
        for trigger in ("contact_events_customer_contact", "customer_contacts_tallied", "customer_contacts_repeat_tallied",
            "customer_contacts_case_counted"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    else:
        op.execute("DROP TRIGGER IF EXISTS contact_events_customer_contact ON contact_events")
        op.execute("DROP TRIGGER IF EXISTS customer_contacts_tallied ON customer_contacts")
        op.execute("DROP FUNCTION IF EXISTS customer_contact_noted()")
        op.execute("DROP FUNCTION IF EXISTS customer_contact_tallied()")
    op.drop_index("ix_customer_contacts_case", "customer_contacts")
    op.drop_table("case_contact_counts")
    op.drop_table("advisor_contact_tallies")
    op.drop_table("customer_contacts")
