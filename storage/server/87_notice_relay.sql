-- Change notices for many workstations (docs/sync.md, "Change notices"): the payload the commit-time
-- trigger sends (the head and the keys of the transaction's changes), the tickets a workstation shows
-- the notice relay, and the notice_relay login's one function. The relay forwards a notice only to
-- the subscribers whose keys meet its keys; a notice reveals "something for key K at head N", the
-- data still comes only through api.pull_changes under the caller's rules.

-- The notice relay's group role: it LISTENs and reads the ticket secret and the head, nothing else.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'notice_relay') THEN
        CREATE ROLE notice_relay LOGIN;
    END IF;
EXCEPTION WHEN duplicate_object THEN
    NULL;  -- made by a concurrent init in another database
END
$$;

-- The secret tickets are signed with (HMAC-SHA256). No client role reads it; the relay gets it through
-- api.notice_relay_state(). 244 random bits from two gen_random_uuid() (a strong random source).
CREATE TABLE IF NOT EXISTS api.notice_secret (
    id integer PRIMARY KEY CHECK (id = 1),
    secret bytea NOT NULL
);
INSERT INTO api.notice_secret (id, secret)
SELECT 1, decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex')
ON CONFLICT (id) DO NOTHING;

-- HMAC-SHA256 (RFC 2104) on the built-in sha256(), so the server needs no extension.
CREATE OR REPLACE FUNCTION api.hmac_sha256(p_key bytea, p_message bytea) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_key bytea := CASE WHEN length(p_key) > 64 THEN sha256(p_key) ELSE p_key END;
    v_inner bytea;
    v_outer bytea;
    v_byte integer;
BEGIN
    v_key := v_key || decode(repeat('00', 64 - length(v_key)), 'hex');
    v_inner := v_key;
    v_outer := v_key;
    FOR i IN 0..63 LOOP
        v_byte := get_byte(v_key, i);
        v_inner := set_byte(v_inner, i, v_byte # 54);  -- 0x36
        v_outer := set_byte(v_outer, i, v_byte # 92);  -- 0x5c
    END LOOP;
    RETURN sha256(v_outer || sha256(v_inner || p_message));
END
$$;

-- What a ticket's signature covers: user, keys and expiry in one text (console/sync/relay_ticket.py
-- builds the same text to check it).
CREATE OR REPLACE FUNCTION api.notice_ticket_text(p_user uuid, p_keys text[], p_expires bigint) RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT 'notice-ticket/1|' || p_user::text || '|' || array_to_string(p_keys, ',') || '|' || p_expires::text
$$;

-- The caller's ticket for the notice relay: their user id, the keys it may subscribe to beyond the
-- customers it holds (its user, team and role), an expiry 12 hours on (seconds since 1970), and the
-- signature over them. Signed only here, so a ticket proves the login that fetched it.
CREATE OR REPLACE FUNCTION api.notice_ticket() RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    who public.users := api.caller();
    v_keys text[] := ARRAY['u:' || who.id::text, 't:' || who.team::text, 'r:' || who.role::text];
    v_expires bigint := floor(extract(epoch FROM now() + interval '12 hours'))::bigint;
    v_secret bytea := (SELECT s.secret FROM api.notice_secret s WHERE s.id = 1);
BEGIN
    RETURN jsonb_build_object(
        'user', who.id,
        'keys', to_jsonb(v_keys),
        'expires', v_expires,
        'sig', encode(api.hmac_sha256(v_secret, convert_to(api.notice_ticket_text(who.id, v_keys, v_expires), 'UTF8')),
                      'hex'));
END
$$;

-- For the notice relay: the change log's head and the ticket secret (hex), read at each connection.
CREATE OR REPLACE FUNCTION api.notice_relay_state() RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_build_object(
        'head', (SELECT c.last_seq FROM api.change_counter c WHERE c.id = 1),
        'secret', (SELECT encode(s.secret, 'hex') FROM api.notice_secret s WHERE s.id = 1))
$$;

-- The payload of the change notice for the changes numbered after p_after up to p_head: the head,
-- then the keys of those changes, space-separated: c:<customer> for each customer touched, u:<user>
-- for a change only that user (and supervisors) may pull, t:<team> for a handoff to a team, r:supervisor
-- for goodwill (the approval queue), * for a change with neither customer nor reader (a user's row).
-- Past 7,000 bytes (pg_notify takes 8,000) it is the head and * (everyone).
CREATE OR REPLACE FUNCTION api.notice_payload(p_after bigint, p_head bigint) RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_keys text;
BEGIN
    SELECT string_agg(DISTINCT k.key, ' ') INTO v_keys
      FROM public.change_log l
     CROSS JOIN LATERAL (
            SELECT 'c:' || l.customer_id::text WHERE l.customer_id IS NOT NULL
            UNION ALL SELECT 'u:' || l.reader_id::text WHERE l.reader_id IS NOT NULL
            UNION ALL SELECT '*' WHERE l.customer_id IS NULL AND l.reader_id IS NULL
            UNION ALL SELECT 't:' || t.team FROM (VALUES (l.data ->> 'to_team')) AS t (team)
                       WHERE l.entity = 'handoff' AND t.team IS NOT NULL
            UNION ALL SELECT 'r:supervisor' WHERE l.entity = 'goodwill'
          ) AS k (key)
     WHERE l.seq > p_after AND l.seq <= p_head;
    IF v_keys IS NULL THEN
        RETURN p_head::text;
    END IF;
    IF v_keys = '*' OR v_keys LIKE '* %' OR v_keys LIKE '% *' OR v_keys LIKE '% * %'
       OR octet_length(v_keys) > 7000 THEN
        RETURN p_head::text || ' *';
    END IF;
    RETURN p_head::text || ' ' || v_keys;
END
$$;

REVOKE ALL ON TABLE api.notice_secret FROM PUBLIC;
REVOKE ALL ON FUNCTION api.hmac_sha256(bytea, bytea), api.notice_ticket_text(uuid, text[], bigint),
    api.notice_ticket(), api.notice_relay_state(), api.notice_payload(bigint, bigint) FROM PUBLIC;
GRANT USAGE ON SCHEMA api TO notice_relay;
GRANT EXECUTE ON FUNCTION api.notice_relay_state() TO notice_relay;
