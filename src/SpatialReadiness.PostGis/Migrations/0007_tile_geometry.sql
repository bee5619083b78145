-- Tile geometry made once per feature, when it is written, for the zooms where a tile holds a whole district or city
-- (6-14). ST_AsMVTGeom's validation (wagyu) is most of what a tile costs, so a feature lying wholly inside one tile at
-- zoom z keeps that tile's ST_AsMVTGeom result in tile_z{z}, and the tile serves it as stored. Features crossing a tile
-- edge, points (cheap without wagyu) and other zooms go through ST_AsMVTGeom per request.

-- Size of one MVT unit (1/4096 of a tile) at zoom z, in web-mercator metres.
CREATE FUNCTION tile_unit(z integer) RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN 40075016.68557849::double precision / (4096 * power(2::double precision, z));

-- The geometry a tile at zoom z draws, in EPSG:3857: below zoom 12 simplified to one unit (topology kept).
CREATE FUNCTION tile_generalised(geom_3857 geometry, z integer) RETURNS geometry LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN z < 12 THEN ST_Simplify(geom_3857, tile_unit(z), true) ELSE geom_3857 END;

-- What ST_AsMVTGeom makes of the feature in the one tile at zoom z that holds it wholly, or NULL: for points, for
-- features crossing a tile edge at that zoom, and for features too small to draw.
CREATE FUNCTION tile_geometry(geom geometry, z integer) RETURNS geometry LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    g geometry := ST_Transform(geom, 3857);
    half_world constant double precision := 20037508.342789244;
    tile_size double precision := 2 * half_world / power(2, z);
    x integer := floor((ST_XMin(g) + half_world) / tile_size);
    y integer := floor((half_world - ST_YMax(g)) / tile_size);
BEGIN
    IF g IS NULL OR ST_Dimension(g) = 0 OR x <> floor((ST_XMax(g) + half_world) / tile_size)
       OR y <> floor((half_world - ST_YMin(g)) / tile_size) THEN
        RETURN NULL;
    END IF;
    RETURN ST_AsMVTGeom(tile_generalised(g, z), ST_TileEnvelope(z, x, y), 4096, 64, true);
END $$;

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
