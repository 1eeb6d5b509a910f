-- contact.add: an append-only fact on the customer's timeline. Facts never conflict: the same
-- event sent again under another mutation id is accepted as the same fact.

CREATE OR REPLACE FUNCTION api.contact_add(who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id uuid := api.uuid_field(p, 'id');
    v_customer uuid := api.uuid_field(p, 'customer_id');
    v_case uuid := api.uuid_field(p, 'case_id', false);
    v_channel text := api.choice_field(p, 'channel', ARRAY['phone', 'email', 'social', 'letter', 'chat', 'visit', 'system']);
    v_direction text := api.choice_field(p, 'direction', ARRAY['inbound', 'outbound', 'internal']);
    v_at timestamptz := LEAST(COALESCE(api.time_field(p, 'occurred_at'), p_occurred_at), now());
    -- The workstation's own recorded_at (its copy is append-only and never updated), clamped as v_at.
    v_recorded timestamptz := LEAST(COALESCE(api.time_field(p, 'recorded_at'), p_occurred_at), now());
    v_subject text := api.text_field(p, 'subject', 200);
    v_summary text := api.text_field(p, 'summary', 10000, 'write what happened');
    -- The wrap-up's reason (a code of the console's coded list, which the server does not hold) and
    -- the call's length, as console/contact_rules.py checks them.
    v_reason text;
    v_duration bigint := api.int_field(p, 'duration_seconds', false);
    made public.contact_events;
    v_record jsonb;
BEGIN
    IF p -> 'reason' IS NOT NULL AND jsonb_typeof(p -> 'reason') NOT IN ('string', 'null') THEN
        PERFORM api.refuse('reason must be text');
    END IF;
    v_reason := NULLIF(btrim(p ->> 'reason'), '');
    IF v_reason IS NOT NULL AND v_reason !~ '^[a-z0-9][a-z0-9_-]{0,39}$' THEN
        PERFORM api.refuse('the contact reason must be a short code (a-z, 0-9, _ or -, at most 40)');
    END IF;
    IF v_duration IS NOT NULL AND v_duration NOT BETWEEN 0 AND 86400 THEN
        PERFORM api.refuse('the duration must be 0 to 86,400 seconds');
    END IF;
    SELECT * INTO made FROM public.contact_events WHERE id = v_id;
    IF FOUND THEN
        IF made.customer_id = v_customer AND made.summary = v_summary AND made.advisor_id = who.id THEN
            RETURN jsonb_build_object('entity', 'contact_event', 'entity_id', v_id, 'record', to_jsonb(made));
        END IF;
        PERFORM api.refuse('another contact event already has this id');
    END IF;
    IF NOT EXISTS (SELECT FROM public.customers WHERE id = v_customer AND NOT deleted) THEN
        PERFORM api.refuse('no such customer');
    END IF;
    IF v_case IS NOT NULL AND NOT EXISTS (SELECT FROM public.cases WHERE id = v_case AND customer_id = v_customer) THEN
        PERFORM api.refuse('the case is not this customer''s');
    END IF;
    INSERT INTO public.contact_events (id, customer_id, case_id, channel, direction, advisor_id, occurred_at,
                                       recorded_at, subject, summary, reason_code, duration_seconds)
    VALUES (v_id, v_customer, v_case, v_channel, v_direction, who.id, v_at, v_recorded, v_subject, v_summary,
            v_reason, v_duration)
    RETURNING * INTO made;
    v_record := to_jsonb(made);
    PERFORM api.record_change('contact_event', v_id, v_customer, NULL, v_record, p_mutation_id);
    RETURN jsonb_build_object('entity', 'contact_event', 'entity_id', v_id, 'record', v_record);
END
$$;
