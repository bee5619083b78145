-- Sign-in throttles and write limits counted in PostgreSQL, so every server over the database sees the same counts.
-- Unlogged: no WAL, so counting costs no replication round trip; after a crash or a failover the counts start again
-- from zero (a few more guesses for whoever was being throttled at that moment; documented in docs/deployment.md).
CREATE UNLOGGED TABLE limit_events (
    key text NOT NULL,
    at timestamptz NOT NULL
);
CREATE INDEX limit_events_key_at ON limit_events (key, at DESC);
CREATE INDEX limit_events_at ON limit_events (at);

-- How long until fewer than p_limit events of p_key remain within p_window (the database's clock, one for every
-- server); null when fewer already.
CREATE FUNCTION sr_limit_wait(p_key text, p_limit integer, p_window interval) RETURNS interval
LANGUAGE sql STABLE AS $$
    SELECT e.at + p_window - clock_timestamp()
    FROM public.limit_events e
    WHERE e.key = p_key AND e.at > clock_timestamp() - p_window
    ORDER BY e.at DESC OFFSET p_limit - 1 LIMIT 1
$$;

-- Takes one of p_key's p_limit events per p_window: records it and returns null, or returns how long to wait and
-- records nothing. Serialised per key (an advisory lock until commit), so two servers cannot both take the last one.
CREATE FUNCTION sr_limit_take(p_key text, p_limit integer, p_window interval) RETURNS interval
LANGUAGE plpgsql AS $$
DECLARE
    wait interval;
BEGIN
    -- Losing a count to a crash is harmless: do not wait for the synchronous replica (the table is unlogged anyway).
    PERFORM set_config('synchronous_commit', 'local', true);
    PERFORM pg_advisory_xact_lock(hashtextextended('sr_limit ' || p_key, 0));
    wait := public.sr_limit_wait(p_key, p_limit, p_window);
    IF wait IS NULL THEN
        INSERT INTO public.limit_events (key, at) VALUES (p_key, clock_timestamp());
    END IF;
    RETURN wait;
END
$$;
