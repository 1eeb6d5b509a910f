-- Online search and one customer's records, for a workstation that does not hold every customer.
-- Both are SECURITY INVOKER, like the first sync's pages: they read as the caller, so grants and
-- row-level security decide exactly as for a direct read (no soft-deleted customer, goodwill only as
-- the caller's policies allow). Contract: docs/sync.md.

-- Customers matching the probes the client planned (console/search.plan_search normalises what the
-- advisor typed, so the keys are made by the one rule the local search uses), most specific probe
-- first, each as the local search orders it; at most `max` (1-200) distinct customers. The keys are
-- "C"-collated, so a prefix is a range on their B-tree indexes, as in storage/queries/customers.py.
-- probes: [{"kind": "account|phone|postcode|email|name", "keys": ["…", …]}, …]
CREATE OR REPLACE FUNCTION api.search_customers(probes jsonb, max integer) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
#variable_conflict use_variable
DECLARE
    v_ids uuid[] := '{}';
    v_found uuid[];
    v_kind text;
    v_keys text[];
    v_key text;
    v_first text;
    v_last text;
    probe jsonb;
BEGIN
    PERFORM api.change_head();  -- an unknown or disabled login is refused here
    IF max IS NULL OR max < 1 OR max > 200 THEN
        RAISE EXCEPTION 'max must be between 1 and 200' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF probes IS NULL OR jsonb_typeof(probes) <> 'array' THEN
        RAISE EXCEPTION 'probes must be a list' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR probe IN SELECT value FROM jsonb_array_elements(probes) LOOP
        v_kind := probe ->> 'kind';
        SELECT COALESCE(array_agg(k), '{}') INTO v_keys FROM jsonb_array_elements_text(probe -> 'keys') AS k;
        IF cardinality(v_keys) = 0 OR EXISTS (SELECT 1 FROM unnest(v_keys) k WHERE k IS NULL OR k = '') THEN
            RAISE EXCEPTION 'a probe without keys' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        v_key := v_keys[1];
        IF v_kind = 'account' THEN
            SELECT array_agg(c.id ORDER BY c.account_number) INTO v_found FROM (
                SELECT c.id, c.account_number FROM public.customers c
                 WHERE (c.account_number >= v_key AND c.account_number < v_key || chr(1114111)) AND NOT c.deleted
                 ORDER BY c.account_number LIMIT max) c;
        ELSIF v_kind = 'phone' THEN
            SELECT array_agg(p.customer_id ORDER BY p.e164) INTO v_found FROM (
                SELECT ph.customer_id, ph.e164 FROM public.customer_phones ph
                  JOIN public.customers c ON c.id = ph.customer_id
                 WHERE (ph.e164 >= v_key AND ph.e164 < v_key || chr(1114111)) AND NOT c.deleted
                 ORDER BY ph.e164 LIMIT max) p;
        ELSIF v_kind = 'postcode' THEN
            SELECT array_agg(c.id ORDER BY c.postcode_key, c.family_key) INTO v_found FROM (
                SELECT c.id, c.postcode_key, c.family_key FROM public.customers c
                 WHERE (c.postcode_key >= v_key AND c.postcode_key < v_key || chr(1114111)) AND NOT c.deleted
                 ORDER BY c.postcode_key, c.family_key LIMIT max) c;
        ELSIF v_kind = 'email' THEN
            SELECT array_agg(c.id ORDER BY c.email_key) INTO v_found FROM (
                SELECT c.id, c.email_key FROM public.customers c
                 WHERE (c.email_key >= v_key AND c.email_key < v_key || chr(1114111)) AND NOT c.deleted
                 ORDER BY c.email_key LIMIT max) c;
        ELSIF v_kind = 'name' AND cardinality(v_keys) = 1 THEN
            -- One word: a family name starting with it, then a given name starting with it.
            SELECT array_agg(f.id ORDER BY f.place, f.k1, f.k2) INTO v_found FROM (
                (SELECT c.id, 1 AS place, c.family_key AS k1, c.given_key AS k2 FROM public.customers c
                  WHERE (c.family_key >= v_key AND c.family_key < v_key || chr(1114111)) AND NOT c.deleted
                  ORDER BY c.family_key, c.given_key LIMIT max)
                UNION ALL
                (SELECT c.id, 2, c.given_key, c.family_key FROM public.customers c
                  WHERE (c.given_key >= v_key AND c.given_key < v_key || chr(1114111)) AND NOT c.deleted
                  ORDER BY c.given_key, c.family_key LIMIT max)) f;
        ELSIF v_kind = 'name' THEN
            -- More words: the first and the last, as given and family name or the other way round.
            v_first := v_keys[1];
            v_last := v_keys[cardinality(v_keys)];
            SELECT array_agg(c.id ORDER BY c.family_key, c.given_key) INTO v_found FROM (
                SELECT c.id, c.family_key, c.given_key FROM public.customers c
                 WHERE NOT c.deleted
                   AND (((c.given_key >= v_first AND c.given_key < v_first || chr(1114111)) AND (c.family_key >= v_last AND c.family_key < v_last || chr(1114111)))
                     OR ((c.family_key >= v_first AND c.family_key < v_first || chr(1114111)) AND (c.given_key >= v_last AND c.given_key < v_last || chr(1114111))))
                 ORDER BY c.family_key, c.given_key LIMIT max) c;
        ELSE
            RAISE EXCEPTION 'no search by %', v_kind USING ERRCODE = 'invalid_parameter_value';
        END IF;
        -- Keep the first place of each customer (one may match twice: two phones, two names).
        SELECT COALESCE(array_agg(id ORDER BY place), '{}') INTO v_ids FROM (
            SELECT id, min(place) AS place
              FROM unnest(v_ids || COALESCE(v_found, '{}')) WITH ORDINALITY AS u(id, place)
             GROUP BY id) d;
        IF cardinality(v_ids) >= max THEN
            EXIT;
        END IF;
    END LOOP;
    v_ids := v_ids[1:max];
    RETURN COALESCE((
        SELECT jsonb_agg(jsonb_build_object(
                   'id', c.id, 'account_number', c.account_number,
                   'name', concat_ws(' ', NULLIF(c.title, ''), c.given_name, c.family_name),
                   'postcode', c.postcode, 'town', c.town, 'email', c.email,
                   'phone_e164', (SELECT ph.e164 FROM public.customer_phones ph WHERE ph.customer_id = c.id
                                   ORDER BY ph.is_primary DESC, ph.e164 LIMIT 1))
                   ORDER BY u.place)
          FROM unnest(v_ids) WITH ORDINALITY AS u(id, place)
          JOIN public.customers c ON c.id = u.id), '[]'::jsonb);
END
$$;

-- Customers' records as the caller may read them, parents first (the first sync's entity order):
-- the customer, phones, owner changes, cases and their owner changes, goodwill, promises (with the
-- follow-ups they name), handoffs, contact events, the offers shown and their impressions, feedback,
-- detail changes, and every user those rows name. The one definition of "a customer's records":
-- the first sync takes its working set with it, a page of customers at a time, and opening a
-- customer not held takes one. `head` is the change log's head read in the same snapshot: every
-- change after it has a larger number, so a client holding these rows and pulling from a cursor no
-- later than `head` misses nothing. `customer_ids`: those found; a customer the caller may not read
-- (soft-deleted, or no such id) gives no records.
CREATE OR REPLACE FUNCTION api.customers_records(ids uuid[]) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
#variable_conflict use_variable
DECLARE
    v_head bigint := api.change_head();
    v_records jsonb;
    v_found jsonb;
BEGIN
    IF ids IS NULL OR cardinality(ids) > 1000 THEN
        RAISE EXCEPTION 'at most 1000 customers a call' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT COALESCE(jsonb_agg(c.id ORDER BY c.id), '[]'::jsonb) INTO v_found
      FROM public.customers c WHERE c.id = ANY(ids);
    IF v_found = '[]'::jsonb THEN
        RETURN jsonb_build_object('head', v_head, 'customer_ids', v_found, 'records', '[]'::jsonb);
    END IF;
    WITH
    cust AS (SELECT * FROM public.customers c WHERE c.id = ANY(ids)),
    phones AS (SELECT * FROM public.customer_phones t WHERE t.customer_id = ANY(ids)),
    owners AS (SELECT * FROM public.account_owner_changes t WHERE t.customer_id = ANY(ids)),
    cases AS (SELECT * FROM public.cases t WHERE t.customer_id = ANY(ids)),
    case_owners AS (SELECT t.* FROM public.case_owner_changes t WHERE t.case_id IN (SELECT id FROM cases)),
    goodwill AS (SELECT * FROM public.goodwill t WHERE t.customer_id = ANY(ids)),
    promises AS (
        WITH RECURSIVE chain AS (
            SELECT p.* FROM public.promises p WHERE p.customer_id = ANY(ids)
            UNION
            SELECT p.* FROM public.promises p JOIN chain c ON p.id = c.follow_up_id
        ) SELECT * FROM chain),
    handoffs AS (SELECT * FROM public.handoffs t WHERE t.customer_id = ANY(ids)),
    events AS (SELECT * FROM public.contact_events t WHERE t.customer_id = ANY(ids)),
    impressions AS (SELECT * FROM public.offer_impressions t WHERE t.customer_id = ANY(ids)),
    offers AS (SELECT * FROM public.offers o WHERE o.id IN (SELECT offer_id FROM impressions)),
    feedback AS (SELECT * FROM public.feedback t WHERE t.customer_id = ANY(ids)),
    details AS (SELECT * FROM public.customer_detail_changes t WHERE t.customer_id = ANY(ids)),
    named AS (
        SELECT account_owner_id AS id FROM cust
        UNION SELECT from_user_id FROM owners UNION SELECT to_user_id FROM owners
        UNION SELECT owner_id FROM cases
        UNION SELECT from_user_id FROM case_owners UNION SELECT to_user_id FROM case_owners
        UNION SELECT requested_by FROM goodwill UNION SELECT decided_by FROM goodwill
        UNION SELECT second_decided_by FROM goodwill
        UNION SELECT owner_id FROM promises
        UNION SELECT created_by FROM handoffs UNION SELECT acknowledged_by FROM handoffs
        UNION SELECT advisor_id FROM events UNION SELECT advisor_id FROM impressions
        UNION SELECT changed_by FROM details),
    users AS (SELECT * FROM public.users u WHERE u.id IN (SELECT id FROM named WHERE id IS NOT NULL)),
    records AS (
        SELECT 1 AS place, 'user' AS entity, u.id, to_jsonb(u) AS data FROM users u
        UNION ALL SELECT 2, 'customer', t.id, to_jsonb(t) FROM cust t
        UNION ALL SELECT 3, 'customer_phone', t.id, to_jsonb(t) FROM phones t
        UNION ALL SELECT 4, 'account_owner_change', t.id, to_jsonb(t) FROM owners t
        UNION ALL SELECT 5, 'case', t.id, to_jsonb(t) FROM cases t
        UNION ALL SELECT 6, 'case_owner_change', t.id, to_jsonb(t) FROM case_owners t
        UNION ALL SELECT 7, 'goodwill', t.id, to_jsonb(t) FROM goodwill t
        UNION ALL SELECT 8, 'promise', t.id, to_jsonb(t) FROM promises t
        UNION ALL SELECT 9, 'handoff', t.id, to_jsonb(t) FROM handoffs t
        UNION ALL SELECT 10, 'contact_event', t.id, to_jsonb(t) FROM events t
        UNION ALL SELECT 11, 'offer', t.id, to_jsonb(t) FROM offers t
        UNION ALL SELECT 12, 'offer_impression', t.id, to_jsonb(t) FROM impressions t
        UNION ALL SELECT 13, 'feedback', t.id, to_jsonb(t) FROM feedback t
        UNION ALL SELECT 14, 'customer_detail_change', t.id, to_jsonb(t) FROM details t)
    SELECT COALESCE(jsonb_agg(jsonb_build_object('entity', r.entity, 'data', r.data) ORDER BY r.place, r.id),
                    '[]'::jsonb)
      INTO v_records FROM records r;
    RETURN jsonb_build_object('head', v_head, 'customer_ids', v_found, 'records', v_records);
END
$$;

-- One customer's records (api.customers_records of one), for a workstation opening a customer it
-- does not hold.
CREATE OR REPLACE FUNCTION api.customer_records(customer_id uuid) RETURNS jsonb
LANGUAGE sql STABLE SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT jsonb_build_object('head', r -> 'head', 'customer_id', customer_id, 'records', r -> 'records')
      FROM api.customers_records(ARRAY[customer_id]) AS r
$$;
