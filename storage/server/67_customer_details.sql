-- customer.change_details and customer.restore_detail: one customer detail set, the value it replaces
-- kept in public.customer_detail_changes (append-only) with who, when and why. The checks and their
-- words are console/details_rules.py's; tests/rules/detail_cases.py runs the same cases on both sides.

-- The value as stored, or a refusal in the console's words (values arrive normalised: E.164, the
-- printed postcode, yes/no).
CREATE OR REPLACE FUNCTION api.customer_detail_value(p_field text, p_value text) RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_text text := btrim(COALESCE(p_value, ''));
    v_words text := CASE p_field
        WHEN 'email' THEN 'email' WHEN 'address_line' THEN 'address' WHEN 'town' THEN 'town'
        WHEN 'postcode' THEN 'postcode' WHEN 'preferred_channel' THEN 'preferred channel'
        WHEN 'marketing_consent' THEN 'marketing consent' WHEN 'vulnerable' THEN 'vulnerability'
        WHEN 'vulnerability_note' THEN 'vulnerability note' WHEN 'mobile_phone' THEN 'mobile number'
        WHEN 'landline_phone' THEN 'landline number' WHEN 'work_phone' THEN 'work number' END;
    v_longest integer := CASE p_field
        WHEN 'email' THEN 254 WHEN 'town' THEN 100 WHEN 'vulnerability_note' THEN 2000 ELSE 200 END;
BEGIN
    IF v_words IS NULL THEN
        PERFORM api.refuse(format('%s is not a customer detail', p_field));
    END IF;
    IF length(v_text) > v_longest THEN
        PERFORM api.refuse(format('the %s is at most %s characters', v_words, to_char(v_longest, 'FM999,990')));
    END IF;
    IF p_field LIKE '%\_phone' THEN
        IF v_text = '' THEN
            PERFORM api.refuse('a phone number is replaced, not emptied: enter the new number');
        END IF;
        IF v_text !~ '^\+[1-9][0-9]{6,14}$' THEN
            PERFORM api.refuse(format('the %s is not a phone number', v_words));
        END IF;
    ELSIF p_field IN ('marketing_consent', 'vulnerable') THEN
        IF v_text NOT IN ('yes', 'no') THEN
            PERFORM api.refuse(format('the %s is yes or no', v_words));
        END IF;
    ELSIF p_field = 'preferred_channel' THEN
        IF v_text NOT IN ('phone', 'email', 'social', 'letter', 'chat', 'visit') THEN
            PERFORM api.refuse('choose a preferred channel');
        END IF;
    ELSIF p_field = 'postcode' THEN
        IF v_text !~ '^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$' THEN
            PERFORM api.refuse('the postcode is not a UK postcode');
        END IF;
    ELSIF p_field IN ('address_line', 'town') AND v_text = '' THEN
        PERFORM api.refuse(format('the %s cannot be empty', v_words));
    ELSIF p_field = 'email' AND v_text <> '' AND v_text !~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$' THEN
        PERFORM api.refuse('the email is not an email address');
    END IF;
    RETURN NULLIF(v_text, '');
END
$$;

CREATE OR REPLACE FUNCTION api.customer_detail_reason(p jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_reason text;
BEGIN
    IF p -> 'reason' IS NOT NULL AND jsonb_typeof(p -> 'reason') NOT IN ('string', 'null') THEN
        PERFORM api.refuse('reason must be text');
    END IF;
    v_reason := btrim(COALESCE(p ->> 'reason', ''));
    IF v_reason = '' THEN
        PERFORM api.refuse('give a reason for the change');
    END IF;
    IF length(v_reason) > 2000 THEN
        PERFORM api.refuse('the reason is at most 2,000 characters');
    END IF;
    RETURN v_reason;
END
$$;

-- A detail's current value, as console/storage/queries/customer_details.py reads it.
CREATE OR REPLACE FUNCTION api.customer_detail_now(p_customer public.customers, p_field text) RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE p_field
        WHEN 'email' THEN p_customer.email WHEN 'address_line' THEN p_customer.address_line
        WHEN 'town' THEN p_customer.town WHEN 'postcode' THEN p_customer.postcode
        WHEN 'vulnerability_note' THEN p_customer.vulnerability_note
        WHEN 'preferred_channel' THEN p_customer.preferred_channel::text
        WHEN 'marketing_consent' THEN CASE WHEN p_customer.marketing_consent THEN 'yes' ELSE 'no' END
        WHEN 'vulnerable' THEN CASE WHEN p_customer.vulnerable THEN 'yes' ELSE 'no' END
        ELSE (SELECT ph.e164 FROM public.customer_phones ph
              WHERE ph.customer_id = p_customer.id
                AND ph.kind = CASE p_field WHEN 'mobile_phone' THEN 'mobile' WHEN 'landline_phone' THEN 'landline'
                                           ELSE 'work' END
              ORDER BY ph.id LIMIT 1)
    END
$$;

-- Set one detail (checked) and keep the value it replaces; both rows recorded for the pull.
CREATE OR REPLACE FUNCTION api.customer_detail_set(
    who public.users, p_mutation_id uuid, p_id uuid, p_customer uuid, p_field text, p_value text, p_reason text,
    p_restores uuid, p_event uuid, p_at timestamptz
) RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_customer public.customers;
    v_old text;
    v_phone public.customer_phones;
    made public.customer_detail_changes;
    v_words text := CASE p_field
        WHEN 'address_line' THEN 'address' WHEN 'preferred_channel' THEN 'preferred channel'
        WHEN 'marketing_consent' THEN 'marketing consent' WHEN 'vulnerable' THEN 'vulnerability'
        WHEN 'vulnerability_note' THEN 'vulnerability note' WHEN 'mobile_phone' THEN 'mobile number'
        WHEN 'landline_phone' THEN 'landline number' WHEN 'work_phone' THEN 'work number' ELSE p_field END;
    v_subject text;
BEGIN
    SELECT * INTO made FROM public.customer_detail_changes WHERE id = p_id;
    IF FOUND THEN
        IF made.customer_id = p_customer AND made.field = p_field AND made.changed_by = who.id THEN
            RETURN jsonb_build_object('entity', 'customer_detail_change', 'entity_id', p_id, 'record', to_jsonb(made));
        END IF;
        PERFORM api.refuse('another detail change already has this id');
    END IF;
    SELECT * INTO v_customer FROM public.customers WHERE id = p_customer AND NOT deleted FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM api.refuse('no such customer');
    END IF;
    v_old := api.customer_detail_now(v_customer, p_field);
    IF p_field LIKE '%\_phone' THEN
        UPDATE public.customer_phones ph SET e164 = p_value
         WHERE ph.id = (SELECT x.id FROM public.customer_phones x WHERE x.customer_id = p_customer
                          AND x.kind = CASE p_field WHEN 'mobile_phone' THEN 'mobile'
                                                    WHEN 'landline_phone' THEN 'landline' ELSE 'work' END
                        ORDER BY x.id LIMIT 1)
        RETURNING * INTO v_phone;
        IF NOT FOUND THEN
            INSERT INTO public.customer_phones (id, customer_id, kind, e164, is_primary)
            VALUES (p_id, p_customer, CASE p_field WHEN 'mobile_phone' THEN 'mobile'
                                                   WHEN 'landline_phone' THEN 'landline' ELSE 'work' END,
                    p_value, false)
            RETURNING * INTO v_phone;
        END IF;
        PERFORM api.record_change('customer_phone', v_phone.id, p_customer, NULL, to_jsonb(v_phone), p_mutation_id);
    END IF;
    UPDATE public.customers c SET
        email = CASE WHEN p_field = 'email' THEN p_value ELSE c.email END,
        email_key = CASE WHEN p_field = 'email' THEN lower(p_value) ELSE c.email_key END,
        address_line = CASE WHEN p_field = 'address_line' THEN p_value ELSE c.address_line END,
        town = CASE WHEN p_field = 'town' THEN p_value ELSE c.town END,
        postcode = CASE WHEN p_field = 'postcode' THEN p_value ELSE c.postcode END,
        postcode_key = CASE WHEN p_field = 'postcode' THEN replace(p_value, ' ', '') ELSE c.postcode_key END,
        vulnerability_note = CASE WHEN p_field = 'vulnerability_note' THEN p_value ELSE c.vulnerability_note END,
        preferred_channel = CASE WHEN p_field = 'preferred_channel' THEN p_value ELSE c.preferred_channel END,
        marketing_consent = CASE WHEN p_field = 'marketing_consent' THEN p_value = 'yes' ELSE c.marketing_consent END,
        vulnerable = CASE WHEN p_field = 'vulnerable' THEN p_value = 'yes' ELSE c.vulnerable END,
        updated_at = now(), version = c.version + 1
     WHERE c.id = p_customer
    RETURNING * INTO v_customer;
    PERFORM api.record_change('customer', p_customer, p_customer, NULL, to_jsonb(v_customer), p_mutation_id);
    INSERT INTO public.customer_detail_changes (id, customer_id, field, old_value, new_value, reason, changed_by,
                                                changed_at, restores_id)
    VALUES (p_id, p_customer, p_field, v_old, p_value, p_reason, who.id, LEAST(p_at, now()), p_restores)
    RETURNING * INTO made;
    PERFORM api.record_change('customer_detail_change', p_id, p_customer, NULL, to_jsonb(made), p_mutation_id);
    v_subject := format('Details %s: %s %s → %s', CASE WHEN p_restores IS NULL THEN 'changed' ELSE 'restored' END,
                        v_words, COALESCE(v_old, '(none)'), COALESCE(p_value, '(none)'));
    PERFORM api.add_console_event(p_event, p_customer, NULL, who.id, made.changed_at, v_subject,
                                  format('%s. Reason: %s', v_subject, p_reason), p_mutation_id);
    RETURN jsonb_build_object('entity', 'customer_detail_change', 'entity_id', p_id, 'record', to_jsonb(made));
END
$$;

CREATE OR REPLACE FUNCTION api.customer_change_details(who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id uuid := api.uuid_field(p, 'id');
    v_customer uuid := api.uuid_field(p, 'customer_id');
    v_field text := api.choice_field(p, 'field', ARRAY['email', 'address_line', 'town', 'postcode',
        'preferred_channel', 'marketing_consent', 'vulnerable', 'vulnerability_note', 'mobile_phone',
        'landline_phone', 'work_phone']);
    v_reason text := api.customer_detail_reason(p);
    v_value text;
BEGIN
    IF p -> 'value' IS NOT NULL AND jsonb_typeof(p -> 'value') NOT IN ('string', 'null') THEN
        PERFORM api.refuse('value must be text');
    END IF;
    v_value := api.customer_detail_value(v_field, p ->> 'value');
    RETURN api.customer_detail_set(who, p_mutation_id, v_id, v_customer, v_field, v_value, v_reason, NULL,
                                   api.uuid_field(p, 'event_id', false), p_occurred_at);
END
$$;

CREATE OR REPLACE FUNCTION api.customer_restore_detail(who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id uuid := api.uuid_field(p, 'id');
    v_restores uuid := api.uuid_field(p, 'restores_id');
    v_reason text := api.customer_detail_reason(p);
    earlier public.customer_detail_changes;
BEGIN
    SELECT * INTO earlier FROM public.customer_detail_changes WHERE id = v_restores;
    IF NOT FOUND THEN
        PERFORM api.refuse('no such detail change');
    END IF;
    IF earlier.old_value IS NULL THEN
        PERFORM api.refuse('there is no earlier value to bring back');
    END IF;
    RETURN api.customer_detail_set(who, p_mutation_id, v_id, earlier.customer_id, earlier.field, earlier.old_value,
                                   v_reason, v_restores, api.uuid_field(p, 'event_id', false), p_occurred_at);
END
$$;

CREATE OR REPLACE FUNCTION api.name_field(p jsonb, p_key text, p_words text) RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_name text;
BEGIN
    IF p -> p_key IS NOT NULL AND jsonb_typeof(p -> p_key) NOT IN ('string', 'null') THEN
        PERFORM api.refuse(format('%s must be text', p_key));
    END IF;
    v_name := btrim(COALESCE(p ->> p_key, ''));
    IF v_name = '' THEN
        PERFORM api.refuse(format('give the customer''s %s', p_words));
    END IF;
    IF length(v_name) > 100 THEN
        PERFORM api.refuse(format('the %s is at most 100 characters', p_words));
    END IF;
    RETURN v_name;
END
$$;

-- customer.create: the workstation's provisional account number (P…) is replaced by the next number.
CREATE OR REPLACE FUNCTION api.customer_create(who public.users, p_mutation_id uuid, p jsonb, p_occurred_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id uuid := api.uuid_field(p, 'id');
    v_given text := api.name_field(p, 'given_name', 'given name');
    v_family text := api.name_field(p, 'family_name', 'family name');
    v_email text;
    v_address text;
    v_town text;
    v_postcode text;
    v_channel text;
    v_consent boolean;
    v_phone text;
    v_phone_id uuid := api.uuid_field(p, 'phone_id', false);
    v_reason text;
    v_account text;
    v_at timestamptz := LEAST(p_occurred_at, now());
    made public.customers;
    v_phone_row public.customer_phones;
BEGIN
    FOREACH v_email IN ARRAY ARRAY['email', 'address_line', 'town', 'postcode', 'preferred_channel', 'phone'] LOOP
        IF p -> v_email IS NOT NULL AND jsonb_typeof(p -> v_email) NOT IN ('string', 'null') THEN
            PERFORM api.refuse(format('%s must be text', v_email));
        END IF;
    END LOOP;
    v_email := api.customer_detail_value('email', p ->> 'email');
    v_address := api.customer_detail_value('address_line', p ->> 'address_line');
    v_town := api.customer_detail_value('town', p ->> 'town');
    v_postcode := api.customer_detail_value('postcode', p ->> 'postcode');
    v_channel := api.customer_detail_value('preferred_channel', p ->> 'preferred_channel');
    IF NULLIF(btrim(COALESCE(p ->> 'phone', '')), '') IS NOT NULL THEN
        v_phone := api.customer_detail_value('mobile_phone', p ->> 'phone');
    END IF;
    v_reason := api.customer_detail_reason(p);
    IF jsonb_typeof(p -> 'marketing_consent') IS DISTINCT FROM 'boolean' THEN
        PERFORM api.refuse('marketing_consent must be true/false');
    END IF;
    v_consent := (p ->> 'marketing_consent')::boolean;
    SELECT * INTO made FROM public.customers WHERE id = v_id;
    IF FOUND THEN
        IF made.given_name = v_given AND made.family_name = v_family THEN
            RETURN jsonb_build_object('entity', 'customer', 'entity_id', v_id, 'record', to_jsonb(made));
        END IF;
        PERFORM api.refuse('another customer already has this id');
    END IF;
    -- One new account number at a time (class 14): the next after the highest all-digit one.
    PERFORM pg_advisory_xact_lock(14, 0);
    SELECT lpad((COALESCE(max(account_number::bigint), 0) + 1)::text, 8, '0') INTO v_account
      FROM public.customers WHERE account_number ~ '^[0-9]{1,15}$';
    INSERT INTO public.customers (id, account_number, title, given_name, family_name, given_key, family_key, email,
        email_key, address_line, town, postcode, postcode_key, vulnerable, vulnerability_note, marketing_consent,
        preferred_channel, account_owner_id, customer_since, created_at, updated_at, version, deleted)
    VALUES (v_id, v_account, NULL, v_given, v_family, lower(v_given), lower(v_family), v_email, lower(v_email),
        v_address, v_town, v_postcode, replace(v_postcode, ' ', ''), false, NULL, v_consent, v_channel, NULL,
        (v_at AT TIME ZONE 'Europe/London')::date, v_at, v_at, 1, false)
    RETURNING * INTO made;
    PERFORM api.record_change('customer', v_id, v_id, NULL, to_jsonb(made), p_mutation_id);
    IF v_phone IS NOT NULL THEN
        INSERT INTO public.customer_phones (id, customer_id, kind, e164, is_primary)
        VALUES (COALESCE(v_phone_id, gen_random_uuid()), v_id,
                CASE WHEN v_phone LIKE '+447%' THEN 'mobile' ELSE 'landline' END, v_phone, true)
        RETURNING * INTO v_phone_row;
        PERFORM api.record_change('customer_phone', v_phone_row.id, v_id, NULL, to_jsonb(v_phone_row), p_mutation_id);
    END IF;
    PERFORM api.add_console_event(api.uuid_field(p, 'event_id', false), v_id, NULL, who.id, v_at,
        format('New customer: %s %s', v_given, v_family),
        format('New customer: %s %s. Reason: %s', v_given, v_family, v_reason), p_mutation_id);
    RETURN jsonb_build_object('entity', 'customer', 'entity_id', v_id, 'record', to_jsonb(made));
END
$$;
