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

-- The caller's sync marks, read once per call of the mutation functions: {"own": {client id:
-- [synced_at, through_seq]}, "latest": [[client id, synced_at], ...]} (the two latest, newest first).
CREATE OR REPLACE FUNCTION api.sync_marks(who public.users) RETURNS jsonb
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_build_object(
        'own', COALESCE((SELECT jsonb_object_agg(s.client_id::text, jsonb_build_array(s.synced_at, s.through_seq))
                           FROM api.workstation_syncs s WHERE s.username = who.username), '{}'::jsonb),
        'latest', COALESCE((SELECT jsonb_agg(jsonb_build_array(t.client_id::text, t.synced_at) ORDER BY t.synced_at DESC)
                              FROM (SELECT s.client_id, s.synced_at FROM api.workstation_syncs s
                                     WHERE s.username = who.username ORDER BY s.synced_at DESC LIMIT 2) AS t),
                           '[]'::jsonb))
$$;

-- The earliest time a mutation of `client_seq` from this workstation and user may claim: its last
-- sync before the mutation was made; else the user's last sync on any workstation (a workstation
-- that never synced had no time offline); else the server's now. Less the skew. `p_marks` is
-- api.sync_marks of the user.
CREATE OR REPLACE FUNCTION api.trusted_since_by(p_marks jsonb, p_client_id uuid, p_client_seq bigint)
RETURNS timestamptz
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_own jsonb := p_marks -> 'own' -> p_client_id::text;
    v_latest jsonb := p_marks -> 'latest';
BEGIN
    RETURN COALESCE(
        CASE WHEN (v_own ->> 1)::bigint < p_client_seq THEN (v_own ->> 0)::timestamptz END,
        CASE WHEN v_latest -> 0 ->> 0 IS DISTINCT FROM p_client_id::text THEN (v_latest -> 0 ->> 1)::timestamptz
             ELSE (v_latest -> 1 ->> 1)::timestamptz END,
        now()) - api.clock_skew();
END
$$;

-- The time the server uses for a mutation: the client's, inside the window, else the receipt time.
CREATE OR REPLACE FUNCTION api.trusted_time_by(p_marks jsonb, p_client_id uuid, p_client_seq bigint,
                                               p_occurred_at timestamptz)
RETURNS timestamptz
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN CASE WHEN p_occurred_at BETWEEN api.trusted_since_by(p_marks, p_client_id, p_client_seq)
                                       AND now() + api.clock_skew()
                THEN p_occurred_at ELSE now() END;
END
$$;

-- The same for one mutation, the marks read now.
CREATE OR REPLACE FUNCTION api.trusted_since(who public.users, p_client_id uuid, p_client_seq bigint)
RETURNS timestamptz
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT api.trusted_since_by(api.sync_marks(who), p_client_id, p_client_seq)
$$;

CREATE OR REPLACE FUNCTION api.trusted_time(who public.users, p_client_id uuid, p_client_seq bigint,
                                            p_occurred_at timestamptz)
RETURNS timestamptz
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT api.trusted_time_by(api.sync_marks(who), p_client_id, p_client_seq, p_occurred_at)
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
