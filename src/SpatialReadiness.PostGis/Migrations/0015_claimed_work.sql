-- Import jobs and check runs name the backend that runs them by pid and start time: a pid alone may be reused (by
-- another backend later, or on a new primary after a failover), which would keep a dead run looking alive.
ALTER TABLE import_jobs ADD COLUMN backend_start timestamptz;
ALTER TABLE check_runs ADD COLUMN backend_start timestamptz;
CREATE INDEX check_runs_queued ON check_runs (started_at) WHERE status IN ('queued', 'running');

-- Whether the backend that claimed a piece of work is still connected (a server that died takes its backends with it).
CREATE FUNCTION sr_backend_alive(p_pid integer, p_start timestamptz) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a WHERE a.pid = p_pid AND (p_start IS NULL OR a.backend_start = p_start))
$$;
