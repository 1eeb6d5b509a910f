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

-- The audit chain's head: every append (SQL's api.audit_append, Python's storage/audit.py) locks this
-- one row until its transaction ends, so entries chain one after another. No client role can take
-- that lock: a row lock needs UPDATE on the table, and they have no privilege on it (an advisory lock,
-- which any login may take, would let one person freeze every audited write).
CREATE TABLE IF NOT EXISTS api.audit_chain_head (
    id integer PRIMARY KEY CHECK (id = 1)
);
INSERT INTO api.audit_chain_head (id) VALUES (1) ON CONFLICT (id) DO NOTHING;

-- The most characters each payload field may carry (domain/mutation_kinds.py's MAX_LENGTH, written by
-- `server init`), and under kind '*': any unlisted key's value ('*'), a key ('*key'), the keys ('*keys').
CREATE TABLE IF NOT EXISTS api.payload_limit (
    kind text NOT NULL,
    field text NOT NULL,
    max_length integer NOT NULL,
    PRIMARY KEY (kind, field)
);

-- The SHA-256 of the password verifier the console last gave each login (`user add`, `user
-- set-password`): a login whose stored verifier differs had its password set some other way.
CREATE TABLE IF NOT EXISTS api.login_verifier (
    username text PRIMARY KEY,
    verifier_sha256 text NOT NULL
);
