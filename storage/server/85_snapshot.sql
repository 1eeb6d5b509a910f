-- Pages of one entity as the caller may read it, table by table in id order: a new workstation's
-- first sync takes its reference data (users, offers) this way, the rest of its working set by
-- customer (88_working_set.sql). The pages are SECURITY INVOKER: they read as the caller, so grants
-- and row-level security decide exactly as for a direct read (one place for who reads what).
-- Contract: docs/sync.md.

-- The change log's head, for a caller the server functions accept (clients have no right on
-- api.change_counter; an unknown or disabled login is refused here, as by apply_mutation).
CREATE OR REPLACE FUNCTION api.change_head() RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM api.caller();
    RETURN (SELECT c.last_seq FROM api.change_counter c WHERE c.id = 1);
END
$$;

-- The entities a page may give, parents before the rows that name them (a client's order).
CREATE OR REPLACE FUNCTION api.snapshot_entities() RETURNS TABLE (place integer, entity text, table_name text)
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    VALUES (1, 'user', 'users'), (2, 'customer', 'customers'), (3, 'customer_phone', 'customer_phones'),
           (4, 'account_owner_change', 'account_owner_changes'), (5, 'case', 'cases'),
           (6, 'case_owner_change', 'case_owner_changes'), (7, 'goodwill', 'goodwill'),
           (8, 'promise', 'promises'), (9, 'handoff', 'handoffs'), (10, 'contact_event', 'contact_events'),
           (11, 'offer', 'offers'), (12, 'offer_impression', 'offer_impressions'), (13, 'feedback', 'feedback'),
           (14, 'customer_detail_change', 'customer_detail_changes')
$$;

-- The next `max` rows of `entity` after the id `after` (NULL: from the start), as the caller may
-- read them. `last_id` is where the next page starts; fewer than `max` rows means the entity is
-- done. A promise may name its follow-up, made later (a larger id, on a later page): `extra`
-- carries the follow-ups the page's promises name, transitively, so every page stands on its own.
CREATE OR REPLACE FUNCTION api.snapshot_page(entity text, after uuid, max integer) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
#variable_conflict use_variable
DECLARE
    v_head bigint := api.change_head();
    v_table text;
    v_after uuid := COALESCE(after, '00000000-0000-0000-0000-000000000000'::uuid);
    v_rows jsonb;
    v_count integer;
    v_last uuid;
    v_extra jsonb := '[]'::jsonb;
BEGIN
    IF max IS NULL OR max < 1 OR max > 10000 THEN
        RAISE EXCEPTION 'max must be between 1 and 10000' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT e.table_name INTO v_table FROM api.snapshot_entities() e WHERE e.entity = snapshot_page.entity;
    IF v_table IS NULL THEN
        RAISE EXCEPTION 'no snapshot of %', entity USING ERRCODE = 'invalid_parameter_value';
    END IF;
    EXECUTE format(
        'SELECT COALESCE(jsonb_agg(to_jsonb(t) ORDER BY t.id), ''[]''::jsonb), count(*), '
        '(array_agg(t.id ORDER BY t.id DESC))[1] '
        'FROM (SELECT * FROM public.%I s WHERE s.id > $1 ORDER BY s.id LIMIT $2) AS t', v_table)
      INTO v_rows, v_count, v_last USING v_after, max;
    IF v_table = 'promises' AND v_count > 0 THEN
        WITH RECURSIVE chain AS (
            SELECT p.* FROM public.promises p
             WHERE p.id IN (SELECT (r ->> 'follow_up_id')::uuid FROM jsonb_array_elements(v_rows) AS r
                             WHERE r ->> 'follow_up_id' IS NOT NULL)
            UNION
            SELECT p.* FROM public.promises p JOIN chain c ON p.id = c.follow_up_id
        )
        SELECT COALESCE(jsonb_agg(to_jsonb(c) ORDER BY c.id), '[]'::jsonb) INTO v_extra FROM chain c;
    END IF;
    RETURN jsonb_build_object('entity', entity, 'rows', v_rows, 'extra', v_extra, 'last_id', v_last,
                              'more', v_count = max, 'head', v_head);
END
$$;
