-- The two functions console clients call: apply_mutation (push) and pull_changes (pull).
-- Contract: docs/sync.md.

-- One mutation as the caller `who` sends it (`item`: apply_mutation's arguments as JSON), with the
-- payload limits (api.payload_limits) and the caller's sync marks (api.sync_marks) looked up once per
-- call. The answer; `"stored": false` with the SQLSTATE and message when it is refused outright (a bad
-- argument, a payload too long, another user's id, an unexpected error), nothing of it kept. One
-- savepoint: a rejected or conflicting mutation's changes are undone, then its log row is written.
CREATE OR REPLACE FUNCTION api.apply_item(who public.users, p_limits jsonb, p_marks jsonb, item jsonb)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id uuid;
    v_client uuid;
    v_seq bigint;
    v_kind text := item ->> 'kind';
    v_payload jsonb := item -> 'payload';
    v_claimed timestamptz;  -- the client's time, kept in mutation_log
    v_at timestamptz;
    v_applying boolean := false;
    v_fault text;
    stored public.mutation_log;
    outcome jsonb;
    v_state text := 'accepted';
    v_reason text;
    v_current jsonb;
    v_detail text;
    v_constraint text;
    v_code text;
    v_skew double precision;
    v_result jsonb;
BEGIN
    BEGIN
        v_id := (item ->> 'mutation_id')::uuid;
        v_client := (item ->> 'client_id')::uuid;
        v_seq := (item ->> 'client_seq')::bigint;
        v_claimed := (item ->> 'occurred_at')::timestamptz;
        IF v_id IS NULL OR v_client IS NULL OR v_seq IS NULL OR v_kind IS NULL OR v_claimed IS NULL THEN
            RAISE EXCEPTION 'apply_mutation needs every argument but payload' USING ERRCODE = 'null_value_not_allowed';
        END IF;
        IF length(v_kind) > 60 THEN
            RAISE EXCEPTION 'mutation kind too long' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        v_fault := api.payload_fault(v_kind, v_payload, p_limits);
        IF v_fault IS NOT NULL THEN
            RAISE EXCEPTION '%', v_fault USING ERRCODE = 'program_limit_exceeded';
        END IF;
        -- A retry after a lost acknowledgement finds the stored result.
        SELECT * INTO stored FROM public.mutation_log m WHERE m.mutation_id = v_id;
        IF FOUND THEN
            IF stored.actor <> who.username THEN
                RAISE EXCEPTION 'mutation % belongs to another user', v_id USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN stored.result::jsonb;
        END IF;
        -- From here the act's time is one the server trusts (75_trusted_time.sql).
        v_at := api.trusted_time_by(p_marks, v_client, v_seq, v_claimed);
        v_applying := true;
        IF v_kind = 'goodwill.request' THEN
            outcome := api.goodwill_request(who, v_id, COALESCE(v_payload, '{}'), v_at);
        ELSIF v_kind = 'goodwill.approve' THEN
            outcome := api.goodwill_approve(who, v_id, COALESCE(v_payload, '{}'), v_at);
        ELSIF v_kind = 'goodwill.reject' THEN
            outcome := api.goodwill_reject(who, v_id, COALESCE(v_payload, '{}'), v_at);
        ELSIF v_kind = 'promise.create' THEN
            outcome := api.promise_create(who, v_id, COALESCE(v_payload, '{}'), v_at);
        ELSIF v_kind = 'promise.complete' THEN
            outcome := api.promise_complete(who, v_id, COALESCE(v_payload, '{}'), v_at);
        ELSIF v_kind = 'promise.reassign' THEN
            outcome := api.promise_reassign(who, v_id, COALESCE(v_payload, '{}'), v_at);
        ELSIF v_kind = 'contact.add' THEN
            outcome := api.contact_add(who, v_id, COALESCE(v_payload, '{}'), v_at);
        ELSIF v_kind = 'case.open' THEN
            outcome := api.case_open(who, v_id, COALESCE(v_payload, '{}'), v_at);
        ELSIF v_kind IN ('case.resolve', 'case.confirm', 'case.close_in_writing', 'case.reopen',
                                      'case.formal_complaint', 'case.deadlock', 'case.adr_letter', 'case.feedback',
                                      'case.service_dates', 'case.update') THEN
            -- The function is named for the kind: case.close_in_writing -> api.case_close_in_writing.
            EXECUTE format('SELECT api.%I($1, $2, $3, $4)', replace(v_kind, '.', '_'))
               INTO outcome
              USING who, v_id, COALESCE(v_payload, '{}'::jsonb), v_at;
        ELSIF v_kind IN ('case.take', 'case.hand_over') THEN
            outcome := api.case_owner(who, v_id, COALESCE(v_payload, '{}'), v_at,
                                      v_kind = 'case.take');
        ELSIF v_kind = 'handoff.create' THEN
            outcome := api.handoff_create(who, v_id, COALESCE(v_payload, '{}'), v_at);
        ELSIF v_kind IN ('handoff.acknowledge', 'handoff.complete') THEN
            outcome := api.handoff_step(who, v_id, COALESCE(v_payload, '{}'), v_at,
                                        v_kind = 'handoff.acknowledge');
        ELSIF v_kind = 'customer.create' THEN
            outcome := api.customer_create(who, v_id, COALESCE(v_payload, '{}'), v_at);
        ELSIF v_kind = 'customer.change_details' THEN
            outcome := api.customer_change_details(who, v_id, COALESCE(v_payload, '{}'), v_at);
        ELSIF v_kind = 'customer.restore_detail' THEN
            outcome := api.customer_restore_detail(who, v_id, COALESCE(v_payload, '{}'), v_at);
        ELSIF v_kind = 'offer.impression' THEN
            outcome := api.offer_impression(who, v_id, COALESCE(v_payload, '{}'), v_at);
        ELSE
            PERFORM api.refuse(format('this server does not know the mutation kind %s', v_kind));
        END IF;
    EXCEPTION
        -- Worth a retry of the whole call: let it abort the transaction.
        WHEN transaction_rollback OR insufficient_resources OR operator_intervention OR lock_not_available
             OR query_canceled THEN
            RAISE;
        WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS v_code = RETURNED_SQLSTATE, v_reason = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL,
                                    v_constraint = CONSTRAINT_NAME;
            IF v_applying AND v_code = 'AC001' THEN
                v_state := 'rejected';
            ELSIF v_applying AND v_code = 'AC002' THEN
                v_state := 'conflict';
                v_current := v_detail::jsonb;
            ELSIF v_applying AND left(v_code, 2) = '23' THEN  -- integrity_constraint_violation
                v_state := 'rejected';
                v_reason := CASE
                    WHEN v_constraint LIKE '%no_self_approval' OR v_constraint LIKE '%second_approver_distinct'
                        THEN 'the database refused: nobody approves their own request'
                    ELSE 'the database refused: ' || v_reason END;
            ELSIF v_applying AND left(v_code, 2) = '22' THEN  -- data_exception
                v_state := 'rejected';
                v_reason := 'the mutation carries a bad value: ' || v_reason;
            ELSIF v_code = '42501' AND v_reason NOT LIKE 'mutation % belongs to another user' THEN
                RAISE;  -- the login itself was refused
            ELSE
                RETURN jsonb_build_object('mutation_id', item -> 'mutation_id', 'kind', item -> 'kind',
                                          'state', 'rejected', 'reason', v_reason, 'stored', false,
                                          'sqlstate', v_code);
            END IF;
    END;

    v_reason := left(v_reason, 2000);  -- a database message may quote a value: the log and audit keep a bounded one
    v_skew := extract(epoch FROM now() - v_claimed);
    v_current := COALESCE(outcome -> 'record', v_current);
    v_result := jsonb_build_object(
        'mutation_id', v_id,
        'kind', v_kind,
        'state', v_state,
        'reason', v_reason,
        'entity', outcome -> 'entity',
        'entity_id', outcome -> 'entity_id',
        'record', CASE WHEN api.may_read_record(who, COALESCE(outcome ->> 'entity', split_part(v_kind, '.', 1)),
                                                v_current) THEN v_current END,
        'follow_up', outcome -> 'follow_up',
        'applied_at', now(),
        'clock_skew_seconds', round(v_skew)::bigint,
        'clock_skew_flagged', abs(v_skew) > 300,
        'trusted_at', v_at,
        'time_trusted', v_at = v_claimed);
    -- Written once, with its outcome. A concurrent call with the same id that logged it first (a
    -- client sending again while its first call still ran) makes this whole call a transient fault:
    -- sent again, the id is answered from the log.
    INSERT INTO public.mutation_log (mutation_id, client_id, client_seq, kind, actor, state, result, reason,
                                     occurred_at, applied_at)
    VALUES (v_id, v_client, v_seq, v_kind, who.username, v_state, v_result::json, v_reason,
            v_claimed, now())
    ON CONFLICT ON CONSTRAINT pk_mutation_log DO NOTHING;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'mutation % was applied by a concurrent call', v_id USING ERRCODE = 'serialization_failure';
    END IF;
    IF v_state <> 'accepted' THEN
        PERFORM api.audit_append(now(), who.username, 'mutation.' || v_state, 'mutation', v_id,
                                 jsonb_build_object('kind', v_kind, 'reason', v_reason,
                                                    'entity_id', COALESCE(v_payload ->> 'id', NULL)));
    END IF;
    RETURN v_result;
END
$$;

CREATE OR REPLACE FUNCTION api.apply_mutation(
    mutation_id uuid, client_id uuid, client_seq bigint, kind text, payload jsonb, occurred_at timestamptz
) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    who public.users := api.caller();
    answer jsonb;
BEGIN
    answer := api.apply_item(who, api.payload_limits(kind), api.sync_marks(who), jsonb_build_object(
        'mutation_id', mutation_id, 'client_id', client_id, 'client_seq', client_seq, 'kind', kind,
        'payload', payload, 'occurred_at', occurred_at));
    IF answer -> 'stored' = 'false' THEN  -- refused outright: raised as it was refused
        RAISE EXCEPTION USING ERRCODE = answer ->> 'sqlstate', MESSAGE = answer ->> 'reason';
    END IF;
    RETURN answer;
END
$$;

-- One page of the change log after `after` for `who`: the changes they may read (for a workstation
-- `client` that holds its working set, only those api.pull_held describes), the last entry looked at
-- and the head, all in the caller's one snapshot.
CREATE OR REPLACE FUNCTION api.change_page(who public.users, client uuid, after bigint, max integer)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
#variable_conflict use_column
DECLARE
    v_client uuid := change_page.client;
    v_limit integer := change_page.max;
    v_after bigint := COALESCE(change_page.after, 0);
    v_team uuid[] := ARRAY(SELECT u.id FROM public.users u WHERE u.team = who.team);
    v_last bigint;
    v_head bigint;
    v_changes jsonb;
BEGIN
    IF v_limit IS NULL OR v_limit < 1 OR v_limit > 10000 THEN
        RAISE EXCEPTION 'max must be between 1 and 10000' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT (array_agg(c.seq ORDER BY c.seq DESC))[1],
           COALESCE(jsonb_agg(jsonb_build_object(
                        'seq', c.seq, 'entity', c.entity, 'entity_id', c.entity_id, 'customer_id', c.customer_id,
                        'data', c.data, 'mutation_id', c.mutation_id, 'committed_at', c.committed_at)
                    ORDER BY c.seq)
                    FILTER (WHERE api.may_read(who, c.reader_id)
                              AND (v_client IS NULL
                                   OR c.customer_id IS NULL
                                   OR EXISTS (SELECT 1 FROM api.holdings h
                                               WHERE h.username = who.username AND h.client_id = v_client
                                                 AND h.customer_id = c.customer_id)
                                   OR api.in_working_set(who, v_team, c.entity, c.data))), '[]'::jsonb)
      INTO v_last, v_changes
      FROM (SELECT * FROM public.change_log cl WHERE cl.seq > v_after ORDER BY cl.seq LIMIT v_limit) AS c;
    SELECT last_seq INTO v_head FROM api.change_counter WHERE id = 1;
    v_last := COALESCE(v_last, v_after);
    RETURN jsonb_build_object('changes', v_changes, 'next_after', v_last, 'head', v_head, 'more', v_last < v_head);
END
$$;

CREATE OR REPLACE FUNCTION api.pull_changes(after bigint, max integer) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
BEGIN
    -- One snapshot (STABLE functions): the page, the changes the caller may read, and the head.
    RETURN api.change_page(api.caller(), NULL, pull_changes.after, pull_changes.max);
END
$$;

-- Push in batches: each mutation of the array as api.apply_mutation would apply it, in array order
-- (the client's client_seq order), each under its own savepoint, all committed by one commit; one
-- answer per mutation, in the same order. A rejected or conflicting mutation does not undo the
-- others; a mutation the server refuses outright (another user's id, a bad argument) is answered
-- `rejected` with `"stored": false` and nothing of it is kept. A transient fault (serialization
-- failure, deadlock, shutdown) aborts the whole batch: nothing is committed and the client sends
-- it again, the same ids, which mutation_log then answers as before. Contract: docs/sync.md.
CREATE OR REPLACE FUNCTION api.apply_mutations(mutations jsonb) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    item jsonb;
    answer jsonb;
    answers jsonb[] := '{}';
    who public.users;
    v_limits jsonb;
    v_marks jsonb;
BEGIN
    IF jsonb_typeof(mutations) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'apply_mutations takes an array of mutations' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF jsonb_array_length(mutations) > 1000 THEN
        RAISE EXCEPTION 'at most 1000 mutations a call' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- The caller (an unknown or disabled login is refused for the whole call), the payload limits and
    -- the caller's sync marks: looked up once for the whole call.
    who := api.caller();
    v_limits := api.payload_limits();
    v_marks := api.sync_marks(who);
    FOR item IN SELECT e.value FROM jsonb_array_elements(mutations) WITH ORDINALITY AS e(value, n) ORDER BY e.n LOOP
        answer := api.apply_item(who, v_limits, v_marks, item);
        IF answer -> 'stored' = 'false' AND answer ->> 'sqlstate' <> '42501' THEN
            answer := jsonb_set(answer, '{reason}', to_jsonb('the server refused this change: ' || (answer ->> 'reason')));
        END IF;
        answers := answers || answer;
    END LOOP;
    RETURN to_jsonb(answers);
END
$$;
