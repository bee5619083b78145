-- An import or check run whose database connection ended under it (the backend terminated, PostgreSQL restarted)
-- is 'interrupted', with the reason in error: nothing of it was kept, and running it again is safe.
ALTER TABLE import_jobs DROP CONSTRAINT IF EXISTS import_jobs_status_check;
ALTER TABLE import_jobs ADD CONSTRAINT import_jobs_status_check CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled', 'interrupted'));
ALTER TABLE check_runs DROP CONSTRAINT IF EXISTS check_runs_status_check;
ALTER TABLE check_runs ADD CONSTRAINT check_runs_status_check CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'interrupted'));
