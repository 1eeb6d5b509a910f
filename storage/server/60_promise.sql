-- promise.create and promise.complete: the rules of console/promise_rules.py, judged at the time
-- the advisor acted (occurred_at, never later than the server's now), so a promise made offline
-- is not refused for the time the link was down.

CREATE OR REPLACE FUNCTION api.promise_words(kind text) RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE kind WHEN 'credit' THEN 'credit to apply' WHEN 'complaint_deadline' THEN 'complaint response'
                     ELSE replace(kind, '_', ' ') END
$$;

CREATE OR REPLACE FUNCTION api.promise_create(who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id uuid := api.uuid_field(p, 'id');
    v_customer uuid := api.uuid_field(p, 'customer_id');
    v_case uuid := api.uuid_field(p, 'case_id', false);
    v_kind text := api.choice_field(p, 'kind', ARRAY['callback', 'progress_update', 'engineer_visit', 'credit',
                                                     'complaint_deadline', 'letter']);
    v_due timestamptz := api.time_field(p, 'due_at');
    v_window timestamptz := api.time_field(p, 'window_end_at');
    v_phone text := api.text_field(p, 'phone_e164', 16);
    v_note text := api.text_field(p, 'note', 2000);
    v_at timestamptz := LEAST(p_occurred_at, now());
    made public.promises;
BEGIN
    IF v_due IS NULL THEN
        PERFORM api.refuse('due_at is missing');
    END IF;
    IF v_due <= v_at THEN
        PERFORM api.refuse('the due time is in the past: choose a time from now on');
    END IF;
    IF v_due - v_at > interval '366 days' THEN
        PERFORM api.refuse('the due time is more than a year away: make a nearer promise');
    END IF;
    IF v_window IS NOT NULL AND v_window <= v_due THEN
        PERFORM api.refuse('the window must end after it starts');
    END IF;
    IF v_phone IS NOT NULL AND v_phone !~ '^\+[1-9][0-9]{6,14}$' THEN
        PERFORM api.refuse('phone_e164 is not a phone number in E.164 form');
    END IF;
    IF v_kind = 'callback' AND v_phone IS NULL THEN
        PERFORM api.refuse('a callback needs a number to call: the customer has none on file, so ask for one');
    END IF;
    IF NOT EXISTS (SELECT FROM public.customers WHERE id = v_customer AND NOT deleted) THEN
        PERFORM api.refuse('no such customer');
    END IF;
    IF v_case IS NOT NULL AND NOT EXISTS (SELECT FROM public.cases WHERE id = v_case AND customer_id = v_customer) THEN
        PERFORM api.refuse('the case is not this customer''s');
    END IF;
    IF EXISTS (SELECT FROM public.promises WHERE id = v_id) THEN
        PERFORM api.refuse('a promise with this id already exists');
    END IF;
    INSERT INTO public.promises (id, customer_id, case_id, kind, owner_id, created_at, due_at, window_end_at,
                                 phone_e164, note, status, version)
    VALUES (v_id, v_customer, v_case, v_kind, who.id, v_at, v_due, v_window, v_phone, v_note, 'open', 1)
    RETURNING * INTO made;
    PERFORM api.record_change('promise', v_id, v_customer, NULL, to_jsonb(made), p_mutation_id);
    PERFORM api.add_console_event(api.uuid_field(p, 'event_id', false), v_customer, v_case, who.id, v_at,
                                  'Promise made: ' || api.promise_words(v_kind), COALESCE(v_note, ''), p_mutation_id);
    RETURN jsonb_build_object('entity', 'promise', 'entity_id', v_id, 'record', to_jsonb(made));
END
$$;

CREATE OR REPLACE FUNCTION api.promise_complete(who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id uuid := api.uuid_field(p, 'id');
    v_version bigint := api.int_field(p, 'version', false);
    v_status text := api.choice_field(p, 'status', ARRAY['done', 'not_reachable', 'rescheduled']);
    v_text text := COALESCE(api.text_field(p, 'outcome', 2000), '');
    v_next timestamptz := api.time_field(p, 'next_attempt_at');
    v_told boolean;
    v_follow_up uuid;
    v_at timestamptz := LEAST(p_occurred_at, now());
    v_old public.promises;
    made public.promises;
    follow public.promises;
BEGIN
    IF p -> 'customer_told' IS NOT NULL AND jsonb_typeof(p -> 'customer_told') NOT IN ('boolean', 'null') THEN
        PERFORM api.refuse('customer_told must be true or false');
    END IF;
    v_told := (p ->> 'customer_told')::boolean;
    IF v_status = 'done' AND v_text = '' THEN
        PERFORM api.refuse('say what happened: an outcome needs a few words');
    END IF;
    IF v_status = 'not_reachable' THEN
        IF v_next IS NULL THEN
            PERFORM api.refuse('the customer was not reachable: set when to try again');
        END IF;
        IF v_next <= v_at THEN
            PERFORM api.refuse('the next attempt must be in the future');
        END IF;
    END IF;
    IF v_status = 'rescheduled' THEN
        IF v_text = '' THEN
            PERFORM api.refuse('give the reason for rescheduling');
        END IF;
        IF v_told IS NULL THEN
            PERFORM api.refuse('say whether the customer was told the new time');
        END IF;
        IF v_next IS NULL OR v_next <= v_at THEN
            PERFORM api.refuse('a rescheduled promise needs a new time in the future');
        END IF;
    END IF;
    SELECT * INTO v_old FROM public.promises WHERE id = v_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api.refuse('no such promise');
    END IF;
    -- Its owner, its case's owner or a supervisor (console/promise_rules.check_ender).
    IF who.role <> 'supervisor' AND who.id IS DISTINCT FROM v_old.owner_id
       AND NOT EXISTS (SELECT FROM public.cases c WHERE c.id = v_old.case_id AND c.owner_id = who.id) THEN
        PERFORM api.refuse('only the promise''s owner, its case''s owner or a supervisor ends this promise');
    END IF;
    IF v_old.status <> 'open' THEN
        PERFORM api.conflict(format('this promise was already ended (%s)%s',
                                    CASE v_old.status WHEN 'not_reachable' THEN 'customer not reachable' ELSE v_old.status END,
                                    CASE WHEN v_old.outcome <> '' THEN ': ' || v_old.outcome ELSE '' END), to_jsonb(v_old));
    END IF;
    IF v_version IS NOT NULL AND v_version <> v_old.version THEN
        PERFORM api.conflict('this promise was changed by someone else meanwhile: look at it again', to_jsonb(v_old));
    END IF;
    IF v_next IS NOT NULL THEN
        v_follow_up := COALESCE(api.uuid_field(p, 'follow_up_id', false), gen_random_uuid());
        INSERT INTO public.promises (id, customer_id, case_id, kind, owner_id, created_at, due_at, phone_e164, note,
                                     status, version)
        VALUES (v_follow_up, v_old.customer_id, v_old.case_id, v_old.kind, who.id, v_at, v_next, v_old.phone_e164, v_old.note,
                'open', 1)
        RETURNING * INTO follow;
        PERFORM api.record_change('promise', v_follow_up, v_old.customer_id, NULL, to_jsonb(follow), p_mutation_id);
    END IF;
    UPDATE public.promises
       SET status = v_status, outcome = v_text, closed_at = v_at, customer_told = v_told, follow_up_id = v_follow_up,
           version = version + 1
     WHERE id = v_id
    RETURNING * INTO made;
    PERFORM api.record_change('promise', v_id, v_old.customer_id, NULL, to_jsonb(made), p_mutation_id);
    PERFORM api.add_console_event(
        api.uuid_field(p, 'event_id', false), v_old.customer_id, v_old.case_id, who.id, v_at,
        format('Promise ended: %s, %s', api.promise_words(v_old.kind),
               CASE v_status WHEN 'not_reachable' THEN 'customer not reachable' ELSE v_status END),
        v_text, p_mutation_id);
    RETURN jsonb_build_object('entity', 'promise', 'entity_id', v_id, 'record', to_jsonb(made),
                              'follow_up', to_jsonb(follow));
END
$$;
