-- Tile geometry made once per feature, when it is written, for the zooms where a tile holds a whole district or city
-- (6-14). ST_AsMVTGeom's validation (wagyu) is most of what a tile costs, and it gives the same answer in every tile
-- for a feature that needs no clipping: so each feature keeps, per zoom, its ST_AsMVTGeom result in that zoom's
-- world grid (4096 units per tile, y down). A tile then only shifts the features lying wholly inside its buffered
-- box, and runs ST_AsMVTGeom for those crossing its edge, at zooms above 14 and on points (cheap without wagyu).

-- Size of one MVT unit (1/4096 of a tile) at zoom z, in web-mercator metres.
CREATE FUNCTION tile_unit(z integer) RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN 40075016.68557849::double precision / (4096 * power(2::double precision, z));

-- The geometry a tile at zoom z draws, in EPSG:3857: below zoom 12 simplified to one unit (topology kept).
CREATE FUNCTION tile_generalised(geom_3857 geometry, z integer) RETURNS geometry LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN z < 12 THEN ST_Simplify(geom_3857, tile_unit(z), true) ELSE geom_3857 END;

-- ST_AsMVTGeom of a feature in zoom z's world grid, or NULL for points (no wagyu to save) and features too small to draw.
CREATE FUNCTION tile_geometry(geom geometry, z integer) RETURNS geometry LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN ST_Dimension(geom) > 0
                THEN ST_AsMVTGeom(tile_generalised(ST_Transform(geom, 3857), z), ST_TileEnvelope(0, 0, 0), 4096 << z, 0, false) END;

-- A feature row with its tile geometry is 2-4 KB: keep such rows whole in the page. PostgreSQL's default (2 KB)
-- would compress geometry in the row, and every feed and tile read would pay to decompress it.
DO $$
DECLARE partition regclass;
BEGIN
    FOR partition IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'features'::regclass LOOP
        EXECUTE format('ALTER TABLE %s SET (toast_tuple_target = 8160)', partition);
    END LOOP;
END $$;

ALTER TABLE features
    ADD COLUMN tile_z6 geometry GENERATED ALWAYS AS (tile_geometry(geom, 6)) STORED,
    ADD COLUMN tile_z7 geometry GENERATED ALWAYS AS (tile_geometry(geom, 7)) STORED,
    ADD COLUMN tile_z8 geometry GENERATED ALWAYS AS (tile_geometry(geom, 8)) STORED,
    ADD COLUMN tile_z9 geometry GENERATED ALWAYS AS (tile_geometry(geom, 9)) STORED,
    ADD COLUMN tile_z10 geometry GENERATED ALWAYS AS (tile_geometry(geom, 10)) STORED,
    ADD COLUMN tile_z11 geometry GENERATED ALWAYS AS (tile_geometry(geom, 11)) STORED,
    ADD COLUMN tile_z12 geometry GENERATED ALWAYS AS (tile_geometry(geom, 12)) STORED,
    ADD COLUMN tile_z13 geometry GENERATED ALWAYS AS (tile_geometry(geom, 13)) STORED,
    ADD COLUMN tile_z14 geometry GENERATED ALWAYS AS (tile_geometry(geom, 14)) STORED;
