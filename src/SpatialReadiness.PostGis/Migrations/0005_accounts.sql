-- Accounts: organisations (a city GIS cell, an NGO), users with one role each, API keys stored as hashes, and the
-- organisation that owns each layer (its members may read the layer's sensitive data; its moderators review it).

CREATE TABLE organisations (
    id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name        text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('city', 'ngo', 'other')),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id               bigserial PRIMARY KEY,
    name             text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    display_name     text,
    role             text NOT NULL CHECK (role IN ('viewer', 'contributor', 'moderator', 'admin')),
    organisation_id  text REFERENCES organisations (id),
    -- PBKDF2-HMAC-SHA512 (Core/Accounts/Passwords); NULL: the user signs in with API keys only.
    password_hash    text,
    -- Changed with the password, role or organisation: sign-in cookies issued before it are refused.
    security_stamp   uuid NOT NULL DEFAULT gen_random_uuid(),
    disabled         boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (role <> 'contributor' OR organisation_id IS NOT NULL)
);

-- Only the SHA-256 of a key is kept; the key itself is shown once, when issued.
CREATE TABLE api_keys (
    id            bigserial PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    label         text NOT NULL,
    prefix        text NOT NULL,
    sha256        text NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id);

ALTER TABLE layers ADD COLUMN owner_id text REFERENCES organisations (id);

-- What made each layer version: an import, an edit (an accepted contribution), or a change of what is sensitive.
ALTER TABLE layer_versions ADD COLUMN change text NOT NULL DEFAULT 'import' CHECK (change IN ('import', 'edit', 'access'));
UPDATE layer_versions SET change = 'edit' WHERE format = 'OGC API - Features';
