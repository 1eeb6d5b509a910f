-- The audit chain written from SQL, hashed exactly as storage/audit.py hashes it, so
-- `advisor-console audit verify` checks entries made by either side.

-- Python's json.dumps(..., sort_keys=True, separators=(",", ":"), ensure_ascii=True).
CREATE OR REPLACE FUNCTION api.json_string(value text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    result text := '"';
    ch text;
    code integer;
    high integer;
BEGIN
    IF value !~ '[^ -~]' AND strpos(value, '"') = 0 AND strpos(value, '\') = 0 THEN
        RETURN '"' || value || '"';  -- printable ASCII without quote or backslash: nothing to escape
    END IF;
    FOREACH ch IN ARRAY regexp_split_to_array(value, '') LOOP
        code := ascii(ch);
        IF ch = '"' THEN result := result || '\"';
        ELSIF ch = '\' THEN result := result || '\\';
        ELSIF code = 10 THEN result := result || '\n';
        ELSIF code = 13 THEN result := result || '\r';
        ELSIF code = 9 THEN result := result || '\t';
        ELSIF code = 8 THEN result := result || '\b';
        ELSIF code = 12 THEN result := result || '\f';
        ELSIF code < 32 OR (code > 126 AND code < 65536) THEN
            result := result || '\u' || lpad(to_hex(code), 4, '0');
        ELSIF code >= 65536 THEN
            high := code - 65536;
            result := result || '\u' || to_hex(55296 + (high >> 10))
                             || '\u' || to_hex(56320 + (high & 1023));
        ELSE
            result := result || ch;
        END IF;
    END LOOP;
    RETURN result || '"';
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
    PERFORM pg_advisory_xact_lock(7246001);
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
