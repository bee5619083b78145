-- Findings are rendered for their reader (Readiness/FindingView.cs): each records which of its layer's fields its
-- detail and location were built from, and which field its label is, so a reader who may not see a field never sees
-- a value of it. NULL fields means "unknown": treated as built from every field (findings stored before this).
ALTER TABLE findings ADD COLUMN fields text[];
ALTER TABLE findings ADD COLUMN label_field text;
ALTER TABLE findings ADD COLUMN location_from_fields boolean NOT NULL DEFAULT false;
ALTER TABLE contribution_findings ADD COLUMN fields text[];
ALTER TABLE contribution_findings ADD COLUMN location_from_fields boolean NOT NULL DEFAULT false;

-- Ownership: every city may have a default owner organisation (its GIS cell). Imports that name no owner (srd import,
-- an admin's upload) give the layer to it; a layer no organisation owns is moderated by admins only.
ALTER TABLE cities ADD COLUMN owner_id text REFERENCES organisations (id);
