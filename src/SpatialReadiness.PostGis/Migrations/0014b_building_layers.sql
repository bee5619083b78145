-- A layer kind for building footprints (property-tax surveys, open footprint data): a million polygons in a large city.
ALTER TABLE layers DROP CONSTRAINT layers_kind_check;
ALTER TABLE layers ADD CONSTRAINT layers_kind_check CHECK (kind IN ('ward', 'slum', 'asset', 'boundary', 'exclusion', 'building', 'other'));
