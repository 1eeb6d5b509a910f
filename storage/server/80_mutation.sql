-- The two functions console clients call: apply_mutation (push) and pull_changes (pull).
-- Contract: docs/sync.md.

CREATE OR REPLACE FUNCTION api.apply_mutation(
    mutation_id uuid, client_id uuid, client_seq bigint, kind text, payload jsonb, occurred_at timestamptz
) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
#variable_conflict use_column
DECLARE
    who public.users;
    stored public.mutation_log;
    outcome jsonb;
    v_state text := 'accepted';
    v_reason text;
    v_current jsonb;
    v_detail text;
    v_constraint text;
    v_skew double precision;
    v_result jsonb;
    v_claimed timestamptz := apply_mutation.occurred_at;  -- the client's time, kept in mutation_log
BEGIN
    IF apply_mutation.mutation_id IS NULL OR apply_mutation.client_id IS NULL OR apply_mutation.client_seq IS NULL
       OR apply_mutation.kind IS NULL OR apply_mutation.occurred_at IS NULL THEN
        RAISE EXCEPTION 'apply_mutation needs every argument but payload' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF length(apply_mutation.kind) > 60 THEN
        RAISE EXCEPTION 'mutation kind too long' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    who := api.caller();
    PERFORM api.check_payload_size(apply_mutation.kind, payload);
    -- Claim the id. A concurrent call with the same id waits here for the first to finish, then
    -- finds its row; a retry after a lost acknowledgement finds the stored result.
    INSERT INTO public.mutation_log (mutation_id, client_id, client_seq, kind, actor, state, occurred_at, applied_at)
    VALUES (apply_mutation.mutation_id, apply_mutation.client_id, apply_mutation.client_seq, apply_mutation.kind,
            who.username, 'pending', apply_mutation.occurred_at, now())
    ON CONFLICT ON CONSTRAINT pk_mutation_log DO NOTHING;
    IF NOT FOUND THEN
        SELECT * INTO stored FROM public.mutation_log m WHERE m.mutation_id = apply_mutation.mutation_id;
        IF stored.actor <> who.username THEN
            RAISE EXCEPTION 'mutation % belongs to another user', apply_mutation.mutation_id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN stored.result::jsonb;
    END IF;
    -- From here the act's time is one the server trusts (75_trusted_time.sql).
    apply_mutation.occurred_at := api.trusted_time(who, apply_mutation.client_id, apply_mutation.client_seq, v_claimed);

    BEGIN
        IF apply_mutation.kind = 'goodwill.request' THEN
            outcome := api.goodwill_request(who, apply_mutation.mutation_id, COALESCE(payload, '{}'), apply_mutation.occurred_at);
        ELSIF apply_mutation.kind = 'goodwill.approve' THEN
            outcome := api.goodwill_approve(who, apply_mutation.mutation_id, COALESCE(payload, '{}'), apply_mutation.occurred_at);
        ELSIF apply_mutation.kind = 'goodwill.reject' THEN
            outcome := api.goodwill_reject(who, apply_mutation.mutation_id, COALESCE(payload, '{}'), apply_mutation.occurred_at);
        ELSIF apply_mutation.kind = 'promise.create' THEN
            outcome := api.promise_create(who, apply_mutation.mutation_id, COALESCE(payload, '{}'), apply_mutation.occurred_at);
        ELSIF apply_mutation.kind = 'promise.complete' THEN
            outcome := api.promise_complete(who, apply_mutation.mutation_id, COALESCE(payload, '{}'), apply_mutation.occurred_at);
        ELSIF apply_mutation.kind = 'promise.reassign' THEN
            outcome := api.promise_reassign(who, apply_mutation.mutation_id, COALESCE(payload, '{}'), apply_mutation.occurred_at);
        ELSIF apply_mutation.kind = 'contact.add' THEN
            outcome := api.contact_add(who, apply_mutation.mutation_id, COALESCE(payload, '{}'), apply_mutation.occurred_at);
        ELSIF apply_mutation.kind = 'case.open' THEN
            outcome := api.case_open(who, apply_mutation.mutation_id, COALESCE(payload, '{}'), apply_mutation.occurred_at);
        ELSIF apply_mutation.kind IN ('case.resolve', 'case.confirm', 'case.close_in_writing', 'case.reopen',
                                      'case.formal_complaint', 'case.deadlock', 'case.adr_letter', 'case.feedback',
                                      'case.service_dates', 'case.update') THEN
            -- The function is named for the kind: case.close_in_writing -> api.case_close_in_writing.
            EXECUTE format('SELECT api.%I($1, $2, $3, $4)', replace(apply_mutation.kind, '.', '_'))
               INTO outcome
              USING who, apply_mutation.mutation_id, COALESCE(payload, '{}'::jsonb), apply_mutation.occurred_at;
        ELSIF apply_mutation.kind IN ('case.take', 'case.hand_over') THEN
            outcome := api.case_owner(who, apply_mutation.mutation_id, COALESCE(payload, '{}'), apply_mutation.occurred_at,
                                      apply_mutation.kind = 'case.take');
        ELSIF apply_mutation.kind = 'handoff.create' THEN
            outcome := api.handoff_create(who, apply_mutation.mutation_id, COALESCE(payload, '{}'), apply_mutation.occurred_at);
        ELSIF apply_mutation.kind IN ('handoff.acknowledge', 'handoff.complete') THEN
            outcome := api.handoff_step(who, apply_mutation.mutation_id, COALESCE(payload, '{}'), apply_mutation.occurred_at,
                                        apply_mutation.kind = 'handoff.acknowledge');
        ELSIF apply_mutation.kind = 'customer.create' THEN
            outcome := api.customer_create(who, apply_mutation.mutation_id, COALESCE(payload, '{}'), apply_mutation.occurred_at);
        ELSIF apply_mutation.kind = 'customer.change_details' THEN
            outcome := api.customer_change_details(who, apply_mutation.mutation_id, COALESCE(payload, '{}'), apply_mutation.occurred_at);
        ELSIF apply_mutation.kind = 'customer.restore_detail' THEN
            outcome := api.customer_restore_detail(who, apply_mutation.mutation_id, COALESCE(payload, '{}'), apply_mutation.occurred_at);
        ELSIF apply_mutation.kind = 'offer.impression' THEN
            outcome := api.offer_impression(who, apply_mutation.mutation_id, COALESCE(payload, '{}'), apply_mutation.occurred_at);
        ELSE
            PERFORM api.refuse(format('this server does not know the mutation kind %s', apply_mutation.kind));
        END IF;
    EXCEPTION
        WHEN SQLSTATE 'AC001' THEN
            GET STACKED DIAGNOSTICS v_reason = MESSAGE_TEXT;
            v_state := 'rejected';
        WHEN SQLSTATE 'AC002' THEN
            GET STACKED DIAGNOSTICS v_reason = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
            v_state := 'conflict';
            v_current := v_detail::jsonb;
        WHEN integrity_constraint_violation THEN
            GET STACKED DIAGNOSTICS v_reason = MESSAGE_TEXT, v_constraint = CONSTRAINT_NAME;
            v_state := 'rejected';
            v_reason := CASE
                WHEN v_constraint LIKE '%no_self_approval' OR v_constraint LIKE '%second_approver_distinct'
                    THEN 'the database refused: nobody approves their own request'
                ELSE 'the database refused: ' || v_reason END;
        WHEN data_exception THEN
            GET STACKED DIAGNOSTICS v_reason = MESSAGE_TEXT;
            v_state := 'rejected';
            v_reason := 'the mutation carries a bad value: ' || v_reason;
    END;

    v_reason := left(v_reason, 2000);  -- a database message may quote a value: the log and audit keep a bounded one
    v_skew := extract(epoch FROM now() - v_claimed);
    v_result := jsonb_build_object(
        'mutation_id', apply_mutation.mutation_id,
        'kind', apply_mutation.kind,
        'state', v_state,
        'reason', v_reason,
        'entity', outcome -> 'entity',
        'entity_id', outcome -> 'entity_id',
        'record', (SELECT r FROM COALESCE(outcome -> 'record', v_current) AS r
                    WHERE api.may_read_record(who, COALESCE(outcome ->> 'entity', split_part(apply_mutation.kind, '.', 1)), r)),
        'follow_up', outcome -> 'follow_up',
        'applied_at', now(),
        'clock_skew_seconds', round(v_skew)::bigint,
        'clock_skew_flagged', abs(v_skew) > 300,
        'trusted_at', apply_mutation.occurred_at,
        'time_trusted', apply_mutation.occurred_at = v_claimed);
    UPDATE public.mutation_log m
       SET state = v_state, result = v_result::json, reason = v_reason
     WHERE m.mutation_id = apply_mutation.mutation_id;
    IF v_state <> 'accepted' THEN
        PERFORM api.audit_append(now(), who.username, 'mutation.' || v_state, 'mutation', apply_mutation.mutation_id,
                                 jsonb_build_object('kind', apply_mutation.kind, 'reason', v_reason,
                                                    'entity_id', COALESCE(payload ->> 'id', NULL)));
    END IF;
    RETURN v_result;
END
$$;

CREATE OR REPLACE FUNCTION api.pull_changes(after bigint, max integer) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
#variable_conflict use_column
DECLARE
    who public.users := api.caller();
    v_limit integer := pull_changes.max;
    v_after bigint := COALESCE(pull_changes.after, 0);
    v_last bigint;
    v_head bigint;
    v_changes jsonb;
BEGIN
    IF v_limit IS NULL OR v_limit < 1 OR v_limit > 10000 THEN
        RAISE EXCEPTION 'max must be between 1 and 10000' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- One snapshot (a STABLE function): the page, the changes the caller may read, and the head.
    SELECT (array_agg(c.seq ORDER BY c.seq DESC))[1],
           COALESCE(jsonb_agg(jsonb_build_object(
                        'seq', c.seq, 'entity', c.entity, 'entity_id', c.entity_id, 'customer_id', c.customer_id,
                        'data', c.data, 'mutation_id', c.mutation_id, 'committed_at', c.committed_at)
                    ORDER BY c.seq) FILTER (WHERE api.may_read(who, c.reader_id)), '[]'::jsonb)
      INTO v_last, v_changes
      FROM (SELECT * FROM public.change_log cl WHERE cl.seq > v_after ORDER BY cl.seq LIMIT v_limit) AS c;
    SELECT last_seq INTO v_head FROM api.change_counter WHERE id = 1;
    v_last := COALESCE(v_last, v_after);
    RETURN jsonb_build_object('changes', v_changes, 'next_after', v_last, 'head', v_head, 'more', v_last < v_head);
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
    v_code text;
    v_message text;
BEGIN
    IF jsonb_typeof(mutations) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'apply_mutations takes an array of mutations' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF jsonb_array_length(mutations) > 1000 THEN
        RAISE EXCEPTION 'at most 1000 mutations a call' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM api.caller();  -- an unknown or disabled login is refused for the whole call
    FOR item IN SELECT e.value FROM jsonb_array_elements(mutations) WITH ORDINALITY AS e(value, n) ORDER BY e.n LOOP
        BEGIN
            answer := api.apply_mutation(
                (item ->> 'mutation_id')::uuid, (item ->> 'client_id')::uuid, (item ->> 'client_seq')::bigint,
                item ->> 'kind', item -> 'payload', (item ->> 'occurred_at')::timestamptz);
        EXCEPTION
            -- Worth a retry of the whole batch: let it abort the transaction.
            WHEN transaction_rollback OR insufficient_resources OR operator_intervention OR lock_not_available
                 OR query_canceled THEN
                RAISE;
            WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS v_code = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT;
                IF v_code = '42501' AND v_message NOT LIKE 'mutation % belongs to another user' THEN
                    RAISE;  -- the login itself was refused (disabled since the call began)
                END IF;
                answer := jsonb_build_object(
                    'mutation_id', item -> 'mutation_id',
                    'kind', item -> 'kind',
                    'state', 'rejected',
                    'reason', CASE WHEN v_code = '42501' THEN v_message
                                   ELSE 'the server refused this change: ' || v_message END,
                    'stored', false,
                    'sqlstate', v_code);
        END;
        answers := answers || answer;
    END LOOP;
    RETURN to_jsonb(answers);
END
$$;
