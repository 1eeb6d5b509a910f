-- Cases on the server: the rules of console/case_rules.py (the resolution state machine, the formal
-- complaint clock, feedback, ownership) and the service-date checks of console/compensation.py,
-- judged at the time the advisor acted (least(occurred_at, now())). Every transition locks the case
-- row and checks the version the advisor saw; a different version is a conflict with the server's row.

-- The one list of root-cause categories, as console.case_rules.ROOT_CAUSE_CATEGORIES (a test
-- compares the two).
CREATE OR REPLACE FUNCTION api.root_cause_categories() RETURNS text[]
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ARRAY['line fault (copper)', 'exchange equipment', 'mast outage', 'planned works overran',
                 'third-party damage', 'router failure', 'customer wiring', 'customer equipment',
                 'handset settings', 'customer misunderstanding', 'provisioning error', 'SIM provisioning',
                 'order not passed on', 'order delayed', 'order completed', 'request completed',
                 'engineer capacity', 'appointment kept', 'billing system error', 'duplicate payment',
                 'incorrect fee', 'broken promises', 'callback number lost', 'process failure',
                 'advisor conduct', 'other']
$$;

-- Words as case_rules._text says them: "<what> is empty: say it in a few words", "too long".
CREATE OR REPLACE FUNCTION api.case_text(p jsonb, key text, what text, required boolean DEFAULT true)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    value text;
BEGIN
    IF p -> key IS NOT NULL AND jsonb_typeof(p -> key) NOT IN ('string', 'null') THEN
        PERFORM api.refuse(format('%s must be text', key));
    END IF;
    value := COALESCE(btrim(p ->> key), '');
    IF required AND value = '' THEN
        PERFORM api.refuse(format('%s is empty: say it in a few words', what));
    END IF;
    IF length(value) > 2000 THEN
        PERFORM api.refuse(format('%s is too long (%s characters, at most 2,000)', what,
                                  to_char(length(value), 'FM999,999,990')));
    END IF;
    RETURN value;
END
$$;

CREATE OR REPLACE FUNCTION api.bool_field(payload jsonb, key text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF payload -> key IS NULL OR jsonb_typeof(payload -> key) = 'null' THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(payload -> key) <> 'boolean' THEN
        PERFORM api.refuse(format('%s must be true or false', key));
    END IF;
    RETURN (payload ->> key)::boolean;
END
$$;

CREATE OR REPLACE FUNCTION api.date_field(payload jsonb, key text) RETURNS date
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    value text := payload ->> key;
BEGIN
    IF value IS NULL THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(payload -> key) <> 'string' OR value !~ '^\d{4}-\d\d-\d\d$' THEN
        PERFORM api.refuse(format('%s must be a date (YYYY-MM-DD)', key));
    END IF;
    RETURN value::date;
END
$$;

CREATE OR REPLACE FUNCTION api.status_words(status text) RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT replace(status, '_', ' ')
$$;

-- The case the mutation names, locked, at the version the advisor saw (when given).
CREATE OR REPLACE FUNCTION api.case_locked(p jsonb) RETURNS public.cases
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id uuid := api.uuid_field(p, 'id');
    v_version bigint := api.int_field(p, 'version', false);
    c public.cases;
BEGIN
    SELECT * INTO c FROM public.cases WHERE id = v_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api.refuse('no such case');
    END IF;
    IF v_version IS NOT NULL AND v_version <> c.version THEN
        PERFORM api.conflict(format('%s was changed meanwhile (now %s): look at it again', c.reference,
                                    api.status_words(c.status)), to_jsonb(c));
    END IF;
    RETURN c;
END
$$;

-- End the case's open promises of these kinds (not `spare`), as CaseService._end_promises does.
CREATE OR REPLACE FUNCTION api.case_end_promises(
    c public.cases, p_kinds text[], p_status text, p_outcome text, p_at timestamptz, p_follow_up uuid,
    p_mutation_id uuid
) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    ended public.promises;
    v_follow uuid := (SELECT id FROM public.promises WHERE id = p_follow_up);
BEGIN
    FOR ended IN
        UPDATE public.promises
           SET status = p_status, outcome = p_outcome, closed_at = p_at, customer_told = NULL,
               follow_up_id = v_follow, version = version + 1
         WHERE case_id = c.id AND status = 'open' AND kind = ANY (p_kinds) AND id IS DISTINCT FROM p_follow_up
        RETURNING *
    LOOP
        PERFORM api.record_change('promise', ended.id, ended.customer_id, NULL, to_jsonb(ended), p_mutation_id);
    END LOOP;
END
$$;

-- What every accepted transition does after its update: the change for pull, the timeline line,
-- the audit entry (as CaseService._apply).
CREATE OR REPLACE FUNCTION api.case_changed(
    who public.users, p_mutation_id uuid, p jsonb, p_action text, prior public.cases, made public.cases,
    p_at timestamptz, p_subject text, p_text text
) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM api.record_change('case', made.id, made.customer_id, NULL, to_jsonb(made), p_mutation_id);
    PERFORM api.add_console_event(api.uuid_field(p, 'event_id', false), made.customer_id, made.id, who.id, p_at,
                                  left(p_subject, 200), COALESCE(p_text, ''), p_mutation_id);
    PERFORM api.audit_append(now(), who.username, p_action, 'case', made.id, jsonb_build_object(
        'from_status', prior.status,
        'from_version', prior.version,
        'to_status', made.status,
        'confirmation', made.confirmation,
        'confirmation_attempts', made.confirmation_attempts,
        'mutation_id', p_mutation_id::text));
    RETURN jsonb_build_object('entity', 'case', 'entity_id', made.id, 'record', to_jsonb(made));
END
$$;

CREATE OR REPLACE FUNCTION api.case_check_due(p jsonb, p_at timestamptz) RETURNS timestamptz
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_due timestamptz := api.time_field(p, 'check_due_at');
BEGIN
    IF v_due IS NULL THEN
        PERFORM api.refuse('the customer was not reachable: say when you will try again (a promise)');
    END IF;
    IF v_due <= p_at THEN
        PERFORM api.refuse('the time to try the customer again is in the past: choose a time from now on');
    END IF;
    RETURN v_due;
END
$$;

-- case.resolve: root cause required; confirmed closes it, not reachable leaves it resolved (the
-- promise to check comes as its own promise.create).
CREATE OR REPLACE FUNCTION api.case_resolve(who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_at timestamptz := LEAST(p_occurred_at, now());
    c public.cases := api.case_locked(p);
    made public.cases;
    v_category text := btrim(COALESCE(p ->> 'root_cause_category', ''));
    v_text text;
    v_confirmation text;
    v_subject text;
BEGIN
    IF c.status IN ('resolved', 'closed') THEN
        PERFORM api.refuse(format('%s is already %s', c.reference, c.status));
    END IF;
    IF v_category = '' THEN
        PERFORM api.refuse('choose the root cause category');
    END IF;
    IF NOT v_category = ANY (api.root_cause_categories()) THEN
        PERFORM api.refuse(format('''%s'' is not a root cause category: choose one from the list', left(v_category, 60)));
    END IF;
    v_text := api.case_text(p, 'root_cause_text', 'the root cause');
    IF p ->> 'confirmation' IS NULL OR p ->> 'confirmation' NOT IN ('confirmed', 'not_reachable') THEN
        PERFORM api.refuse('ask the customer whether it is fixed: confirmed, or not reachable');
    END IF;
    v_confirmation := p ->> 'confirmation';
    IF v_confirmation = 'confirmed' THEN
        UPDATE public.cases
           SET root_cause_category = v_category, root_cause_text = v_text, resolved_at = v_at,
               status = 'closed', confirmation = 'confirmed', confirmation_attempts = 0, closed_at = v_at,
               updated_at = v_at, version = version + 1
         WHERE id = c.id
        RETURNING * INTO made;
        v_subject := format('%s resolved and confirmed by the customer', c.reference);
        PERFORM api.case_end_promises(made, ARRAY['complaint_deadline'], 'done',
                                      'complaint resolved: customer confirmed the fix', v_at, NULL, p_mutation_id);
    ELSE
        PERFORM api.case_check_due(p, v_at);
        UPDATE public.cases
           SET root_cause_category = v_category, root_cause_text = v_text, resolved_at = v_at,
               status = 'resolved', confirmation = 'not_reachable', confirmation_attempts = 1,
               updated_at = v_at, version = version + 1
         WHERE id = c.id
        RETURNING * INTO made;
        v_subject := format('%s resolved; customer not reachable to confirm the fix', c.reference);
    END IF;
    RETURN api.case_changed(who, p_mutation_id, p, 'case.resolve', c, made, v_at, v_subject, '');
END
$$;

-- case.confirm: another try at confirming a resolved case's fix.
CREATE OR REPLACE FUNCTION api.case_confirm(who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_at timestamptz := LEAST(p_occurred_at, now());
    c public.cases := api.case_locked(p);
    made public.cases;
    v_subject text;
BEGIN
    IF c.status <> 'resolved' THEN
        PERFORM api.refuse(format('%s is %s: only a resolved case awaits confirmation', c.reference, c.status));
    END IF;
    IF p ->> 'confirmation' IS NULL OR p ->> 'confirmation' NOT IN ('confirmed', 'not_reachable') THEN
        PERFORM api.refuse('record what the customer said: confirmed, or not reachable');
    END IF;
    IF p ->> 'confirmation' = 'confirmed' THEN
        UPDATE public.cases
           SET status = 'closed', confirmation = 'confirmed', closed_at = v_at, updated_at = v_at,
               version = version + 1
         WHERE id = c.id
        RETURNING * INTO made;
        v_subject := format('%s: customer confirmed the fix; case closed', c.reference);
        PERFORM api.case_end_promises(made, ARRAY['callback', 'progress_update'], 'done',
                                      'customer confirmed the fix', v_at, NULL, p_mutation_id);
        PERFORM api.case_end_promises(made, ARRAY['complaint_deadline'], 'done',
                                      'complaint resolved: customer confirmed the fix', v_at, NULL, p_mutation_id);
    ELSE
        PERFORM api.case_check_due(p, v_at);
        UPDATE public.cases
           SET status = 'resolved', confirmation = 'not_reachable', confirmation_attempts = confirmation_attempts + 1,
               updated_at = v_at, version = version + 1
         WHERE id = c.id
        RETURNING * INTO made;
        v_subject := format('%s: customer not reachable to confirm the fix (attempt %s)', c.reference,
                            made.confirmation_attempts);
        PERFORM api.case_end_promises(made, ARRAY['callback', 'progress_update'], 'not_reachable',
                                      'customer not reachable to confirm the fix', v_at,
                                      api.uuid_field(p, 'follow_up_id', false), p_mutation_id);
    END IF;
    RETURN api.case_changed(who, p_mutation_id, p, 'case.confirm', c, made, v_at, v_subject, '');
END
$$;

-- case.close_in_writing: unconfirmed only after two failed attempts, with the letter that told them.
CREATE OR REPLACE FUNCTION api.case_close_in_writing(who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_at timestamptz := LEAST(p_occurred_at, now());
    c public.cases := api.case_locked(p);
    made public.cases;
BEGIN
    IF c.status <> 'resolved' THEN
        PERFORM api.refuse(format('%s is %s: only a resolved case can be closed', c.reference, c.status));
    END IF;
    IF c.confirmation <> 'not_reachable' OR c.confirmation_attempts < 2 THEN
        PERFORM api.refuse(format('try the customer 2 times before closing without their confirmation (%s so far)',
                                  c.confirmation_attempts));
    END IF;
    PERFORM api.case_text(p, 'letter', 'the letter to the customer');
    UPDATE public.cases
       SET status = 'closed', confirmation = 'told_in_writing', closed_at = v_at, updated_at = v_at,
           version = version + 1
     WHERE id = c.id
    RETURNING * INTO made;
    PERFORM api.case_end_promises(made, ARRAY['callback', 'progress_update'], 'done',
                                  'customer told in writing; case closed', v_at, NULL, p_mutation_id);
    PERFORM api.case_end_promises(made, ARRAY['complaint_deadline'], 'done',
                                  'case closed; customer told in writing', v_at, NULL, p_mutation_id);
    RETURN api.case_changed(who, p_mutation_id, p, 'case.close_in_writing', c, made, v_at,
                            format('%s closed: customer not reachable, told in writing', c.reference), '');
END
$$;

CREATE OR REPLACE FUNCTION api.case_reopen(who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_at timestamptz := LEAST(p_occurred_at, now());
    c public.cases := api.case_locked(p);
    made public.cases;
    v_reason text;
BEGIN
    IF c.status NOT IN ('resolved', 'closed') THEN
        PERFORM api.refuse(format('%s is still open: there is nothing to reopen', c.reference));
    END IF;
    v_reason := api.case_text(p, 'reason', 'the reason for reopening');
    UPDATE public.cases
       SET status = 'in_progress', confirmation = 'pending', confirmation_attempts = 0, resolved_at = NULL,
           closed_at = NULL, reopened_count = reopened_count + 1, updated_at = v_at, version = version + 1
     WHERE id = c.id
    RETURNING * INTO made;
    RETURN api.case_changed(who, p_mutation_id, p, 'case.reopen', c, made, v_at,
                            format('%s reopened: %s', c.reference, v_reason), v_reason);
END
$$;

-- case.formal_complaint: the 8-week clock from when the customer made it (its promise comes as its
-- own promise.create).
CREATE OR REPLACE FUNCTION api.case_formal_complaint(who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_at timestamptz := LEAST(p_occurred_at, now());
    c public.cases := api.case_locked(p);
    v_made_at timestamptz := api.time_field(p, 'complaint_made_at');
    made public.cases;
BEGIN
    IF c.formal_complaint THEN
        PERFORM api.refuse(format('%s is already a formal complaint', c.reference));
    END IF;
    IF c.status = 'closed' THEN
        PERFORM api.refuse(format('%s is closed: reopen it, or open a new case for the complaint', c.reference));
    END IF;
    IF v_made_at IS NULL THEN
        PERFORM api.refuse('complaint_made_at is missing');
    END IF;
    IF v_made_at > v_at THEN
        PERFORM api.refuse('the complaint cannot have been made in the future');
    END IF;
    IF v_made_at + interval '8 weeks' <= v_at THEN
        PERFORM api.refuse('the complaint was made more than 8 weeks ago: the customer is already owed the ombudsman letter');
    END IF;
    UPDATE public.cases
       SET formal_complaint = true, complaint_made_at = v_made_at, complaint_deadline_at = v_made_at + interval '8 weeks',
           updated_at = v_at, version = version + 1
     WHERE id = c.id
    RETURNING * INTO made;
    RETURN api.case_changed(who, p_mutation_id, p, 'case.formal_complaint', c, made, v_at,
                            format('%s marked as a formal complaint', c.reference), '');
END
$$;

CREATE OR REPLACE FUNCTION api.case_deadlock(who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_at timestamptz := LEAST(p_occurred_at, now());
    c public.cases := api.case_locked(p);
    made public.cases;
    v_note text;
BEGIN
    IF NOT c.formal_complaint THEN
        PERFORM api.refuse(format('%s is not a formal complaint: mark it as one first', c.reference));
    END IF;
    IF c.status = 'closed' THEN
        PERFORM api.refuse(format('%s is closed: there is no complaint to deadlock', c.reference));
    END IF;
    IF c.deadlock_at IS NOT NULL THEN
        PERFORM api.refuse(format('deadlock on %s was already declared', c.reference));
    END IF;
    v_note := api.case_text(p, 'note', 'why no agreement can be reached');
    UPDATE public.cases SET deadlock_at = v_at, updated_at = v_at, version = version + 1
     WHERE id = c.id
    RETURNING * INTO made;
    RETURN api.case_changed(who, p_mutation_id, p, 'case.deadlock', c, made, v_at,
                            format('%s: deadlock declared on the formal complaint', c.reference), v_note);
END
$$;

-- case.adr_letter: due at deadlock, or 8 weeks after the complaint while the case is still open.
CREATE OR REPLACE FUNCTION api.case_adr_letter(who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_at timestamptz := LEAST(p_occurred_at, now());
    c public.cases := api.case_locked(p);
    made public.cases;
BEGIN
    IF NOT c.formal_complaint OR c.status = 'closed'
       OR NOT (c.deadlock_at IS NOT NULL
               OR (c.complaint_deadline_at IS NOT NULL AND v_at >= c.complaint_deadline_at AND c.status <> 'resolved')) THEN
        PERFORM api.refuse(format('%s: the ombudsman letter is due at deadlock or after 8 weeks unresolved', c.reference));
    END IF;
    UPDATE public.cases SET adr_letter_sent_at = v_at, updated_at = v_at, version = version + 1
     WHERE id = c.id
    RETURNING * INTO made;
    PERFORM api.case_end_promises(made, ARRAY['complaint_deadline'], 'done', 'ombudsman (ADR) letter sent', v_at,
                                  NULL, p_mutation_id);
    RETURN api.case_changed(who, p_mutation_id, p, 'case.adr_letter', c, made, v_at,
                            format('%s: ombudsman (ADR) letter sent', c.reference), '');
END
$$;

-- case.take / case.hand_over: an open case changes owner with a note; the owner the advisor saw
-- must still be the owner (else a conflict).
CREATE OR REPLACE FUNCTION api.case_owner(
    who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz, p_taking boolean
) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_at timestamptz := LEAST(p_occurred_at, now());
    v_case uuid := api.uuid_field(p, 'id');
    v_change uuid := api.uuid_field(p, 'change_id');
    v_seen uuid := api.uuid_field(p, 'from_owner_id', false);
    v_to uuid := CASE WHEN p_taking THEN who.id ELSE api.uuid_field(p, 'to_user_id') END;
    v_note text;
    c public.cases;
    made public.cases;
    owner public.users;
    change public.case_owner_changes;
BEGIN
    SELECT * INTO c FROM public.cases WHERE id = v_case FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api.refuse('no such case');
    END IF;
    IF c.status IN ('resolved', 'closed') THEN
        PERFORM api.refuse(format('%s is %s: reopen it before changing its owner', c.reference, c.status));
    END IF;
    v_note := btrim(COALESCE(p ->> 'note', ''));
    IF v_note = '' THEN
        PERFORM api.refuse('a handover needs a note for the next owner: what is done and what is next');
    END IF;
    IF length(v_note) > 2000 THEN
        PERFORM api.refuse('the note is too long (at most 2,000 characters)');
    END IF;
    SELECT * INTO owner FROM public.users WHERE id = v_to AND active;
    IF NOT FOUND THEN
        PERFORM api.refuse('choose who takes the case over');
    END IF;
    IF c.owner_id IS DISTINCT FROM v_seen THEN
        PERFORM api.conflict(format('%s changed owner meanwhile: look at it again', c.reference), to_jsonb(c));
    END IF;
    IF owner.id = c.owner_id THEN
        PERFORM api.refuse(format('%s already owns %s', owner.display_name, c.reference));
    END IF;
    IF EXISTS (SELECT FROM public.case_owner_changes WHERE id = v_change) THEN
        PERFORM api.refuse('an owner change with this id already exists');
    END IF;
    UPDATE public.cases SET owner_id = owner.id, updated_at = v_at, version = version + 1
     WHERE id = c.id
    RETURNING * INTO made;
    INSERT INTO public.case_owner_changes (id, case_id, from_user_id, to_user_id, note, changed_at)
    VALUES (v_change, c.id, c.owner_id, owner.id, v_note, v_at)
    RETURNING * INTO change;
    PERFORM api.record_change('case_owner_change', v_change, c.customer_id, NULL, to_jsonb(change), p_mutation_id);
    PERFORM api.record_change('case', c.id, c.customer_id, NULL, to_jsonb(made), p_mutation_id);
    PERFORM api.add_console_event(
        api.uuid_field(p, 'event_id', false), c.customer_id, c.id, who.id, v_at,
        CASE WHEN p_taking THEN format('%s taken over by %s', c.reference, owner.display_name)
             ELSE format('%s handed over by %s to %s', c.reference, who.display_name, owner.display_name) END,
        v_note, p_mutation_id);
    RETURN jsonb_build_object('entity', 'case', 'entity_id', c.id, 'record', to_jsonb(made));
END
$$;

-- case.feedback: the customer's two answers after closure, once per case.
CREATE OR REPLACE FUNCTION api.case_feedback(who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_at timestamptz := LEAST(p_occurred_at, now());
    v_id uuid := api.uuid_field(p, 'id');
    v_case uuid := api.uuid_field(p, 'case_id');
    v_fix bigint := api.int_field(p, 'fix_score');
    v_fault bigint := api.int_field(p, 'fault_score');
    v_cause text;
    c public.cases;
    made public.feedback;
BEGIN
    SELECT * INTO c FROM public.cases WHERE id = v_case FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api.refuse('no such case');
    END IF;
    IF c.status <> 'closed' THEN
        PERFORM api.refuse(format('%s is %s: feedback is asked after closure', c.reference, c.status));
    END IF;
    IF v_fix NOT BETWEEN 1 AND 5 THEN
        PERFORM api.refuse('the score for how the fix was handled must be 1 to 5');
    END IF;
    IF v_fault NOT BETWEEN 1 AND 5 THEN
        PERFORM api.refuse('the score for the fault must be 1 to 5');
    END IF;
    v_cause := api.case_text(p, 'cause_text', 'what the customer thinks caused it', false);
    IF EXISTS (SELECT FROM public.feedback WHERE case_id = c.id) THEN
        PERFORM api.refuse(format('feedback for %s is already recorded', c.reference));
    END IF;
    IF EXISTS (SELECT FROM public.feedback WHERE id = v_id) THEN
        PERFORM api.refuse('feedback with this id already exists');
    END IF;
    INSERT INTO public.feedback (id, case_id, customer_id, fix_score, fault_score, customer_cause_text, received_at)
    VALUES (v_id, c.id, c.customer_id, v_fix, v_fault, NULLIF(v_cause, ''), v_at)
    RETURNING * INTO made;
    PERFORM api.record_change('feedback', v_id, c.customer_id, NULL, to_jsonb(made), p_mutation_id);
    PERFORM api.add_console_event(
        api.uuid_field(p, 'event_id', false), c.customer_id, c.id, who.id, v_at,
        format('%s feedback: fix handled %s/5, fault happening %s/5', c.reference, v_fix, v_fault),
        v_cause, p_mutation_id);
    RETURN jsonb_build_object('entity', 'feedback', 'entity_id', v_id, 'record', to_jsonb(made));
END
$$;

-- case.service_dates: the facts the compensation scheme reads, checked as compensation.check_facts
-- (dates judged in London, as the console does). Money follows from them: audited.
CREATE OR REPLACE FUNCTION api.case_service_dates(who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_at timestamptz := LEAST(p_occurred_at, now());
    c public.cases := api.case_locked(p);
    v_reported timestamptz := api.time_field(p, 'reported_at');
    v_restored timestamptz := api.time_field(p, 'restored_at');
    v_promised date := api.date_field(p, 'promised_start_on');
    v_started date := api.date_field(p, 'started_on');
    v_appointment timestamptz := api.time_field(p, 'appointment_at');
    v_missed boolean := COALESCE(api.bool_field(p, 'appointment_missed'), false);
    v_notice timestamptz := api.time_field(p, 'cancellation_notice_at');
    v_delay bigint := COALESCE(api.int_field(p, 'customer_delay_days', false), 0);
    v_reason text;
    v_today date := (v_at AT TIME ZONE 'Europe/London')::date;
    made public.cases;
BEGIN
    IF p ->> 'customer_caused_delay' IS NOT NULL AND jsonb_typeof(p -> 'customer_caused_delay') <> 'string' THEN
        PERFORM api.refuse('customer_caused_delay must be text');
    END IF;
    v_reason := NULLIF(btrim(COALESCE(p ->> 'customer_caused_delay', '')), '');
    IF v_reported IS NOT NULL AND v_reported > v_at THEN
        PERFORM api.refuse('the fault cannot be reported in the future');
    END IF;
    IF v_restored IS NOT NULL THEN
        IF v_reported IS NULL THEN
            PERFORM api.refuse('give when the loss of service was reported before when it was restored');
        END IF;
        IF v_restored < v_reported THEN
            PERFORM api.refuse('the service cannot be restored before the loss was reported');
        END IF;
        IF v_restored > v_at THEN
            PERFORM api.refuse('the service cannot be restored in the future: leave it unticked until it is');
        END IF;
    END IF;
    IF v_started IS NOT NULL THEN
        IF v_promised IS NULL THEN
            PERFORM api.refuse('give the promised start date before the actual one');
        END IF;
        IF v_started > v_today THEN
            PERFORM api.refuse('the service cannot have started in the future: leave it unticked until it does');
        END IF;
    END IF;
    IF v_missed OR v_notice IS NOT NULL THEN
        IF v_appointment IS NULL THEN
            PERFORM api.refuse('give the appointment time');
        END IF;
        IF v_missed AND v_notice IS NOT NULL THEN
            PERFORM api.refuse('an appointment is either missed or cancelled, not both');
        END IF;
        IF v_missed AND v_appointment > v_at THEN
            PERFORM api.refuse('an appointment still to come cannot have been missed');
        END IF;
    END IF;
    IF v_notice IS NOT NULL THEN
        IF v_notice > v_at THEN
            PERFORM api.refuse('the cancellation cannot be given in the future');
        END IF;
        IF v_notice > v_appointment THEN
            PERFORM api.refuse('a cancellation after the appointment time is a missed appointment');
        END IF;
    END IF;
    IF v_delay < 0 OR v_delay > 365 THEN
        PERFORM api.refuse('days the customer caused: 0 to 365');
    END IF;
    IF v_delay > 0 AND v_reason IS NULL THEN
        PERFORM api.refuse('say how the customer caused the delay, e.g. declined the earliest slot');
    END IF;
    IF length(v_reason) > 500 THEN
        PERFORM api.refuse('the delay reason is too long (at most 500 characters)');
    END IF;
    UPDATE public.cases
       SET reported_at = v_reported, restored_at = v_restored, promised_start_on = v_promised, started_on = v_started,
           appointment_at = v_appointment, appointment_missed = v_missed, cancellation_notice_at = v_notice,
           customer_delay_days = v_delay, customer_caused_delay = v_reason, updated_at = v_at, version = version + 1
     WHERE id = c.id
    RETURNING * INTO made;
    PERFORM api.record_change('case', made.id, made.customer_id, NULL, to_jsonb(made), p_mutation_id);
    PERFORM api.add_console_event(
        api.uuid_field(p, 'event_id', false), c.customer_id, c.id, who.id, v_at,
        format('Service dates recorded on %s', c.reference),
        COALESCE(api.text_field(p, 'summary', 2000), 'No change'), p_mutation_id);
    PERFORM api.audit_append(now(), who.username, 'case.service_dates', 'case', c.id, jsonb_build_object(
        'reported_at', v_reported::text, 'restored_at', v_restored::text,
        'promised_start_on', v_promised::text, 'started_on', v_started::text,
        'appointment_at', v_appointment::text, 'appointment_missed', v_missed,
        'cancellation_notice_at', v_notice::text, 'customer_delay_days', v_delay,
        'customer_caused_delay', v_reason, 'from_version', c.version,
        'mutation_id', p_mutation_id::text));
    RETURN jsonb_build_object('entity', 'case', 'entity_id', made.id, 'record', to_jsonb(made));
END
$$;

-- Case references are the server's: a workstation names a new case provisionally (CS-P…) and the
-- answer to case.open brings the reference it keeps. Numbering carries on after the highest
-- CS-nnnnnnn already held (setval only moves the sequence forward, so a second init changes nothing).
CREATE SEQUENCE IF NOT EXISTS api.case_reference;
DO $$
DECLARE
    v_highest bigint := (SELECT max(substring(reference FROM '^CS-(\d{1,15})$')::bigint) FROM public.cases);
    v_last bigint;
    v_called boolean;
BEGIN
    SELECT last_value, is_called INTO v_last, v_called FROM api.case_reference;
    IF v_called THEN
        v_last := v_last + 1;  -- the number nextval would give next
    END IF;
    IF v_highest IS NOT NULL AND v_highest >= v_last THEN
        PERFORM setval('api.case_reference', v_highest, true);
    END IF;
END
$$;

-- case.open: a new case for the customer, owned by the caller, as console.case_rules.check_new_case.
-- The customer row is locked (FOR NO KEY UPDATE) so an offer impression deciding at the same moment
-- (FOR SHARE) sees the case or commits before it.
CREATE OR REPLACE FUNCTION api.case_open(who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_at timestamptz := LEAST(p_occurred_at, now());
    v_id uuid := api.uuid_field(p, 'id');
    v_customer uuid := api.uuid_field(p, 'customer_id');
    v_kind text := api.choice_field(p, 'kind', ARRAY['broadband_fault', 'landline_fault', 'mobile_fault', 'new_service',
                                                     'home_move', 'billing', 'plan_change', 'engineer_appointment',
                                                     'service_request', 'complaint']);
    v_severity text := api.choice_field(p, 'severity', ARRAY['low', 'medium', 'high', 'critical']);
    v_target timestamptz := api.time_field(p, 'target_at');
    v_title text;
    v_reported text;
    v_step text;
    made public.cases;
BEGIN
    SELECT * INTO made FROM public.cases WHERE id = v_id;
    IF FOUND THEN
        PERFORM api.refuse('a case with this id already exists');
    END IF;
    -- The title's own limit first: case_text's is 2,000. Counted as case_rules._text counts.
    IF length(btrim(p ->> 'title')) > 200 THEN
        PERFORM api.refuse(format('the title is too long (%s characters, at most 200)',
                                  to_char(length(btrim(p ->> 'title')), 'FM999,999,990')));
    END IF;
    v_title := api.case_text(p, 'title', 'the title');
    IF v_target IS NOT NULL AND v_target <= v_at THEN
        PERFORM api.refuse('the target time is in the past: choose a time from now on');
    END IF;
    v_reported := NULLIF(api.case_text(p, 'reported_text', 'what the customer reported', false), '');
    v_step := NULLIF(api.case_text(p, 'next_step', 'the next step', false), '');
    PERFORM FROM public.customers WHERE id = v_customer AND NOT deleted FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        PERFORM api.refuse('no such customer');
    END IF;
    INSERT INTO public.cases (id, reference, customer_id, kind, title, reported_text, next_step, status, severity,
                              owner_id, opened_at, target_at, updated_at, confirmation, confirmation_attempts,
                              appointment_missed, customer_delay_days, formal_complaint, reopened_count, version)
    VALUES (v_id, 'CS-' || lpad(nextval('api.case_reference')::text, 7, '0'), v_customer, v_kind, v_title, v_reported,
            v_step, 'open', v_severity, who.id, v_at, v_target, v_at, 'pending', 0, false, 0, false, 0, 1)
    RETURNING * INTO made;
    PERFORM api.record_change('case', v_id, v_customer, NULL, to_jsonb(made), p_mutation_id);
    PERFORM api.add_console_event(api.uuid_field(p, 'event_id', false), v_customer, v_id, who.id, v_at,
                                  format('Case opened: %s', v_title), COALESCE(v_reported, v_title), p_mutation_id);
    RETURN jsonb_build_object('entity', 'case', 'entity_id', v_id, 'record', to_jsonb(made));
END
$$;
