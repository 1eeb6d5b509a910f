-- Handoffs between teams (console/handoff_rules.py) and offer impressions under the sales-pitch
-- suppressor (console/suppressor.py): the server refuses an impression the rules forbid.

CREATE OR REPLACE FUNCTION api.team_words(team text) RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT replace(team, '_', ' ')
$$;

-- Each team's acknowledge time in working hours: the same values as resources/teams.toml, which
-- `server init` writes here after this script (these rows are only the first fill).
CREATE TABLE IF NOT EXISTS api.team_acknowledge (
    team text PRIMARY KEY,
    words text NOT NULL,
    acknowledge_hours integer NOT NULL CHECK (acknowledge_hours BETWEEN 1 AND 40)
);
INSERT INTO api.team_acknowledge (team, words, acknowledge_hours)
VALUES ('front_line', 'Front line', 2), ('sales', 'Sales', 8), ('provisioning', 'Provisioning', 4),
       ('technical', 'Technical', 2), ('billing', 'Billing', 8), ('field_engineers', 'Field engineers', 4),
       ('complaints', 'Complaints', 4)
ON CONFLICT (team) DO NOTHING;

-- handoff.create: to another team, with a summary; from the caller's team. The acknowledge-by time
-- is the client's; the server checks it is no sooner than the receiving team's acknowledge hours of
-- working time after the handoff (api.working_add: the console's working hours and bank holidays,
-- published by `server init`), and within 14 days of it.
CREATE OR REPLACE FUNCTION api.handoff_create(who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_at timestamptz := LEAST(p_occurred_at, now());
    v_id uuid := api.uuid_field(p, 'id');
    v_customer uuid := api.uuid_field(p, 'customer_id');
    v_case uuid := api.uuid_field(p, 'case_id', false);
    v_kind text := api.choice_field(p, 'kind', ARRAY['order', 'task']);
    v_to text := api.choice_field(p, 'to_team', ARRAY['front_line', 'sales', 'provisioning', 'technical', 'billing',
                                                      'field_engineers', 'complaints']);
    v_ack timestamptz := api.time_field(p, 'acknowledge_by');
    v_done timestamptz := api.time_field(p, 'done_by');
    v_summary text;
    v_hours integer;
    v_due timestamptz;
    made public.handoffs;
BEGIN
    IF v_to = who.team THEN
        PERFORM api.refuse('a handoff goes to another team');
    END IF;
    IF p -> 'summary' IS NOT NULL AND jsonb_typeof(p -> 'summary') NOT IN ('string', 'null') THEN
        PERFORM api.refuse('summary must be text');
    END IF;
    v_summary := btrim(COALESCE(p ->> 'summary', ''));
    IF v_summary = '' THEN
        PERFORM api.refuse('say what the other team must do');
    END IF;
    IF length(v_summary) > 2000 THEN
        PERFORM api.refuse('the summary is too long (at most 2,000 characters)');
    END IF;
    IF v_done IS NOT NULL AND v_done <= v_at THEN
        PERFORM api.refuse('the done-by date must be in the future');
    END IF;
    IF v_ack IS NULL OR v_ack <= v_at OR v_ack > v_at + interval '14 days' THEN
        PERFORM api.refuse('acknowledge_by must be after the handoff and within 14 days of it');
    END IF;
    SELECT acknowledge_hours INTO v_hours FROM api.team_acknowledge WHERE team = v_to;
    IF v_hours IS NOT NULL THEN
        v_due := api.working_add(p_occurred_at, make_interval(hours => v_hours));
        IF v_ack < v_due THEN
            PERFORM api.refuse(format('acknowledge_by is sooner than the %s team''s %s working hours (%s UK time)',
                                      api.team_words(v_to), v_hours,
                                      to_char(v_due AT TIME ZONE 'Europe/London', 'Dy DD Mon YYYY HH24:MI')));
        END IF;
    END IF;
    IF NOT EXISTS (SELECT FROM public.customers WHERE id = v_customer AND NOT deleted) THEN
        PERFORM api.refuse('no such customer');
    END IF;
    IF v_case IS NOT NULL AND NOT EXISTS (SELECT FROM public.cases WHERE id = v_case AND customer_id = v_customer) THEN
        PERFORM api.refuse('the case is not this customer''s');
    END IF;
    IF EXISTS (SELECT FROM public.handoffs WHERE id = v_id) THEN
        PERFORM api.refuse('a handoff with this id already exists');
    END IF;
    INSERT INTO public.handoffs (id, customer_id, case_id, kind, summary, from_team, to_team, created_by, created_at,
                                 acknowledge_by, done_by, status, version)
    VALUES (v_id, v_customer, v_case, v_kind, v_summary, who.team, v_to, who.id, v_at, v_ack, v_done,
            'awaiting_ack', 1)
    RETURNING * INTO made;
    PERFORM api.record_change('handoff', v_id, v_customer, NULL, to_jsonb(made), p_mutation_id);
    PERFORM api.add_console_event(api.uuid_field(p, 'event_id', false), v_customer, v_case, who.id, v_at,
                                  format('Handed to %s', api.team_words(v_to)), v_summary, p_mutation_id);
    RETURN jsonb_build_object('entity', 'handoff', 'entity_id', v_id, 'record', to_jsonb(made));
END
$$;

-- handoff.acknowledge (awaiting_ack -> acknowledged) and handoff.complete (acknowledged -> done):
-- only a member of the receiving team, or a supervisor, moves a handoff on; it must still be in
-- the state and at the version the client saw, else a conflict.
CREATE OR REPLACE FUNCTION api.handoff_step(
    who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz, p_acknowledge boolean
) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_at timestamptz := LEAST(p_occurred_at, now());
    v_id uuid := api.uuid_field(p, 'id');
    v_version bigint := api.int_field(p, 'version', false);
    v_from text;
    v_note text;
    h public.handoffs;
    made public.handoffs;
BEGIN
    SELECT * INTO h FROM public.handoffs WHERE id = v_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api.refuse('no such handoff');
    END IF;
    v_from := CASE WHEN p_acknowledge THEN 'awaiting_ack' ELSE 'acknowledged' END;
    IF h.status <> v_from OR (v_version IS NOT NULL AND v_version <> h.version) THEN
        PERFORM api.conflict(format('this handoff has moved on meanwhile (now %s): look at it again',
                                    api.status_words(h.status)), to_jsonb(h));
    END IF;
    IF who.team <> h.to_team AND who.role <> 'supervisor' THEN
        PERFORM api.refuse(format('only the %s team or a supervisor moves this handoff on', api.team_words(h.to_team)));
    END IF;
    IF p -> 'done_note' IS NOT NULL AND jsonb_typeof(p -> 'done_note') NOT IN ('string', 'null') THEN
        PERFORM api.refuse('done_note must be text');
    END IF;
    v_note := NULLIF(btrim(COALESCE(p ->> 'done_note', '')), '');
    IF length(v_note) > 2000 THEN
        PERFORM api.refuse('what was done is too long (at most 2,000 characters)');
    END IF;
    IF p_acknowledge THEN
        UPDATE public.handoffs
           SET status = 'acknowledged', acknowledged_by = who.id, acknowledged_at = v_at, version = version + 1
         WHERE id = v_id
        RETURNING * INTO made;
    ELSE
        UPDATE public.handoffs SET status = 'done', done_at = v_at, version = version + 1
         WHERE id = v_id
        RETURNING * INTO made;
    END IF;
    PERFORM api.record_change('handoff', v_id, h.customer_id, NULL, to_jsonb(made), p_mutation_id);
    PERFORM api.add_console_event(
        api.uuid_field(p, 'event_id', false), h.customer_id, h.case_id, who.id, v_at,
        format('%s by %s', CASE WHEN p_acknowledge THEN 'Acknowledged' ELSE 'Completed' END, api.team_words(h.to_team)),
        h.summary || COALESCE(E'\nDone: ' || v_note, ''), p_mutation_id);
    RETURN jsonb_build_object('entity', 'handoff', 'entity_id', v_id, 'record', to_jsonb(made));
END
$$;

-- offer.impression: an offer shown to a customer, refused while the suppressor pauses offers: a case
-- open (opened by the time it was shown) or awaiting the customer's confirmation, a vulnerable
-- customer, no marketing consent. The customer's cases are locked (FOR SHARE) so a case changing at
-- the same moment waits for the decision. The complaint cooling-off period is a workstation
-- setting and stays with the client.
CREATE OR REPLACE FUNCTION api.offer_impression(who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_at timestamptz := LEAST(p_occurred_at, now());
    v_id uuid := api.uuid_field(p, 'id');
    v_customer uuid := api.uuid_field(p, 'customer_id');
    v_offer uuid := api.uuid_field(p, 'offer_id');
    v_reasons text[] := ARRAY[]::text[];
    v_open text;
    cust public.customers;
    made public.offer_impressions;
BEGIN
    SELECT * INTO made FROM public.offer_impressions WHERE id = v_id;
    IF FOUND THEN
        IF made.customer_id = v_customer AND made.offer_id = v_offer AND made.advisor_id = who.id THEN
            RETURN jsonb_build_object('entity', 'offer_impression', 'entity_id', v_id, 'record', to_jsonb(made));
        END IF;
        PERFORM api.refuse('another offer impression already has this id');
    END IF;
    SELECT * INTO cust FROM public.customers WHERE id = v_customer AND NOT deleted FOR SHARE;
    IF NOT FOUND THEN
        PERFORM api.refuse('no such customer');
    END IF;
    IF NOT EXISTS (SELECT FROM public.offers WHERE id = v_offer AND active) THEN
        PERFORM api.refuse('that offer is not active');
    END IF;
    PERFORM FROM public.cases WHERE customer_id = v_customer FOR SHARE;
    SELECT string_agg(reference, ', ' ORDER BY opened_at) INTO v_open
      FROM public.cases
     WHERE customer_id = v_customer AND status NOT IN ('resolved', 'closed') AND opened_at <= v_at;
    IF v_open IS NOT NULL THEN
        v_reasons := v_reasons || format('open problem (%s)', v_open);
    END IF;
    SELECT string_agg(reference, ', ' ORDER BY opened_at) INTO v_open
      FROM public.cases
     WHERE customer_id = v_customer AND status = 'resolved' AND confirmation <> 'confirmed';
    IF v_open IS NOT NULL THEN
        v_reasons := v_reasons || format('awaiting the customer''s confirmation of the fix (%s)', v_open);
    END IF;
    IF cust.vulnerable THEN
        v_reasons := v_reasons || 'customer is marked vulnerable'::text;
    END IF;
    IF NOT cust.marketing_consent THEN
        v_reasons := v_reasons || 'no marketing consent'::text;
    END IF;
    IF cardinality(v_reasons) > 0 THEN
        PERFORM api.refuse('offers paused: ' || array_to_string(v_reasons, '; '));
    END IF;
    INSERT INTO public.offer_impressions (id, customer_id, offer_id, advisor_id, shown_at)
    VALUES (v_id, v_customer, v_offer, who.id, v_at)
    RETURNING * INTO made;
    PERFORM api.record_change('offer_impression', v_id, v_customer, NULL, to_jsonb(made), p_mutation_id);
    RETURN jsonb_build_object('entity', 'offer_impression', 'entity_id', v_id, 'record', to_jsonb(made));
END
$$;
