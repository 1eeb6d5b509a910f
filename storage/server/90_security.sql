-- Who may do what. Client roles read some tables (row-level security narrows the rows) and write
-- only through api.apply_mutation(s); they pull through api.pull_changes. Nothing else is theirs.

-- Create or update a SELECT policy without dropping it, so a second run changes nothing.
CREATE OR REPLACE FUNCTION api.ensure_read_policy(p_table regclass, p_name text, p_roles text[], p_using text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_roles text := (SELECT string_agg(quote_ident(r), ', ') FROM unnest(p_roles) AS r);
BEGIN
    IF EXISTS (SELECT FROM pg_catalog.pg_policy WHERE polrelid = p_table AND polname = p_name) THEN
        EXECUTE format('ALTER POLICY %I ON %s TO %s USING (%s)', p_name, p_table, v_roles, p_using);
    ELSE
        EXECUTE format('CREATE POLICY %I ON %s FOR SELECT TO %s USING (%s)', p_name, p_table, v_roles, p_using);
    END IF;
END
$$;

REVOKE ALL ON SCHEMA api FROM PUBLIC;
GRANT USAGE ON SCHEMA api TO advisor, supervisor;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC, advisor, supervisor;
REVOKE ALL ON ALL TABLES IN SCHEMA api FROM PUBLIC, advisor, supervisor;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC, advisor, supervisor;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA api FROM PUBLIC, advisor, supervisor;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC, advisor, supervisor;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA api FROM PUBLIC, advisor, supervisor;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

GRANT EXECUTE ON FUNCTION api.apply_mutation(uuid, uuid, bigint, text, jsonb, timestamptz) TO advisor, supervisor;
GRANT EXECUTE ON FUNCTION api.apply_mutations(jsonb) TO advisor, supervisor;
GRANT EXECUTE ON FUNCTION api.pull_changes(bigint, integer) TO advisor, supervisor;
GRANT EXECUTE ON FUNCTION api.audit_witness(bigint[]) TO advisor, supervisor;  -- 25_audit_witness.sql
GRANT EXECUTE ON FUNCTION api.sync_mark(uuid, bigint, timestamptz) TO advisor, supervisor;  -- 75_trusted_time.sql
-- First sync (85_snapshot.sql): the plan and pages read as the caller; the head and the entity list
-- are what those two call.
GRANT EXECUTE ON FUNCTION api.snapshot_plan(), api.snapshot_page(text, uuid, integer), api.change_head(),
    api.snapshot_entities() TO advisor, supervisor;

-- What both roles read (search of customers a workstation does not hold goes here when online).
GRANT SELECT ON public.alembic_version, public.users, public.customers, public.customer_phones,
    public.account_owner_changes, public.contact_events, public.cases, public.case_owner_changes,
    public.promises, public.handoffs, public.goodwill, public.offers, public.offer_impressions,
    public.feedback, public.mutation_log, public.customer_detail_changes
    TO advisor, supervisor;
-- Only supervisors read the audit log.
GRANT SELECT ON public.audit_log TO supervisor;

ALTER TABLE public.customers ENABLE ROW LEVEL SECURITY;
SELECT api.ensure_read_policy('public.customers', 'customers_not_deleted', ARRAY['advisor', 'supervisor'],
                              'NOT deleted');

ALTER TABLE public.goodwill ENABLE ROW LEVEL SECURITY;
SELECT api.ensure_read_policy('public.goodwill', 'goodwill_own_requests', ARRAY['advisor'],
    'requested_by = (SELECT u.id FROM public.users u WHERE u.username = session_user)');
SELECT api.ensure_read_policy('public.goodwill', 'goodwill_all', ARRAY['supervisor'], 'true');

ALTER TABLE public.mutation_log ENABLE ROW LEVEL SECURITY;
SELECT api.ensure_read_policy('public.mutation_log', 'mutation_log_own', ARRAY['advisor', 'supervisor'],
                              'actor = session_user');

ALTER TABLE public.audit_log ENABLE ROW LEVEL SECURITY;
SELECT api.ensure_read_policy('public.audit_log', 'audit_log_supervisors', ARRAY['supervisor'], 'true');

-- Pulled only through api.pull_changes; no policy, so no client role reads a row directly.
ALTER TABLE public.change_log ENABLE ROW LEVEL SECURITY;
