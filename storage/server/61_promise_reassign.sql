-- promise.reassign: a supervisor gives an open promise to another active colleague with a note, as
-- console/promise_rules.check_reassign (the same checks, in its words); a version that moved on is a
-- conflict, judged before the owner is compared (the client compared it with the owner it saw).

CREATE OR REPLACE FUNCTION api.promise_reassign(who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_at timestamptz := LEAST(p_occurred_at, now());
    v_id uuid := api.uuid_field(p, 'id');
    v_version bigint := api.int_field(p, 'version', false);
    v_to uuid := api.uuid_field(p, 'to_user_id');
    v_note text;
    v_from_name text;
    v_old public.promises;
    made public.promises;
    new_owner public.users;
BEGIN
    IF who.role <> 'supervisor' THEN
        PERFORM api.refuse('only a supervisor reassigns a colleague''s promise');
    END IF;
    SELECT * INTO v_old FROM public.promises WHERE id = v_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api.refuse('no such promise');
    END IF;
    IF v_old.status <> 'open' THEN
        PERFORM api.conflict('this promise has already ended: there is nothing to reassign', to_jsonb(v_old));
    END IF;
    SELECT * INTO new_owner FROM public.users WHERE id = v_to AND active;
    IF NOT FOUND THEN
        PERFORM api.refuse('choose an active colleague to give the promise to');
    END IF;
    -- Before comparing owners: the owner the supervisor saw may have changed since.
    IF v_version IS NOT NULL AND v_version <> v_old.version THEN
        PERFORM api.conflict('this promise was changed by someone else meanwhile: look at it again', to_jsonb(v_old));
    END IF;
    IF new_owner.id = v_old.owner_id THEN
        PERFORM api.refuse(format('%s already owns this promise', new_owner.display_name));
    END IF;
    v_note := api.text_field(p, 'note', 2000, 'add a note for the new owner: what was promised and what to do now');
    SELECT display_name INTO v_from_name FROM public.users WHERE id = v_old.owner_id;
    UPDATE public.promises SET owner_id = new_owner.id, version = version + 1
     WHERE id = v_id
    RETURNING * INTO made;
    PERFORM api.record_change('promise', v_id, v_old.customer_id, NULL, to_jsonb(made), p_mutation_id);
    PERFORM api.add_console_event(
        api.uuid_field(p, 'event_id', false), v_old.customer_id, v_old.case_id, who.id, v_at,
        format('Promise reassigned: %s, from %s to %s', api.promise_words(v_old.kind), v_from_name,
               new_owner.display_name),
        v_note, p_mutation_id);
    PERFORM api.audit_append(v_at, who.username, 'promise.reassign', 'promise', v_id,
                             jsonb_build_object('customer_id', v_old.customer_id::text,
                                                'from_owner', v_old.owner_id::text,
                                                'to_owner', new_owner.id::text,
                                                'due_at', to_char(v_old.due_at AT TIME ZONE 'UTC',
                                                                  'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'),
                                                'note', v_note));
    RETURN jsonb_build_object('entity', 'promise', 'entity_id', v_id, 'record', to_jsonb(made));
END
$$;
