-- A layer kind for the exclusion zones a city declares (cantonment, airport, lake: land outside ward administration),
-- each polygon with its reason. Holes in the ward coverage such a layer covers are not gaps (GAP_SLIVER, COVERAGE_GAP).
ALTER TABLE layers DROP CONSTRAINT layers_kind_check;
ALTER TABLE layers ADD CONSTRAINT layers_kind_check CHECK (kind IN ('ward', 'slum', 'asset', 'boundary', 'exclusion', 'other'));
