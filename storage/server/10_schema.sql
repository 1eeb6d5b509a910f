-- The api schema (server functions and their private tables) and the two group roles.
-- Every statement here is safe to run again: it creates what is missing and changes nothing else.

CREATE SCHEMA IF NOT EXISTS api;

-- Group roles are cluster-wide: create them only if missing (another database may have made them).
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'advisor') THEN
        CREATE ROLE advisor NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'supervisor') THEN
        CREATE ROLE supervisor NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object THEN
    NULL;  -- made by a concurrent init in another database
END
$$;

-- The last change_log sequence number handed out. Its one row is locked by the transaction that
-- numbers its changes at commit, so numbers are taken in commit order.
CREATE TABLE IF NOT EXISTS api.change_counter (
    id integer PRIMARY KEY CHECK (id = 1),
    last_seq bigint NOT NULL
);
INSERT INTO api.change_counter (id, last_seq)
SELECT 1, COALESCE((SELECT max(seq) FROM public.change_log), 0)
ON CONFLICT (id) DO NOTHING;

-- Changes made by the running transaction, waiting to be numbered at its commit. Always empty
-- outside a transaction: the commit-time trigger moves the rows into change_log.
CREATE TABLE IF NOT EXISTS api.pending_change (
    ord bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity text NOT NULL,
    entity_id uuid NOT NULL,
    customer_id uuid,
    reader_id uuid,
    data jsonb NOT NULL,
    mutation_id uuid
);
