-- Pooled sessions (docs/security.md, "Pooled sessions"): a connection pooler signs in to the server as
-- one shared login, console_gateway, so a thousand workstations share a few hundred server
-- connections. The server then learns who is calling from a session token the workstation got
-- through its own login (api.open_session) and sets in each transaction (console.session).
-- api.person() is the one answer to "who is calling" for every function and policy.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'console_gateway') THEN
        -- LOGIN without a password: the administrator gives it one (ALTER ROLE) and writes it into the
        -- pooler's configuration only; no workstation ever holds it.
        CREATE ROLE console_gateway LOGIN;
    END IF;
EXCEPTION WHEN duplicate_object THEN
    NULL;  -- made by a concurrent init in another database
END
$$;

-- Open sessions: only the token's SHA-256 is kept, so a copy of this table signs nobody in.
CREATE TABLE IF NOT EXISTS api.sessions (
    token_sha256 bytea PRIMARY KEY,
    username text NOT NULL,
    opened_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_username ON api.sessions (username);

-- The person calling: the login itself, or, for the shared gateway login, the user whose open session
-- the transaction's console.session token names. A gateway call without a valid token is refused
-- (SQLSTATE 28000, which the workstation answers by opening a new session), never treated as nobody.
CREATE OR REPLACE FUNCTION api.person() RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_token text;
    v_username text;
BEGIN
    IF session_user <> 'console_gateway' THEN
        RETURN session_user::text;
    END IF;
    v_token := current_setting('console.session', true);
    IF v_token IS NULL OR v_token = '' THEN
        RAISE EXCEPTION 'no console session: a call through the pooler names its session'
            USING ERRCODE = 'invalid_authorization_specification';
    END IF;
    SELECT s.username INTO v_username FROM api.sessions s
     WHERE s.token_sha256 = sha256(convert_to(v_token, 'UTF8')) AND s.expires_at > now();
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the console session has expired or was ended: sign in again'
            USING ERRCODE = 'invalid_authorization_specification';
    END IF;
    RETURN v_username;
END
$$;

-- A new session for the person signed in with their own login: a token of 244 random bits (two
-- gen_random_uuid(), a strong random source) valid for 12 hours. The caller's expired sessions go.
CREATE OR REPLACE FUNCTION api.open_session() RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    who public.users;
    v_token text := replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
    v_expires timestamptz := now() + interval '12 hours';
BEGIN
    IF session_user = 'console_gateway' THEN
        RAISE EXCEPTION 'a console session is opened with the person''s own login, not through the pooler'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    who := api.caller();
    DELETE FROM api.sessions WHERE username = who.username AND expires_at <= now();
    INSERT INTO api.sessions (token_sha256, username, expires_at)
    VALUES (sha256(convert_to(v_token, 'UTF8')), who.username, v_expires);
    RETURN jsonb_build_object('token', v_token, 'expires_at', v_expires);
END
$$;

-- End the session a token names (signing out); true when there was one.
CREATE OR REPLACE FUNCTION api.end_session(p_token text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    DELETE FROM api.sessions WHERE token_sha256 = sha256(convert_to(p_token, 'UTF8'));
    RETURN FOUND;
END
$$;

-- The calling person's role and id, for the gateway's row-level security policies.
CREATE OR REPLACE FUNCTION api.person_user() RETURNS public.users
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT u.* FROM public.users u
     WHERE u.username = api.person() AND u.active AND pg_has_role(u.username, u.role::text, 'MEMBER')
$$;

REVOKE ALL ON FUNCTION api.person(), api.open_session(), api.end_session(text), api.person_user() FROM PUBLIC;
