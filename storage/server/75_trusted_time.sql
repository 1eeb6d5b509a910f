-- Client times the server trusts: a mutation's occurred_at is used only inside a window around its
-- receipt, from the workstation's last sync (less a small skew) to the server's now (plus the skew).
-- A workstation offline for days has synced last days ago, so its honest times fall inside; a time
-- outside (2020, 1900, next week) is replaced by the time the server received it. The claimed
-- time stays in mutation_log.occurred_at; the answer says which was used. Contract: docs/sync.md.

-- Each workstation's (client id's) last sync as its user: the server's time when the workstation
-- said it had pushed everything up to client_seq through_seq and pulled.
CREATE TABLE IF NOT EXISTS api.workstation_syncs (
    client_id uuid NOT NULL,
    username text NOT NULL,
    through_seq bigint NOT NULL,
    synced_at timestamptz NOT NULL,
    PRIMARY KEY (client_id, username)
);

-- How far a workstation's clock may run from the server's before its times are not trusted.
CREATE OR REPLACE FUNCTION api.clock_skew() RETURNS interval
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT interval '5 minutes' $$;

-- The earliest time a mutation of `client_seq` from this workstation and user may claim: its last
-- sync before the mutation was made; else the user's last sync on any workstation (a workstation
-- that never synced had no time offline); else the server's now. Less the skew.
CREATE OR REPLACE FUNCTION api.trusted_since(who public.users, p_client_id uuid, p_client_seq bigint)
RETURNS timestamptz
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT COALESCE(
        (SELECT s.synced_at FROM api.workstation_syncs s
          WHERE s.client_id = p_client_id AND s.username = who.username AND s.through_seq < p_client_seq),
        (SELECT max(s.synced_at) FROM api.workstation_syncs s
          WHERE s.username = who.username AND s.client_id <> p_client_id),
        now()) - api.clock_skew()
$$;

-- The time the server uses for a mutation: the client's, inside the window, else the receipt time.
CREATE OR REPLACE FUNCTION api.trusted_time(who public.users, p_client_id uuid, p_client_seq bigint,
                                            p_occurred_at timestamptz)
RETURNS timestamptz
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN p_occurred_at BETWEEN api.trusted_since(who, p_client_id, p_client_seq)
                                       AND now() + api.clock_skew()
                THEN p_occurred_at ELSE now() END
$$;

-- A workstation's sync, told by the workstation after it pushed everything it had (up to
-- client_seq `through_seq`) and pulled. Not recorded when the server holds a later mutation of
-- this workstation and user (the claim is false), nor when the workstation's clock is off by more
-- than the skew (its times would not be trusted anyway). Later mutations may claim times from
-- this sync on.
CREATE OR REPLACE FUNCTION api.sync_mark(client_id uuid, through_seq bigint, client_now timestamptz)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
#variable_conflict use_variable
DECLARE
    who public.users := api.caller();
    v_client uuid := sync_mark.client_id;
    v_through bigint := sync_mark.through_seq;
    v_held bigint;
BEGIN
    IF v_client IS NULL OR v_through IS NULL OR v_through < 0 OR client_now IS NULL THEN
        RAISE EXCEPTION 'sync_mark needs a client id, a client_seq and the client''s time'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT max(m.client_seq) INTO v_held FROM public.mutation_log m
     WHERE m.client_id = v_client AND m.actor = who.username;
    IF v_held > v_through THEN
        RETURN jsonb_build_object('marked', false, 'reason', 'the server holds later changes of this workstation');
    END IF;
    IF abs(extract(epoch FROM now() - client_now)) > extract(epoch FROM api.clock_skew()) THEN
        RETURN jsonb_build_object('marked', false, 'reason', 'this workstation''s clock differs from the server''s');
    END IF;
    INSERT INTO api.workstation_syncs AS s (client_id, username, through_seq, synced_at)
    VALUES (v_client, who.username, v_through, now())
    ON CONFLICT ON CONSTRAINT workstation_syncs_pkey
    DO UPDATE SET through_seq = EXCLUDED.through_seq, synced_at = EXCLUDED.synced_at;
    RETURN jsonb_build_object('marked', true, 'synced_at', now());
END
$$;
