-- Cities, layers with provenance, features (one partition per layer), import jobs.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE cities (
    id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name        text NOT NULL,
    state       text,
    boundary    geometry(MultiPolygon, 4326),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE layers (
    id              bigserial PRIMARY KEY,
    city_id         text NOT NULL REFERENCES cities (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    kind            text NOT NULL CHECK (kind IN ('ward', 'slum', 'asset', 'boundary', 'other')),
    title           text NOT NULL,
    description     text,
    licence         text NOT NULL,
    source          text,
    custodian       text,
    survey_date     date,
    sensitive       boolean NOT NULL DEFAULT false,
    version         integer NOT NULL,
    format          text NOT NULL,
    crs_received    text NOT NULL,
    feature_count   bigint NOT NULL,
    invalid_count   bigint NOT NULL,
    empty_count     bigint NOT NULL,
    fields          text[] NOT NULL,
    min_lon double precision, min_lat double precision, max_lon double precision, max_lat double precision,
    source_file     text NOT NULL,
    source_sha256   text NOT NULL CHECK (source_sha256 ~ '^[0-9a-f]{64}$'),
    source_bytes    bigint NOT NULL,
    imported_by     text NOT NULL,
    organisation    text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (city_id, name)
);

-- Every import that committed, newest last: who brought which file under which licence.
CREATE TABLE layer_versions (
    layer_id        bigint NOT NULL REFERENCES layers (id) ON DELETE CASCADE,
    version         integer NOT NULL,
    licence         text NOT NULL,
    source_file     text NOT NULL,
    source_sha256   text NOT NULL,
    source_bytes    bigint NOT NULL,
    format          text NOT NULL,
    crs_received    text NOT NULL,
    feature_count   bigint NOT NULL,
    imported_by     text NOT NULL,
    organisation    text,
    imported_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (layer_id, version)
);

CREATE SEQUENCE feature_id_seq;

-- Partitioned by layer: an import loads a fresh table without indexes, then attaches it in the same transaction,
-- replacing the previous version's partition only when the new one commits.
CREATE TABLE features (
    id          bigint NOT NULL DEFAULT nextval('feature_id_seq'),
    layer_id    bigint NOT NULL,
    ordinal     bigint NOT NULL,
    source_id   text,
    attributes  jsonb NOT NULL,
    geom        geometry(Geometry, 4326),
    -- Kept for tiles so no request transforms geometry.
    geom_3857   geometry(Geometry, 3857) GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED,
    PRIMARY KEY (layer_id, id)
) PARTITION BY LIST (layer_id);

CREATE INDEX features_geom_idx ON features USING gist (geom);
CREATE INDEX features_geom_3857_idx ON features USING gist (geom_3857);

CREATE TABLE import_jobs (
    id              uuid PRIMARY KEY,
    city_id         text NOT NULL,
    layer_name      text NOT NULL,
    file_name       text NOT NULL,
    status          text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled')),
    -- The PostgreSQL backend running the import: a 'running' job whose backend is gone was interrupted.
    backend_pid     integer,
    features_read   bigint NOT NULL DEFAULT 0,
    layer_id        bigint,
    version         integer,
    error_code      text,
    error           text,
    requested_by    text NOT NULL,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);
