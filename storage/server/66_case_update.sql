-- case.update: progress on an open case (what was done, the next step, whether the customer was
-- told), as console.case_rules.progress_update. It moves updated_at on: the news that clears the
-- "past target, no update" prompt (case_rules.needs_progress_update).

CREATE OR REPLACE FUNCTION api.case_update(who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_at timestamptz := LEAST(p_occurred_at, now());
    c public.cases := api.case_locked(p);
    made public.cases;
    v_step text;
    v_done text;
    v_told boolean;
BEGIN
    IF c.status IN ('resolved', 'closed') THEN
        PERFORM api.refuse(format('%s is %s: reopen it before recording progress', c.reference,
                                  api.status_words(c.status)));
    END IF;
    v_done := api.case_text(p, 'done', 'what was done');
    v_step := api.case_text(p, 'next_step', 'the next step');
    v_told := api.bool_field(p, 'customer_told');
    IF v_told IS NULL THEN
        PERFORM api.refuse('say whether the customer was told');
    END IF;
    UPDATE public.cases SET next_step = v_step, updated_at = v_at, version = version + 1
     WHERE id = c.id
    RETURNING * INTO made;
    RETURN api.case_changed(
        who, p_mutation_id, p, 'case.update', c, made, v_at,
        format('%s progress (%s): next, %s', c.reference,
               CASE WHEN v_told THEN 'customer told' ELSE 'customer not told yet' END, v_step),
        v_done || E'\n' || CASE WHEN v_told THEN 'The customer was told.'
                               ELSE 'The customer has not been told yet.' END);
END
$$;
