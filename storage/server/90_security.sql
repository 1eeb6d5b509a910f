-- Who may do what. Client roles read some tables (row-level security narrows the rows) and write
-- only through api.apply_mutation(s); they pull through api.pull_changes (or api.pull_held). Nothing else is theirs.

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

REVOKE ALL ON SCHEMA api FROM PUBLIC, console_gateway;
GRANT USAGE ON SCHEMA api TO advisor, supervisor;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC, advisor, supervisor, console_gateway;
REVOKE ALL ON ALL TABLES IN SCHEMA api FROM PUBLIC, advisor, supervisor, console_gateway;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC, advisor, supervisor, console_gateway;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA api FROM PUBLIC, advisor, supervisor, console_gateway;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC, advisor, supervisor, console_gateway;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA api FROM PUBLIC, advisor, supervisor, console_gateway;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

GRANT EXECUTE ON FUNCTION api.apply_mutation(uuid, uuid, bigint, text, jsonb, timestamptz) TO advisor, supervisor;
GRANT EXECUTE ON FUNCTION api.apply_mutations(jsonb) TO advisor, supervisor;
GRANT EXECUTE ON FUNCTION api.pull_changes(bigint, integer) TO advisor, supervisor;
GRANT EXECUTE ON FUNCTION api.audit_witness(bigint[]) TO advisor, supervisor;  -- 25_audit_witness.sql
GRANT EXECUTE ON FUNCTION api.sync_mark(uuid, bigint, timestamptz) TO advisor, supervisor;  -- 75_trusted_time.sql
GRANT EXECUTE ON FUNCTION api.notice_ticket() TO advisor, supervisor;  -- 87_notice_relay.sql
-- First sync: reference data's pages (85_snapshot.sql) read as the caller; the head and the entity
-- list are what they call.
GRANT EXECUTE ON FUNCTION api.snapshot_page(text, uuid, integer), api.change_head(),
    api.snapshot_entities() TO advisor, supervisor;
-- Online search and customers' records (86_customer_on_demand.sql): read as the caller.
GRANT EXECUTE ON FUNCTION api.search_customers(jsonb, integer), api.customer_records(uuid),
    api.customers_records(uuid[]) TO advisor, supervisor;
-- The working set and the customers a workstation holds (88_working_set.sql).
GRANT EXECUTE ON FUNCTION api.working_set_plan(integer), api.hold_customers(uuid, uuid[]),
    api.release_customers(uuid, uuid[]), api.pull_held(uuid, bigint, integer) TO advisor, supervisor;

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
    'requested_by = (SELECT u.id FROM public.users u WHERE u.username = (SELECT api.person()))');
SELECT api.ensure_read_policy('public.goodwill', 'goodwill_all', ARRAY['supervisor'], 'true');

ALTER TABLE public.mutation_log ENABLE ROW LEVEL SECURITY;
SELECT api.ensure_read_policy('public.mutation_log', 'mutation_log_own', ARRAY['advisor', 'supervisor'],
                              'actor = (SELECT api.person())');

ALTER TABLE public.audit_log ENABLE ROW LEVEL SECURITY;
SELECT api.ensure_read_policy('public.audit_log', 'audit_log_supervisors', ARRAY['supervisor'], 'true');

-- Pulled only through api.pull_changes; no policy, so no client role reads a row directly.
ALTER TABLE public.change_log ENABLE ROW LEVEL SECURITY;

-- No advisory locks for anyone but the administrators: any login could otherwise take the keys the
-- server functions serialise on (new account numbers, contacts per case) and hold every writer back.
-- Revoking from PUBLIC in this database needs a superuser (they own pg_catalog); docs/security.md.
DO $$
DECLARE
    v_function regprocedure;
BEGIN
    IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
        RETURN;
    END IF;
    FOR v_function IN
        SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
         WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname ~ '^pg_(try_)?advisory_'
    LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', v_function);
    END LOOP;
END
$$;

-- Only an active console user reads anything. Disabling a user ends their sessions; a session that
-- survives (opened while the disable was committing) reads no row of any table: every table a client
-- role reads has this restrictive policy next to its permissive ones.
CREATE OR REPLACE FUNCTION api.reader_is_active() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (SELECT FROM public.users u WHERE u.username = api.person() AND u.active)
$$;
REVOKE ALL ON FUNCTION api.reader_is_active() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.reader_is_active() TO advisor, supervisor;

DO $$
DECLARE
    v_table regclass;
BEGIN
    FOREACH v_table IN ARRAY ARRAY[
        'public.alembic_version', 'public.users', 'public.customers', 'public.customer_phones',
        'public.account_owner_changes', 'public.contact_events', 'public.cases', 'public.case_owner_changes',
        'public.promises', 'public.handoffs', 'public.goodwill', 'public.offers', 'public.offer_impressions',
        'public.feedback', 'public.mutation_log', 'public.customer_detail_changes', 'public.audit_log']::regclass[]
    LOOP
        IF NOT (SELECT relrowsecurity FROM pg_catalog.pg_class WHERE oid = v_table) THEN
            -- Until now readable whole by both roles: say so as a policy, then add the restriction.
            EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', v_table);
            PERFORM api.ensure_read_policy(v_table, 'readable', ARRAY['advisor', 'supervisor'], 'true');
        END IF;
        IF EXISTS (SELECT FROM pg_catalog.pg_policy WHERE polrelid = v_table AND polname = 'only_active_users') THEN
            EXECUTE format('ALTER POLICY only_active_users ON %s TO advisor, supervisor '
                           'USING ((SELECT api.reader_is_active()))', v_table);
        ELSE
            EXECUTE format('CREATE POLICY only_active_users ON %s AS RESTRICTIVE FOR SELECT TO advisor, supervisor '
                           'USING ((SELECT api.reader_is_active()))', v_table);
        END IF;
    END LOOP;
END
$$;

-- Who is calling (28_pooled_sessions.sql), for the policies that read it as the querying role.
GRANT EXECUTE ON FUNCTION api.person() TO advisor, supervisor;
GRANT EXECUTE ON FUNCTION api.open_session() TO advisor, supervisor;

-- The pooler's shared login may call what either role may call and read what either reads: each
-- function narrows by api.caller() and each policy below by api.person(), so what a pooled call sees
-- and may do is what the person's own login would.
GRANT USAGE ON SCHEMA api TO console_gateway;
DO $$
DECLARE
    v_function regprocedure;
    v_table regclass;
BEGIN
    FOR v_function IN
        SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
         WHERE p.pronamespace = 'api'::regnamespace AND p.oid <> 'api.open_session()'::regprocedure
           AND (has_function_privilege('advisor', p.oid, 'EXECUTE')
                OR has_function_privilege('supervisor', p.oid, 'EXECUTE'))
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO console_gateway', v_function);
    END LOOP;
    FOR v_table IN
        SELECT c.oid::regclass FROM pg_catalog.pg_class c
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v')
           AND (has_table_privilege('advisor', c.oid, 'SELECT') OR has_table_privilege('supervisor', c.oid, 'SELECT'))
    LOOP
        EXECUTE format('GRANT SELECT ON %s TO console_gateway', v_table);
        IF EXISTS (SELECT FROM pg_catalog.pg_policy WHERE polrelid = v_table AND polname = 'readable') THEN
            -- Readable whole by the roles that may read the table, and by no one else.
            PERFORM api.ensure_read_policy(v_table, 'gateway_readable', ARRAY['console_gateway'], format(
                '(SELECT (api.person_user()).role::text) = ANY(%L::text[])',
                (SELECT array_agg(r) FROM unnest(ARRAY['advisor', 'supervisor']) AS r
                  WHERE has_table_privilege(r, v_table, 'SELECT'))));
        END IF;
        IF EXISTS (SELECT FROM pg_catalog.pg_policy WHERE polrelid = v_table AND polname = 'only_active_users') THEN
            EXECUTE format('ALTER POLICY only_active_users ON %s TO advisor, supervisor, console_gateway', v_table);
        END IF;
    END LOOP;
END
$$;
GRANT EXECUTE ON FUNCTION api.end_session(text) TO advisor, supervisor, console_gateway;
GRANT EXECUTE ON FUNCTION api.person_user() TO console_gateway;
SELECT api.ensure_read_policy('public.customers', 'gateway_not_deleted', ARRAY['console_gateway'], 'NOT deleted');
SELECT api.ensure_read_policy('public.goodwill', 'gateway_goodwill', ARRAY['console_gateway'],
    'requested_by = (SELECT (api.person_user()).id) OR (SELECT (api.person_user()).role::text) = ''supervisor''');
SELECT api.ensure_read_policy('public.mutation_log', 'gateway_own', ARRAY['console_gateway'],
                              'actor = (SELECT api.person())');
SELECT api.ensure_read_policy('public.audit_log', 'gateway_supervisors', ARRAY['console_gateway'],
                              '(SELECT (api.person_user()).role::text) = ''supervisor''');

-- No console login makes temporary tables: through the pooler's shared login one would outlive the
-- call, on a server connection another person's call uses next, and a temporary table or type named
-- like a real one is found first. Needs the database's owner or a superuser (docs/security.md).
DO $$
BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    NULL;
END
$$;

-- A login whose password was set outside the console (a person's own ALTER ROLE ... PASSWORD: no
-- audit, no rules) is refused at sign-in until an administrator sets it with `user set-password`.
-- A login event trigger needs PostgreSQL 17 and a superuser running `server init`; docs/security.md.
CREATE OR REPLACE FUNCTION api.refuse_foreign_password() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_expected text;
BEGIN
    SELECT verifier_sha256 INTO v_expected FROM api.login_verifier WHERE username = session_user::text;
    IF NOT FOUND THEN
        RETURN;  -- not a login the console gave a password
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_authid
                    WHERE rolname = session_user
                      AND encode(sha256(convert_to(rolpassword, 'UTF8')), 'hex') = v_expected) THEN
        -- Worded as libpq's refusals, so a workstation tells its person the password is not right.
        RAISE EXCEPTION 'authentication failed for user "%": the password was not set by the console', session_user
            USING ERRCODE = 'invalid_password',
                  HINT = 'an administrator sets it again with `advisor-console user set-password`';
    END IF;
END
$$;
REVOKE ALL ON FUNCTION api.refuse_foreign_password() FROM PUBLIC;

DO $$
BEGIN
    IF current_setting('server_version_num')::integer >= 170000
       AND (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)
       AND NOT EXISTS (SELECT FROM pg_catalog.pg_event_trigger WHERE evtname = 'console_login_password') THEN
        EXECUTE 'CREATE EVENT TRIGGER console_login_password ON login '
                'EXECUTE FUNCTION api.refuse_foreign_password()';
    END IF;
END
$$;
