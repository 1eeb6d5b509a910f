-- The audit chain written from SQL, hashed exactly as storage/audit.py hashes it, so
-- `advisor-console audit verify` checks entries made by either side.

-- Python's json.dumps(..., sort_keys=True, separators=(",", ":"), ensure_ascii=True).
CREATE OR REPLACE FUNCTION api.json_string(value text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF value !~ '[^ -~]' AND strpos(value, '"') = 0 AND strpos(value, '\') = 0 THEN
        RETURN '"' || value || '"';  -- printable ASCII without quote or backslash: nothing to escape
    END IF;
    -- Each character escaped, then joined once: appending to a growing string would cost the square
    -- of its length.
    RETURN '"' || (
        SELECT string_agg(
                   CASE
                       WHEN ch = '"' THEN '\"'
                       WHEN ch = '\' THEN '\\'
                       WHEN code = 10 THEN '\n'
                       WHEN code = 13 THEN '\r'
                       WHEN code = 9 THEN '\t'
                       WHEN code = 8 THEN '\b'
                       WHEN code = 12 THEN '\f'
                       WHEN code < 32 OR (code > 126 AND code < 65536) THEN '\u' || lpad(to_hex(code), 4, '0')
                       WHEN code >= 65536 THEN '\u' || to_hex(55296 + ((code - 65536) >> 10))
                                               || '\u' || to_hex(56320 + ((code - 65536) & 1023))
                       ELSE ch
                   END, '' ORDER BY n)
          FROM (SELECT c.ch, ascii(c.ch) AS code, c.n
                  FROM string_to_table(value, NULL) WITH ORDINALITY AS c(ch, n)) AS chars
    ) || '"';
END
$$;

CREATE OR REPLACE FUNCTION api.canonical_json(value jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    kind text := jsonb_typeof(value);
    result text;
BEGIN
    IF value IS NULL OR kind = 'null' THEN
        RETURN 'null';
    ELSIF kind = 'string' THEN
        RETURN api.json_string(value #>> '{}');
    ELSIF kind = 'number' OR kind = 'boolean' THEN
        RETURN value::text;
    ELSIF kind = 'array' THEN
        SELECT '[' || COALESCE(string_agg(api.canonical_json(item), ',' ORDER BY position), '') || ']'
          INTO result
          FROM jsonb_array_elements(value) WITH ORDINALITY AS element(item, position);
        RETURN result;
    END IF;
    SELECT '{' || COALESCE(
               string_agg(api.json_string(key) || ':' || api.canonical_json(item), ',' ORDER BY key COLLATE "C"),
               '') || '}'
      INTO result
      FROM jsonb_each(value) AS member(key, item);
    RETURN result;
END
$$;

-- The longest an honest transaction of a console login lasts: its statement_timeout (a workstation
-- sends each push as one statement). storage/server/login_roles.py gives the logins that timeout; a
-- test keeps the two equal.
CREATE OR REPLACE FUNCTION api.longest_hold() RETURNS interval
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT interval '15 seconds'
$$;

-- End the console logins that have held a lock on `p_table` (one of the server's head rows: the audit
-- chain's, the change counter's) for longer than an honest transaction lasts. A login can turn its own
-- timeouts off and sit in an open transaction; this is what stops it holding every writer back.
-- Needs a superuser (or pg_signal_backend and pg_read_all_stats) as the functions' owner.
CREATE OR REPLACE FUNCTION api.end_stuck_holders(p_table regclass) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM pg_terminate_backend(a.pid)
       FROM pg_catalog.pg_stat_activity a
      WHERE a.pid IN (SELECT l.pid FROM pg_catalog.pg_locks l WHERE l.relation = p_table AND l.granted)
        AND a.pid <> pg_backend_pid()
        AND a.xact_start < clock_timestamp() - api.longest_hold()
        AND a.usename IN (SELECT u.username FROM public.users u);
EXCEPTION WHEN insufficient_privilege THEN
    NULL;  -- the owner may not end sessions: the waiter waits, as its own timeouts allow
END
$$;

-- Lock the one row (id 1) of a head table until this transaction ends, ending stuck holders while
-- waiting (each second).
CREATE OR REPLACE FUNCTION api.lock_head_row(p_table regclass) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_saved text := current_setting('lock_timeout');
BEGIN
    LOOP
        BEGIN
            PERFORM set_config('lock_timeout', '1s', true);
            EXECUTE format('SELECT FROM %s WHERE id = 1 FOR UPDATE', p_table);
            PERFORM set_config('lock_timeout', v_saved, true);
            RETURN;
        EXCEPTION WHEN lock_not_available THEN
            PERFORM api.end_stuck_holders(p_table);
        END;
    END LOOP;
END
$$;

-- Hold the audit chain's head row until this transaction ends (storage/audit.py takes the same).
CREATE OR REPLACE FUNCTION api.lock_audit_chain() RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT api.lock_head_row('api.audit_chain_head')
$$;

-- Append one entry chained onto the last one, in the caller's transaction (same lock as Python's).
CREATE OR REPLACE FUNCTION api.audit_append(
    p_at timestamptz, p_actor text, p_action text, p_entity text, p_entity_id uuid, p_detail jsonb
) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    previous text;
    canonical text;
BEGIN
    PERFORM api.lock_audit_chain();
    SELECT hash INTO previous FROM public.audit_log ORDER BY seq DESC LIMIT 1;
    previous := COALESCE(previous, repeat('0', 64));
    canonical := api.canonical_json(jsonb_build_object(
        'at', to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00',
        'actor', p_actor,
        'action', p_action,
        'entity', p_entity,
        'entity_id', p_entity_id::text,
        'detail', p_detail,
        'prev_hash', previous));
    INSERT INTO public.audit_log (at, actor, action, entity, entity_id, detail, prev_hash, hash)
    VALUES (p_at, p_actor, p_action, p_entity, p_entity_id, p_detail::json, previous,
            encode(sha256(convert_to(canonical, 'UTF8')), 'hex'));
END
$$;
