-- Helpers for the mutation functions: who is calling, refusing, reading the payload, recording a
-- change for pull, numbering changes at commit, and timeline events.

-- The caller: the active console user who is calling (api.person(): the session's login role, or a
-- pooled session's person), and whose login is in the group role the users table gives them.
CREATE OR REPLACE FUNCTION api.caller() RETURNS public.users
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    who public.users;
    v_person text := api.person();
BEGIN
    SELECT * INTO who FROM public.users WHERE username = v_person;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the login % is not a console user', v_person USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT who.active THEN
        RAISE EXCEPTION 'the user % is disabled', who.username USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT pg_has_role(v_person, who.role, 'MEMBER') THEN
        RAISE EXCEPTION 'the login % is not in the % group role', v_person, who.role
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN who;
END
$$;

-- The payload limits (api.payload_limit, from domain/mutation_kinds.py's MAX_LENGTH) as one object,
-- {kind: {field: most characters}}, read once per call of the mutation functions: every kind's, or
-- with `p_kind` only that kind's and kind '*'.
CREATE OR REPLACE FUNCTION api.payload_limits(p_kind text DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_limits jsonb;
BEGIN
    SELECT jsonb_object_agg(k.kind, k.fields) INTO v_limits
      FROM (SELECT l.kind, jsonb_object_agg(l.field, l.max_length) AS fields
              FROM api.payload_limit l WHERE p_kind IS NULL OR l.kind IN ('*', p_kind) GROUP BY l.kind) AS k;
    IF v_limits -> '*' -> '*' IS NULL OR v_limits -> '*' -> '*key' IS NULL OR v_limits -> '*' -> '*keys' IS NULL THEN
        RAISE EXCEPTION 'this server has no payload limits: run `advisor-console server init`'
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN v_limits;
END
$$;

-- What is too long in a payload under the limits `p_limits` (api.payload_limits), or NULL: a value
-- longer than its field may carry, under kind '*' any unlisted key's value ('*'), a key ('*key'), the
-- keys ('*keys'). Such a payload is refused before any lock, log row or audit entry, so no caller makes
-- the server work, or hold the audit chain, for longer than the largest allowed payload.
CREATE OR REPLACE FUNCTION api.payload_fault(p_kind text, p_payload jsonb, p_limits jsonb) RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_unlisted integer := (p_limits -> '*' ->> '*')::integer;
    v_key_length integer := (p_limits -> '*' ->> '*key')::integer;
    v_keys integer := (p_limits -> '*' ->> '*keys')::integer;
    v_fields jsonb := COALESCE(p_limits -> p_kind, '{}'::jsonb);
    v_key text;
    v_value jsonb;
    v_length integer;
    v_max integer;
    v_count integer := 0;
    v_fault text;
BEGIN
    IF p_payload IS NULL OR jsonb_typeof(p_payload) = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(p_payload) <> 'object' THEN
        RETURN CASE WHEN length(p_payload::text) > v_unlisted THEN 'the payload is too long' END;
    END IF;
    -- Too many fields is said first; past the most allowed the rest are not looked at.
    FOR v_key, v_value IN SELECT e.key, e.value FROM jsonb_each(p_payload) AS e LOOP
        v_count := v_count + 1;
        IF v_count > v_keys THEN
            RETURN format('the payload has more than %s fields', v_keys);
        END IF;
        CONTINUE WHEN v_fault IS NOT NULL;
        IF length(v_key) > v_key_length THEN
            v_fault := format('a payload field name is longer than %s characters', v_key_length);
            CONTINUE;
        END IF;
        v_length := CASE jsonb_typeof(v_value) WHEN 'string' THEN length(v_value #>> '{}')
                                               ELSE length(v_value::text) END;
        v_max := COALESCE((v_fields ->> v_key)::integer, v_unlisted);
        IF v_length > v_max THEN
            v_fault := format('the payload''s %s is too long (%s characters, at most %s)', v_key,
                              to_char(v_length, 'FM999,999,999,990'), to_char(v_max, 'FM999,999,990'));
        END IF;
    END LOOP;
    RETURN v_fault;
END
$$;

-- A payload with a value too long (api.payload_fault) is refused: program_limit_exceeded.
CREATE OR REPLACE FUNCTION api.check_payload_size(p_kind text, p_payload jsonb) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_fault text := api.payload_fault(p_kind, p_payload, api.payload_limits(p_kind));
BEGIN
    IF v_fault IS NOT NULL THEN
        RAISE EXCEPTION '%', v_fault USING ERRCODE = 'program_limit_exceeded';
    END IF;
END
$$;

-- A business rule says no: the mutation ends rejected with this reason.
CREATE OR REPLACE FUNCTION api.refuse(reason text) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'AC001', MESSAGE = reason;
END
$$;

-- The server's state moved on from what the client saw: the mutation ends in conflict, with the
-- server's current record for a person to settle it.
CREATE OR REPLACE FUNCTION api.conflict(reason text, current jsonb) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'AC002', MESSAGE = reason, DETAIL = COALESCE(current, 'null'::jsonb)::text;
END
$$;

CREATE OR REPLACE FUNCTION api.text_field(
    payload jsonb, key text, max_length integer, missing text DEFAULT NULL
) RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    value text;
BEGIN
    IF payload -> key IS NOT NULL AND jsonb_typeof(payload -> key) NOT IN ('string', 'null') THEN
        PERFORM api.refuse(format('%s must be text', key));
    END IF;
    value := btrim(payload ->> key);
    IF value = '' THEN
        value := NULL;
    END IF;
    IF value IS NULL AND missing IS NOT NULL THEN
        PERFORM api.refuse(missing);
    END IF;
    IF length(value) > max_length THEN
        PERFORM api.refuse(format('the %s is too long (%s characters, at most %s)',
                                  replace(key, '_', ' '), to_char(length(value), 'FM999,999,990'),
                                  to_char(max_length, 'FM999,999,990')));
    END IF;
    RETURN value;
END
$$;

CREATE OR REPLACE FUNCTION api.uuid_field(payload jsonb, key text, required boolean DEFAULT true) RETURNS uuid
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    value text := payload ->> key;
BEGIN
    IF value IS NULL THEN
        IF required THEN
            PERFORM api.refuse(format('%s is missing', key));
        END IF;
        RETURN NULL;
    END IF;
    IF jsonb_typeof(payload -> key) <> 'string'
       OR value !~* '^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$' THEN
        PERFORM api.refuse(format('%s is not an id', key));
    END IF;
    RETURN value::uuid;
END
$$;

CREATE OR REPLACE FUNCTION api.int_field(payload jsonb, key text, required boolean DEFAULT true) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    value numeric;
BEGIN
    IF payload -> key IS NULL OR jsonb_typeof(payload -> key) = 'null' THEN
        IF required THEN
            PERFORM api.refuse(format('%s is missing', key));
        END IF;
        RETURN NULL;
    END IF;
    IF jsonb_typeof(payload -> key) <> 'number' THEN
        PERFORM api.refuse(format('%s must be a whole number', key));
    END IF;
    value := (payload ->> key)::numeric;
    IF value <> trunc(value) OR abs(value) > 9007199254740991 THEN
        PERFORM api.refuse(format('%s must be a whole number', key));
    END IF;
    RETURN value::bigint;
END
$$;

CREATE OR REPLACE FUNCTION api.choice_field(payload jsonb, key text, allowed text[]) RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    value text := payload ->> key;
BEGIN
    IF value IS NULL OR jsonb_typeof(payload -> key) <> 'string' OR NOT value = ANY (allowed) THEN
        PERFORM api.refuse(format('%s must be one of %s', key, array_to_string(allowed, ', ')));
    END IF;
    RETURN value;
END
$$;

CREATE OR REPLACE FUNCTION api.time_field(payload jsonb, key text) RETURNS timestamptz
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    value text := payload ->> key;
BEGIN
    IF value IS NULL THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(payload -> key) <> 'string' OR value !~ '^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d(:?\d\d)?)$' THEN
        PERFORM api.refuse(format('%s must be an ISO 8601 time with its UTC offset', key));
    END IF;
    RETURN value::timestamptz;
END
$$;

-- Money as the console writes it: £1,234.50.
CREATE OR REPLACE FUNCTION api.format_pence(pence bigint) RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN pence < 0 THEN '-' ELSE '' END || '£'
           || to_char(abs(pence) / 100, 'FM999,999,999,999,990') || '.' || lpad((abs(pence) % 100)::text, 2, '0')
$$;

-- An accepted change, to be numbered at commit and pulled by the clients that may read it
-- (reader_id NULL: every console role; else that user and supervisors).
CREATE OR REPLACE FUNCTION api.record_change(
    p_entity text, p_entity_id uuid, p_customer_id uuid, p_reader_id uuid, p_data jsonb, p_mutation_id uuid
) RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO api.pending_change (entity, entity_id, customer_id, reader_id, data, mutation_id)
    VALUES (p_entity, p_entity_id, p_customer_id, p_reader_id, p_data, p_mutation_id)
$$;

-- Whether `who` may pull a change meant for `reader_id`: the same split as the goodwill policies.
-- No SET clause, so the planner inlines it into api.change_page's scan (api.in_working_set says why).
CREATE OR REPLACE FUNCTION api.may_read(who public.users, reader_id uuid) RETURNS boolean
LANGUAGE sql STABLE
AS $$
    SELECT reader_id IS NULL OR reader_id = who.id OR who.role = 'supervisor'
$$;

-- Whether an answer may carry `record` (a row of `entity`) to `who`: the same split as the read
-- policies (90_security.sql), so no answer, a conflict's least of all, shows a row its caller may not
-- read. A record it may not carry is left out of the answer.
CREATE OR REPLACE FUNCTION api.may_read_record(who public.users, entity text, record jsonb) RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN record IS NULL OR jsonb_typeof(record) <> 'object' OR who.role = 'supervisor'
        OR CASE entity
               WHEN 'goodwill' THEN record ->> 'requested_by' = who.id::text
               WHEN 'customer' THEN NOT COALESCE((record ->> 'deleted')::boolean, false)
               ELSE true END;
END
$$;

-- At commit (a deferred constraint trigger): lock the counter row, number this transaction's
-- pending changes after the last number, move them into change_log. The lock is held until the
-- commit completes, so the next transaction numbers after this one is visible: seq order is
-- commit order, and a client's cursor never passes a change that has yet to commit.
CREATE OR REPLACE FUNCTION api.number_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_last bigint;
    v_moved bigint;
BEGIN
    -- Each row fires this at commit; the first numbers them all. The later rows' firings find
    -- their row gone by its key (a scan of the table instead costs a batch of n changes n^2).
    IF NOT EXISTS (SELECT FROM api.pending_change WHERE ord = NEW.ord) THEN
        RETURN NULL;  -- an earlier row's trigger already numbered this transaction's changes
    END IF;
    PERFORM api.lock_head_row('api.change_counter');  -- a login that holds it too long is ended
    SELECT last_seq INTO v_last FROM api.change_counter WHERE id = 1;
    WITH moved AS (
        DELETE FROM api.pending_change RETURNING *
    )
    INSERT INTO public.change_log (seq, entity, entity_id, customer_id, reader_id, data, mutation_id, committed_at)
    SELECT v_last + row_number() OVER (ORDER BY ord), entity, entity_id, customer_id, reader_id,
           data::json, mutation_id, clock_timestamp()
      FROM moved;
    GET DIAGNOSTICS v_moved = ROW_COUNT;
    UPDATE api.change_counter SET last_seq = v_last + v_moved WHERE id = 1;
    -- The head and the keys of these changes (87_notice_relay.sql), so a relay wakes only who cares.
    PERFORM pg_notify('console_changes', api.notice_payload(v_last, v_last + v_moved));
    RETURN NULL;
END
$$;

DO $$
BEGIN
    IF NOT EXISTS (
        SELECT FROM pg_catalog.pg_trigger
         WHERE tgrelid = 'api.pending_change'::regclass AND tgname = 'number_changes_at_commit'
    ) THEN
        CREATE CONSTRAINT TRIGGER number_changes_at_commit
            AFTER INSERT ON api.pending_change
            DEFERRABLE INITIALLY DEFERRED
            FOR EACH ROW EXECUTE FUNCTION api.number_changes();
    END IF;
END
$$;

-- A line on the customer's timeline for an act done through the console (as console_event()): recorded
-- when it was done, so the workstation's line (append-only, never updated) and the server's agree.
CREATE OR REPLACE FUNCTION api.add_console_event(
    p_id uuid, p_customer_id uuid, p_case_id uuid, p_actor uuid, p_at timestamptz, p_subject text,
    p_text text, p_mutation_id uuid
) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    made public.contact_events;
BEGIN
    INSERT INTO public.contact_events (id, customer_id, case_id, channel, direction, advisor_id, occurred_at,
                                       recorded_at, subject, summary)
    VALUES (COALESCE(p_id, gen_random_uuid()), p_customer_id, p_case_id, 'system', 'internal', p_actor, p_at,
            p_at, left(p_subject, 200), COALESCE(NULLIF(btrim(p_text), ''), p_subject))
    RETURNING * INTO made;
    PERFORM api.record_change('contact_event', made.id, p_customer_id, NULL, to_jsonb(made), p_mutation_id);
END
$$;
