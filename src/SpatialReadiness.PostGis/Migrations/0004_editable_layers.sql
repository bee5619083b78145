-- Layers whose features may be created, replaced, updated and deleted over OGC API - Features (Part 4). Off by
-- default: an imported layer is a record of what its custodian published, and editing it must be a choice.
ALTER TABLE layers ADD COLUMN editable boolean NOT NULL DEFAULT false;
