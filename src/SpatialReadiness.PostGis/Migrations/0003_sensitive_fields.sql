-- Fields of a layer that may describe households (names, phone numbers, house numbers, DIGIPIN): kept in the store
-- for the check, never served by tiles, feeds or exports to callers without the right role.
ALTER TABLE layers ADD COLUMN sensitive_fields text[] NOT NULL DEFAULT '{}';

-- Feeds read attributes as text and compare them as the client's literal: these turn text into a number, a boolean or
-- a time, and anything that is not one into NULL (never an error), so "population gt 1000" skips "n/a".
CREATE FUNCTION sr_number(value text) RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN value ~ '^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d{1,3})?\s*$' THEN value::numeric END
$$;

CREATE FUNCTION sr_boolean(value text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE lower(btrim(value)) WHEN 'true' THEN true WHEN 't' THEN true WHEN 'yes' THEN true WHEN '1' THEN true
                                    WHEN 'false' THEN false WHEN 'f' THEN false WHEN 'no' THEN false WHEN '0' THEN false END
$$;

CREATE FUNCTION sr_timestamp(value text) RETURNS timestamptz LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    IF value !~ '^\s*\d{4}-\d{2}-\d{2}' THEN RETURN NULL; END IF;
    RETURN value::timestamptz;
EXCEPTION WHEN others THEN
    RETURN NULL;
END
$$;
