-- Goodwill on the server: the same rules as console/goodwill_rules.py (one table of cases in
-- tests/rules/goodwill_cases.py drives the tests of both), decided by the caller's role and the
-- limits in users, never by what the payload claims.

CREATE OR REPLACE FUNCTION api.goodwill_decider_name(g public.goodwill) RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT COALESCE((SELECT display_name FROM public.users WHERE id = COALESCE(g.second_decided_by, g.decided_by)),
                    'someone else')
$$;

-- Why the request is no longer what the client saw (the words of GoodwillService._conflict_message).
CREATE OR REPLACE FUNCTION api.goodwill_conflict(g public.goodwill) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    who text := api.goodwill_decider_name(g);
BEGIN
    IF g.state = 'awaiting_second_approval' THEN
        PERFORM api.conflict(format('already decided by %s: first approval given, a second supervisor must approve', who), to_jsonb(g));
    ELSIF g.state = 'approved' THEN
        PERFORM api.conflict(format('already decided by %s: approved', who), to_jsonb(g));
    ELSIF g.state = 'rejected' THEN
        PERFORM api.conflict(format('already decided by %s: rejected', who), to_jsonb(g));
    END IF;
    PERFORM api.conflict('this request was changed by someone else meanwhile: look at it again', to_jsonb(g));
END
$$;

CREATE OR REPLACE FUNCTION api.goodwill_request(who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id uuid := api.uuid_field(p, 'id');
    v_customer uuid := api.uuid_field(p, 'customer_id');
    v_case uuid := api.uuid_field(p, 'case_id', false);
    v_kind text := api.choice_field(p, 'kind', ARRAY['goodwill_credit', 'compensation', 'fee_waiver', 'refund']);
    v_amount bigint := api.int_field(p, 'amount_pence');
    v_category text;
    v_reason text;
    v_state text;
    v_authorisation text;
    v_now timestamptz := now();
    made public.goodwill;
    words text;
BEGIN
    IF v_amount <= 0 THEN
        PERFORM api.refuse('the amount must be more than £0.00');
    END IF;
    IF v_amount > 1000000 THEN
        PERFORM api.refuse('that is more than £10,000.00 in one payment');
    END IF;
    v_category := api.text_field(p, 'reason_category', 60, 'choose a reason category');
    v_reason := api.text_field(p, 'reason_text', 2000, 'give the reason: the customer and the approver will both read it');
    IF NOT EXISTS (SELECT FROM public.customers WHERE id = v_customer AND NOT deleted) THEN
        PERFORM api.refuse('no such customer');
    END IF;
    IF v_case IS NOT NULL AND NOT EXISTS (SELECT FROM public.cases WHERE id = v_case AND customer_id = v_customer) THEN
        PERFORM api.refuse('the case is not this customer''s');
    END IF;
    IF EXISTS (SELECT FROM public.goodwill WHERE id = v_id) THEN
        PERFORM api.refuse('a goodwill request with this id already exists');
    END IF;
    -- The limit as the users table says now: whatever state the client computed offline is ignored.
    IF v_amount <= who.goodwill_limit_pence THEN
        v_state := 'approved';
        v_authorisation := 'self_within_limit';
    ELSE
        v_state := 'awaiting_approval';
    END IF;
    INSERT INTO public.goodwill (id, customer_id, case_id, kind, amount_pence, currency, reason_category, reason_text,
                                 requested_by, requested_at, state, authorisation, decided_at, version)
    VALUES (v_id, v_customer, v_case, v_kind, v_amount, 'GBP', v_category, v_reason, who.id,
            LEAST(p_occurred_at, v_now), v_state, v_authorisation,
            CASE WHEN v_state = 'approved' THEN v_now END, 1)
    RETURNING * INTO made;
    PERFORM api.record_change('goodwill', v_id, v_customer, who.id, to_jsonb(made), p_mutation_id);
    words := api.format_pence(v_amount) || ' ' || replace(v_kind, '_', ' ');
    PERFORM api.add_console_event(
        api.uuid_field(p, 'event_id', false), v_customer, v_case, who.id, LEAST(p_occurred_at, v_now),
        CASE WHEN v_state = 'approved'
             THEN format('Goodwill given: %s (within the advisor''s limit)', words)
             ELSE format('Goodwill requested: %s, awaiting a supervisor''s approval', words) END,
        v_category || ': ' || v_reason, p_mutation_id);
    PERFORM api.audit_append(v_now, who.username, 'goodwill.request', 'goodwill', v_id, jsonb_build_object(
        'customer_id', v_customer::text,
        'kind', v_kind,
        'amount_pence', v_amount,
        'limit_pence', who.goodwill_limit_pence,
        'state', v_state,
        'authorisation', v_authorisation,
        'reason_category', v_category,
        'mutation_id', p_mutation_id::text));
    RETURN jsonb_build_object('entity', 'goodwill', 'entity_id', v_id, 'record', to_jsonb(made));
END
$$;

-- Yes from a supervisor: four eyes, the supervisor's own limit, a second supervisor above it. The
-- row is locked and its state (and the version the client saw, when given) checked, so two
-- supervisors approving at once give one approval and one conflict.
CREATE OR REPLACE FUNCTION api.goodwill_approve(who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id uuid := api.uuid_field(p, 'id');
    v_version bigint := api.int_field(p, 'version', false);
    v_note text := api.text_field(p, 'note', 2000);
    v_now timestamptz := now();
    g public.goodwill;
    made public.goodwill;
    v_from text;
BEGIN
    SELECT * INTO g FROM public.goodwill WHERE id = v_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api.refuse('no such goodwill request');
    END IF;
    -- The caller first: an advisor learns nothing of a request that is not theirs, so no conflict
    -- answer carries a row they may not read.
    IF who.role <> 'supervisor' AND g.requested_by <> who.id THEN
        PERFORM api.refuse('only an active supervisor approves goodwill above an advisor''s limit');
    END IF;
    IF g.state NOT IN ('awaiting_approval', 'awaiting_second_approval') THEN
        PERFORM api.goodwill_conflict(g);
    END IF;
    IF v_version IS NOT NULL AND v_version <> g.version THEN
        PERFORM api.goodwill_conflict(g);
    END IF;
    IF g.requested_by = who.id THEN
        PERFORM api.refuse('nobody approves their own request: ask a supervisor');
    END IF;
    IF who.role <> 'supervisor' THEN
        PERFORM api.refuse('only an active supervisor approves goodwill above an advisor''s limit');
    END IF;
    v_from := g.state;
    IF g.state = 'awaiting_second_approval' THEN
        IF g.decided_by = who.id THEN
            PERFORM api.refuse('a second supervisor must approve: you gave the first approval');
        END IF;
        UPDATE public.goodwill
           SET state = 'approved', authorisation = 'second_supervisor', second_decided_by = who.id,
               second_decided_at = v_now,
               decision_note = CASE WHEN v_note IS NULL THEN decision_note
                                    WHEN decision_note IS NULL THEN v_note
                                    ELSE decision_note || E'\n' || v_note END,
               version = version + 1
         WHERE id = v_id
        RETURNING * INTO made;
    ELSIF g.amount_pence <= who.goodwill_limit_pence THEN
        UPDATE public.goodwill
           SET state = 'approved', authorisation = 'supervisor', decided_by = who.id, decided_at = v_now,
               decision_note = v_note, version = version + 1
         WHERE id = v_id
        RETURNING * INTO made;
    ELSE
        UPDATE public.goodwill
           SET state = 'awaiting_second_approval', authorisation = NULL, decided_by = who.id, decided_at = v_now,
               decision_note = v_note, version = version + 1
         WHERE id = v_id
        RETURNING * INTO made;
    END IF;
    PERFORM api.record_change('goodwill', v_id, g.customer_id, g.requested_by, to_jsonb(made), p_mutation_id);
    PERFORM api.add_console_event(
        api.uuid_field(p, 'event_id', false), g.customer_id, g.case_id, who.id, LEAST(p_occurred_at, v_now),
        format('Goodwill %s by %s: %s %s',
               CASE WHEN made.state = 'approved' THEN 'approved' ELSE 'first approval given' END,
               who.display_name, api.format_pence(g.amount_pence), replace(g.kind, '_', ' ')),
        COALESCE(v_note, ''), p_mutation_id);
    PERFORM api.audit_append(v_now, who.username, 'goodwill.approve', 'goodwill', v_id, jsonb_build_object(
        'from_state', v_from,
        'to_state', made.state,
        'amount_pence', g.amount_pence,
        'requested_by', g.requested_by::text,
        'decider_limit_pence', who.goodwill_limit_pence,
        'authorisation', made.authorisation,
        'note', COALESCE(v_note, ''),
        'mutation_id', p_mutation_id::text));
    RETURN jsonb_build_object('entity', 'goodwill', 'entity_id', v_id, 'record', to_jsonb(made));
END
$$;

CREATE OR REPLACE FUNCTION api.goodwill_reject(who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id uuid := api.uuid_field(p, 'id');
    v_version bigint := api.int_field(p, 'version', false);
    v_reason text := api.text_field(p, 'reason', 2000, 'give the reason for rejecting: the advisor will tell the customer');
    v_now timestamptz := now();
    g public.goodwill;
    made public.goodwill;
BEGIN
    IF who.role <> 'supervisor' THEN
        PERFORM api.refuse('only an active supervisor rejects a goodwill request');
    END IF;
    SELECT * INTO g FROM public.goodwill WHERE id = v_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api.refuse('no such goodwill request');
    END IF;
    IF g.requested_by = who.id THEN
        PERFORM api.refuse('nobody decides their own request: ask a supervisor');
    END IF;
    IF g.state NOT IN ('awaiting_approval', 'awaiting_second_approval')
       OR (v_version IS NOT NULL AND v_version <> g.version) THEN
        PERFORM api.goodwill_conflict(g);
    END IF;
    IF g.state = 'awaiting_second_approval' THEN
        IF g.decided_by = who.id THEN
            PERFORM api.refuse('a second supervisor decides now: you gave the first approval');
        END IF;
        UPDATE public.goodwill
           SET state = 'rejected', authorisation = NULL, second_decided_by = who.id, second_decided_at = v_now,
               decision_note = v_reason, version = version + 1
         WHERE id = v_id
        RETURNING * INTO made;
    ELSE
        UPDATE public.goodwill
           SET state = 'rejected', authorisation = NULL, decided_by = who.id, decided_at = v_now,
               decision_note = v_reason, version = version + 1
         WHERE id = v_id
        RETURNING * INTO made;
    END IF;
    PERFORM api.record_change('goodwill', v_id, g.customer_id, g.requested_by, to_jsonb(made), p_mutation_id);
    PERFORM api.add_console_event(
        api.uuid_field(p, 'event_id', false), g.customer_id, g.case_id, who.id, LEAST(p_occurred_at, v_now),
        format('Goodwill rejected by %s: %s %s', who.display_name, api.format_pence(g.amount_pence),
               replace(g.kind, '_', ' ')),
        v_reason, p_mutation_id);
    PERFORM api.audit_append(v_now, who.username, 'goodwill.reject', 'goodwill', v_id, jsonb_build_object(
        'from_state', g.state,
        'to_state', 'rejected',
        'amount_pence', g.amount_pence,
        'requested_by', g.requested_by::text,
        'decider_limit_pence', who.goodwill_limit_pence,
        'authorisation', NULL,
        'note', v_reason,
        'mutation_id', p_mutation_id::text));
    RETURN jsonb_build_object('entity', 'goodwill', 'entity_id', v_id, 'record', to_jsonb(made));
END
$$;
