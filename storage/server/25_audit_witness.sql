-- The audit chain's witnesses: workstations keep the chain heads they saw (table audit_heads on
-- each workstation) and ask at every sync what the chain now holds at those entries. A head that
-- disappeared or changed is a chain cut short or rewritten, which the chain alone cannot show.
-- Client roles read no audit entry: this answers with hashes only. Contract: docs/sync.md.

CREATE OR REPLACE FUNCTION api.audit_witness(seqs bigint[]) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    who public.users := api.caller();
    v_head jsonb;
    v_hashes jsonb;
BEGIN
    IF cardinality(seqs) > 100 THEN
        RAISE EXCEPTION 'at most 100 heads a call' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT jsonb_build_object('seq', a.seq, 'hash', a.hash) INTO v_head
      FROM public.audit_log a ORDER BY a.seq DESC LIMIT 1;
    SELECT COALESCE(jsonb_object_agg(a.seq::text, a.hash), '{}'::jsonb) INTO v_hashes
      FROM public.audit_log a WHERE a.seq = ANY (COALESCE(seqs, '{}'));
    RETURN jsonb_build_object('head', v_head, 'hashes', v_hashes);
END
$$;
