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

-- What ST_AsMVTGeom makes of the feature in the one tile at zoom z that holds it wholly, or NULL: for features
-- crossing a tile edge at that zoom or lying off web mercator's square (a swapped row can put a shape above 85.05 N),
-- and for features too small to draw. PL/pgSQL: a SQL body ran a whole query per call (imports 10x slower). Its calls
-- name their schemas, because pg_restore empties search_path when it recomputes the columns; a SET search_path on the
-- function would cost a third of its time.
DO $do$
BEGIN
    EXECUTE format($sql$
        CREATE FUNCTION tile_geometry(geom %1$s.geometry, z integer) RETURNS %1$s.geometry
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
        DECLARE
            g %1$s.geometry := %1$s.ST_Transform(geom, 3857);
            half_world constant double precision := 20037508.342789244;
            tile_size constant double precision := 2 * half_world / power(2, z);
            x double precision := floor((%1$s.ST_XMin(g) + half_world) / tile_size);
            y double precision := floor((half_world - %1$s.ST_YMax(g)) / tile_size);
        BEGIN
            IF %1$s.ST_Dimension(g) = 0 OR x <> floor((%1$s.ST_XMax(g) + half_world) / tile_size)
               OR y <> floor((half_world - %1$s.ST_YMin(g)) / tile_size)
               OR x < 0 OR y < 0 OR x >= power(2, z) OR y >= power(2, z) THEN
                RETURN NULL;
            END IF;
            RETURN %1$s.ST_AsMVTGeom(%2$s.tile_generalised(g, z), %1$s.ST_TileEnvelope(z, x::integer, y::integer), 4096, 64, true);
        END $$
        $sql$, (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'postgis'), quote_ident(current_schema()));
END $do$;

-- A feature row with its tile geometry is 2-4 KB: keep rows up to 8 KB whole in the page. PostgreSQL's default (2 KB)
-- would compress geometry in the row, and every feed and tile read would pay to decompress it.
DO $$
DECLARE partition regclass;
BEGIN
    FOR partition IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'features'::regclass LOOP
        EXECUTE format('ALTER TABLE %s SET (toast_tuple_target = 8160)', partition);
    END LOOP;
END $$;

-- Points skip the call (they keep no tile geometry): GeometryType reads only the geometry's header.
ALTER TABLE features
    ADD COLUMN tile_z6 geometry GENERATED ALWAYS AS (CASE WHEN GeometryType(geom) NOT IN ('POINT', 'MULTIPOINT') THEN tile_geometry(geom, 6) END) STORED,
    ADD COLUMN tile_z7 geometry GENERATED ALWAYS AS (CASE WHEN GeometryType(geom) NOT IN ('POINT', 'MULTIPOINT') THEN tile_geometry(geom, 7) END) STORED,
    ADD COLUMN tile_z8 geometry GENERATED ALWAYS AS (CASE WHEN GeometryType(geom) NOT IN ('POINT', 'MULTIPOINT') THEN tile_geometry(geom, 8) END) STORED,
    ADD COLUMN tile_z9 geometry GENERATED ALWAYS AS (CASE WHEN GeometryType(geom) NOT IN ('POINT', 'MULTIPOINT') THEN tile_geometry(geom, 9) END) STORED,
    ADD COLUMN tile_z10 geometry GENERATED ALWAYS AS (CASE WHEN GeometryType(geom) NOT IN ('POINT', 'MULTIPOINT') THEN tile_geometry(geom, 10) END) STORED,
    ADD COLUMN tile_z11 geometry GENERATED ALWAYS AS (CASE WHEN GeometryType(geom) NOT IN ('POINT', 'MULTIPOINT') THEN tile_geometry(geom, 11) END) STORED,
    ADD COLUMN tile_z12 geometry GENERATED ALWAYS AS (CASE WHEN GeometryType(geom) NOT IN ('POINT', 'MULTIPOINT') THEN tile_geometry(geom, 12) END) STORED,
    ADD COLUMN tile_z13 geometry GENERATED ALWAYS AS (CASE WHEN GeometryType(geom) NOT IN ('POINT', 'MULTIPOINT') THEN tile_geometry(geom, 13) END) STORED,
    ADD COLUMN tile_z14 geometry GENERATED ALWAYS AS (CASE WHEN GeometryType(geom) NOT IN ('POINT', 'MULTIPOINT') THEN tile_geometry(geom, 14) END) STORED;
