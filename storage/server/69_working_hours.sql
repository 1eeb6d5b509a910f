-- Working hours on the server, as console/working_time.WorkingHours counts them: Monday to Friday,
-- opening to closing time in the zone's local time, skipping bank holidays. `server init` publishes
-- the console's calendar here (api.working_hours and the bank holidays of the years around now, from
-- the `holidays` library); these rows are only the first fill. handoff.create judges acknowledge_by by
-- api.working_add, so the server and the workstation agree to the microsecond.

CREATE TABLE IF NOT EXISTS api.working_hours (
    id integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    opens time NOT NULL,
    closes time NOT NULL,
    zone text NOT NULL,
    CHECK (closes > opens)
);
INSERT INTO api.working_hours (id, opens, closes, zone) VALUES (1, '08:00', '18:00', 'Europe/London')
ON CONFLICT (id) DO NOTHING;

CREATE TABLE IF NOT EXISTS api.bank_holidays (
    day date PRIMARY KEY,
    name text NOT NULL
);

CREATE OR REPLACE FUNCTION api.is_working_day(p_day date) RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT extract(isodow FROM p_day) < 6 AND NOT EXISTS (SELECT FROM api.bank_holidays WHERE day = p_day)
$$;

CREATE OR REPLACE FUNCTION api.next_working_day(p_day date) RETURNS date
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_day date := p_day + 1;
BEGIN
    FOR i IN 1..366 LOOP
        IF api.is_working_day(v_day) THEN
            RETURN v_day;
        END IF;
        v_day := v_day + 1;
    END LOOP;
    RAISE EXCEPTION 'no working day in the year after %', p_day USING ERRCODE = 'data_exception';
END
$$;

-- `p_duration` of working time after `p_at` (WorkingHours.add): a moment outside working hours
-- starts at the next opening; what is left at closing carries over to the next working day.
CREATE OR REPLACE FUNCTION api.working_add(p_at timestamptz, p_duration interval) RETURNS timestamptz
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    h api.working_hours;
    v_local timestamp;
    v_day date;
    v_left interval;
    v_remaining interval := p_duration;
BEGIN
    SELECT * INTO h FROM api.working_hours WHERE id = 1;
    v_local := p_at AT TIME ZONE h.zone;
    v_day := v_local::date;
    IF NOT api.is_working_day(v_day) OR v_local >= v_day + h.closes THEN
        v_day := api.next_working_day(v_day);
        v_local := v_day + h.opens;
    ELSIF v_local < v_day + h.opens THEN
        v_local := v_day + h.opens;
    END IF;
    LOOP
        -- Local wall-clock arithmetic: opening hours never span a clock change.
        v_left := (v_day + h.closes) - v_local;
        IF v_remaining <= v_left THEN
            RETURN (v_local + v_remaining) AT TIME ZONE h.zone;
        END IF;
        v_remaining := v_remaining - v_left;
        v_day := api.next_working_day(v_day);
        v_local := v_day + h.opens;
    END LOOP;
END
$$;
