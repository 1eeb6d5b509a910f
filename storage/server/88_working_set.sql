-- A workstation's working set and the customers it holds. The first sync takes the working set (the
-- caller's team's open work, and the customers the caller touched lately) and reference data, not
-- every customer; the server keeps which customers each workstation holds, so a pull sends only
-- changes of those and of the working set. Contract: docs/sync.md ("What a workstation holds").

-- The customers each workstation (client id, as in the outbox) holds, for its user. Written only by
-- api.hold_customers / api.release_customers; read by api.pull_held.
CREATE TABLE IF NOT EXISTS api.holdings (
    username text NOT NULL,
    client_id uuid NOT NULL,
    customer_id uuid NOT NULL,
    held_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (username, client_id, customer_id)
);

-- The working set's reads at a million customers: a user's own contacts of the last days (the
-- other parts use the owner, state and status indexes the schema has). Server-only: a workstation
-- never asks this of its own store.
CREATE INDEX IF NOT EXISTS ix_server_contact_events_advisor ON public.contact_events (advisor_id, occurred_at);
CREATE INDEX IF NOT EXISTS ix_server_handoffs_teams_open ON public.handoffs (to_team, from_team)
    WHERE status IN ('awaiting_ack', 'acknowledged');

-- Every customer in `who`'s working set: their team's open cases and open promises, open handoffs
-- to or from their team, goodwill awaiting a decision (a supervisor: every request; an advisor: their
-- own), and the customers `who` touched in the last `p_days` days (a contact they logged, a case
-- they own that moved). Soft-deleted customers are never in it.
CREATE OR REPLACE FUNCTION api.working_set_of(who public.users, p_days integer) RETURNS SETOF uuid
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    WITH team AS (SELECT u.id FROM public.users u WHERE u.team = who.team),
    since AS (SELECT now() - make_interval(days => GREATEST(p_days, 0)) AS at),
    wanted AS (
        SELECT c.customer_id FROM public.cases c
         WHERE c.owner_id IN (SELECT id FROM team) AND c.status NOT IN ('resolved', 'closed')
        UNION SELECT p.customer_id FROM public.promises p
         WHERE p.owner_id IN (SELECT id FROM team) AND p.status = 'open'
        UNION SELECT h.customer_id FROM public.handoffs h
         WHERE h.status IN ('awaiting_ack', 'acknowledged') AND (h.to_team = who.team OR h.from_team = who.team)
        UNION SELECT g.customer_id FROM public.goodwill g
         WHERE g.state IN ('awaiting_approval', 'awaiting_second_approval')
           AND (who.role = 'supervisor' OR g.requested_by = who.id)
        UNION SELECT e.customer_id FROM public.contact_events e
         WHERE e.advisor_id = who.id AND e.occurred_at >= (SELECT at FROM since)
        UNION SELECT c.customer_id FROM public.cases c
         WHERE c.owner_id = who.id AND c.updated_at >= (SELECT at FROM since))
    SELECT w.customer_id FROM wanted w
      JOIN public.customers cu ON cu.id = w.customer_id
     WHERE NOT cu.deleted
$$;

-- Whether a change (entity and row as the change log holds it) is part of `who`'s working set: it is
-- pulled even for a customer the workstation does not hold yet, which then fetches that customer.
-- `p_team`: the ids of `who`'s team (api.change_page reads them once a page). No sub-select and no
-- SET clause, so the planner inlines it into api.change_page's scan: as a function called for every
-- row it was most of a pull's time (19 us a row, 50 ms a page at 1,000 workstations). Everything in
-- it is schema-qualified, and the caller's search path is pinned.
DROP FUNCTION IF EXISTS api.in_working_set(public.users, text, json);
CREATE OR REPLACE FUNCTION api.in_working_set(who public.users, p_team uuid[], p_entity text, p_data json)
RETURNS boolean
LANGUAGE sql STABLE
AS $$
    SELECT CASE p_entity
        WHEN 'case' THEN p_data ->> 'status' NOT IN ('resolved', 'closed')
             AND (p_data ->> 'owner_id')::uuid = ANY(p_team)
        WHEN 'promise' THEN p_data ->> 'status' = 'open'
             AND (p_data ->> 'owner_id')::uuid = ANY(p_team)
        WHEN 'handoff' THEN p_data ->> 'status' IN ('awaiting_ack', 'acknowledged')
             AND who.team::text IN (p_data ->> 'to_team', p_data ->> 'from_team')
        WHEN 'goodwill' THEN p_data ->> 'state' IN ('awaiting_approval', 'awaiting_second_approval')
             AND (who.role = 'supervisor' OR (p_data ->> 'requested_by')::uuid = who.id)
        WHEN 'contact_event' THEN (p_data ->> 'advisor_id')::uuid = who.id
        ELSE false
    END
$$;

-- A new workstation's plan: the change log's head (pull from there once the first sync is done), the
-- working set's customers in id order (the first sync's place is the last customer taken) and the
-- reference data's row counts (users and offers, taken whole). One snapshot serves all three.
CREATE OR REPLACE FUNCTION api.working_set_plan(days integer) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    who public.users := api.caller();
    v_head bigint := (SELECT c.last_seq FROM api.change_counter c WHERE c.id = 1);
    v_customers jsonb;
BEGIN
    IF days IS NULL OR days < 0 OR days > 366 THEN
        RAISE EXCEPTION 'days must be between 0 and 366' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT COALESCE(jsonb_agg(w.id ORDER BY w.id), '[]'::jsonb) INTO v_customers
      FROM (SELECT DISTINCT s AS id FROM api.working_set_of(who, days) s) w;
    RETURN jsonb_build_object(
        'head', v_head,
        'customers', v_customers,
        'reference', jsonb_build_array(
            jsonb_build_object('entity', 'user', 'rows', (SELECT count(*) FROM public.users)),
            jsonb_build_object('entity', 'offer', 'rows', (SELECT count(*) FROM public.offers))));
END
$$;

-- The caller's workstation `client_id` now holds these customers: their changes reach its pulls.
-- Called before their records are read, so no change after the records' head is left out.
CREATE OR REPLACE FUNCTION api.hold_customers(client_id uuid, ids uuid[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    who public.users := api.caller();
    v_count integer;
BEGIN
    IF client_id IS NULL OR ids IS NULL OR cardinality(ids) > 10000 THEN
        RAISE EXCEPTION 'hold_customers takes a client id and at most 10000 ids'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO api.holdings AS h (username, client_id, customer_id)
    SELECT who.username, client_id, i FROM unnest(ids) AS i WHERE i IS NOT NULL
    ON CONFLICT ON CONSTRAINT holdings_pkey DO NOTHING;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;

-- The workstation dropped these customers (evicted): their changes no longer reach its pulls.
CREATE OR REPLACE FUNCTION api.release_customers(client_id uuid, ids uuid[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_variable
DECLARE
    who public.users := api.caller();
    v_count integer;
BEGIN
    IF client_id IS NULL OR ids IS NULL OR cardinality(ids) > 10000 THEN
        RAISE EXCEPTION 'release_customers takes a client id and at most 10000 ids'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    DELETE FROM api.holdings h
     WHERE h.username = who.username AND h.client_id = client_id AND h.customer_id = ANY(ids);
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;

-- api.pull_changes for a workstation that holds its working set: the same page, cursor and head, but
-- only changes of customers `client_id` holds, changes of no customer (users), and changes of the
-- caller's working set (a case assigned to their team, a handoff to it, a request awaiting them),
-- for which the workstation then fetches the customer. `next_after` is the last entry looked at, so
-- a page of changes for others still moves the cursor on, in commit order as before.
CREATE OR REPLACE FUNCTION api.pull_held(client_id uuid, after bigint, max integer) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    who public.users := api.caller();
BEGIN
    IF pull_held.client_id IS NULL THEN
        RAISE EXCEPTION 'pull_held needs the client id' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN api.change_page(who, pull_held.client_id, pull_held.after, pull_held.max);  -- 80_mutation.sql
END
$$;

-- The full snapshot's plan (every row of every entity) is gone: a first sync takes the working set.
DROP FUNCTION IF EXISTS api.snapshot_plan();
