-- The readiness check: field maps on layers, check runs with their findings, declared planning uses.

-- The uploader's explicit canonical -> source field map (layers/schemas); fields not in it are matched by alias.
ALTER TABLE layers ADD COLUMN field_map jsonb NOT NULL DEFAULT '{}';

CREATE TABLE check_runs (
    id               uuid PRIMARY KEY,
    city_id          text NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    status           text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    -- The PostgreSQL backend running the check: a 'running' run whose backend is gone was interrupted.
    backend_pid      integer,
    rule_set_version text NOT NULL,
    input_hash       text,
    engine_versions  text,
    steps_done       integer NOT NULL DEFAULT 0,
    steps_total      integer NOT NULL DEFAULT 0,
    current_step     text,
    finding_count    bigint NOT NULL DEFAULT 0,
    error            text,
    requested_by     text NOT NULL,
    -- What "the city" meant in this run (official boundary or union of wards), kept for maps and reports.
    boundary         geometry(MultiPolygon, 4326),
    score            jsonb,
    started_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz
);
CREATE INDEX check_runs_city_idx ON check_runs (city_id, started_at DESC);

CREATE TABLE findings (
    id                 bigserial PRIMARY KEY,
    run_id             uuid NOT NULL REFERENCES check_runs (id) ON DELETE CASCADE,
    rule               text NOT NULL,
    severity           text NOT NULL CHECK (severity IN ('gate', 'error', 'warning', 'info')),
    layer_id           bigint NOT NULL,
    feature_id         bigint,
    -- How people know the feature: its id attribute (ward_no, slum_id, polyno ...) or #feature_id.
    feature_label      text,
    related_feature_id bigint,
    detail             text NOT NULL,
    location           geometry(Geometry, 4326),
    -- The quantity behind the finding where one is scored by amount (m² of a thin gap).
    measure            double precision
);
CREATE INDEX findings_run_idx ON findings (run_id, layer_id, rule, severity);

-- B4 of the score: a plan, DPR or dashboard the city declares uses its layers. Declared, not measured.
CREATE TABLE planning_uses (
    id           bigserial PRIMARY KEY,
    city_id      text NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    title        text NOT NULL,
    document_url text NOT NULL,
    layers       text[] NOT NULL,
    declared_by  text NOT NULL,
    declared_at  timestamptz NOT NULL DEFAULT now()
);
