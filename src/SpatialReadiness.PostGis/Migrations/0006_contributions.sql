-- Contributions with review, feature versions and their history.

-- Every feature has a version: 1 as imported, bumped by each accepted change.
ALTER TABLE features ADD COLUMN version integer NOT NULL DEFAULT 1;

CREATE TABLE contributions (
    id               bigserial PRIMARY KEY,
    layer_id         bigint NOT NULL REFERENCES layers (id) ON DELETE CASCADE,
    author_id        bigint NOT NULL REFERENCES users (id),
    organisation_id  text REFERENCES organisations (id),
    channel          text NOT NULL CHECK (channel IN ('api', 'upload', 'ogc', 'revert')),
    licence          text NOT NULL,
    comment          text NOT NULL DEFAULT '',
    -- The file or request it came from, with the body's hash and size (provenance, as imports keep).
    source           text,
    source_sha256    text CHECK (source_sha256 ~ '^[0-9a-f]{64}$'),
    source_bytes     bigint,
    reverts          bigint REFERENCES contributions (id),
    state            text NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected', 'conflicted')),
    reviewer_id      bigint REFERENCES users (id),
    review_note      text,
    reviewed_at      timestamptz,
    -- The layer version its acceptance made.
    layer_version    integer,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contributions_queue_idx ON contributions (state, layer_id, created_at);
CREATE INDEX contributions_author_idx ON contributions (author_id, created_at DESC);

-- One row per feature a contribution changes: the feature as the contributor saw it (base) and as proposed.
CREATE TABLE contribution_changes (
    contribution_id  bigint NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
    ordinal          integer NOT NULL,
    action           text NOT NULL CHECK (action IN ('create', 'modify', 'delete')),
    feature_id       bigint,
    base_version     integer,
    base_attributes  jsonb,
    base_geom        geometry(Geometry, 4326),
    attributes       jsonb,
    geom             geometry(Geometry, 4326),
    -- The version acceptance made (and, for a create, the feature_id it got).
    version          integer,
    PRIMARY KEY (contribution_id, ordinal),
    CHECK ((action = 'create') = (base_version IS NULL)),
    CHECK ((action = 'delete') = (attributes IS NULL))
);
CREATE INDEX contribution_changes_feature_idx ON contribution_changes (feature_id);

-- The 4.e findings about the proposed features, found on arrival.
CREATE TABLE contribution_findings (
    contribution_id  bigint NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
    ordinal          integer NOT NULL,
    rule             text NOT NULL,
    severity         text NOT NULL CHECK (severity IN ('gate', 'error', 'warning', 'info')),
    detail           text NOT NULL,
    location         geometry(Geometry, 4326)
);
CREATE INDEX contribution_findings_idx ON contribution_findings (contribution_id, ordinal);

-- Append-only history: every version of every feature a contribution changed, the version it replaced (as imported,
-- contribution_id NULL) included. A feature never changed since its import has its one version in features only.
CREATE TABLE feature_versions (
    layer_id         bigint NOT NULL REFERENCES layers (id) ON DELETE CASCADE,
    feature_id       bigint NOT NULL,
    version          integer NOT NULL,
    deleted          boolean NOT NULL DEFAULT false,
    attributes       jsonb,
    geom             geometry(Geometry, 4326),
    contribution_id  bigint REFERENCES contributions (id),
    created_by       text NOT NULL,
    organisation     text,
    created_at       timestamptz NOT NULL,
    PRIMARY KEY (feature_id, version),
    CHECK (deleted = (attributes IS NULL))
);
CREATE INDEX feature_versions_layer_idx ON feature_versions (layer_id, feature_id);
