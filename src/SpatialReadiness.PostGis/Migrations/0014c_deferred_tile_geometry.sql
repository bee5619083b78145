-- Tile geometry (0007_tile_geometry.sql) is no longer made inside an import's COPY, where its nine ST_AsMVTGeom runs
-- per polygon held a million-building import to a fifth of ogr2ogr's speed. An import now commits its features with
-- tile_pending set and tile_z6 ... tile_z14 NULL; fill_tile_geometry fills them afterwards in batches (the server's
-- background fill, or srd import after its commit). Tiles stay correct meanwhile: a NULL tile_z{z} sends the feature
-- through the tile's live ST_AsMVTGeom with the same arguments the stored value was made with (PostGis/Tiles/TileLayer.cs),
-- so a tile made before, during or after the fill has the same bytes. Writes one feature at a time (edits,
-- contributions) keep making it as they are written, in the trigger below.
ALTER TABLE features
    ALTER COLUMN tile_z6 DROP EXPRESSION,
    ALTER COLUMN tile_z7 DROP EXPRESSION,
    ALTER COLUMN tile_z8 DROP EXPRESSION,
    ALTER COLUMN tile_z9 DROP EXPRESSION,
    ALTER COLUMN tile_z10 DROP EXPRESSION,
    ALTER COLUMN tile_z11 DROP EXPRESSION,
    ALTER COLUMN tile_z12 DROP EXPRESSION,
    ALTER COLUMN tile_z13 DROP EXPRESSION,
    ALTER COLUMN tile_z14 DROP EXPRESSION;

ALTER TABLE features ADD COLUMN tile_pending boolean;

-- Which layers still have features waiting for their tile geometry: the background fill's queue (survives a restart).
ALTER TABLE layers ADD COLUMN tile_geometry_pending boolean NOT NULL DEFAULT false;

CREATE FUNCTION features_tile_geometry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF GeometryType(NEW.geom) NOT IN ('POINT', 'MULTIPOINT') THEN
        NEW.tile_z6 := tile_geometry(NEW.geom, 6);
        NEW.tile_z7 := tile_geometry(NEW.geom, 7);
        NEW.tile_z8 := tile_geometry(NEW.geom, 8);
        NEW.tile_z9 := tile_geometry(NEW.geom, 9);
        NEW.tile_z10 := tile_geometry(NEW.geom, 10);
        NEW.tile_z11 := tile_geometry(NEW.geom, 11);
        NEW.tile_z12 := tile_geometry(NEW.geom, 12);
        NEW.tile_z13 := tile_geometry(NEW.geom, 13);
        NEW.tile_z14 := tile_geometry(NEW.geom, 14);
    ELSE
        NEW.tile_z6 := NULL;
        NEW.tile_z7 := NULL;
        NEW.tile_z8 := NULL;
        NEW.tile_z9 := NULL;
        NEW.tile_z10 := NULL;
        NEW.tile_z11 := NULL;
        NEW.tile_z12 := NULL;
        NEW.tile_z13 := NULL;
        NEW.tile_z14 := NULL;
    END IF;
    NEW.tile_pending := NULL;
    RETURN NEW;
END $$;

-- On the partitioned table, so every attached partition has it; a fresh import table is not attached during its COPY.
CREATE TRIGGER features_tile_geometry BEFORE INSERT OR UPDATE OF geom ON features
    FOR EACH ROW EXECUTE FUNCTION features_tile_geometry();

-- Fills the tile geometry of one layer's pending features with ids in [first, last); returns how many it filled.
-- A feature edited meanwhile is skipped (its trigger made it and cleared tile_pending).
CREATE FUNCTION fill_tile_geometry(layer bigint, first bigint, last bigint) RETURNS bigint LANGUAGE sql AS $$
    WITH filled AS (
        UPDATE features SET
        tile_z6 = CASE WHEN GeometryType(geom) NOT IN ('POINT', 'MULTIPOINT') THEN tile_geometry(geom, 6) END,
        tile_z7 = CASE WHEN GeometryType(geom) NOT IN ('POINT', 'MULTIPOINT') THEN tile_geometry(geom, 7) END,
        tile_z8 = CASE WHEN GeometryType(geom) NOT IN ('POINT', 'MULTIPOINT') THEN tile_geometry(geom, 8) END,
        tile_z9 = CASE WHEN GeometryType(geom) NOT IN ('POINT', 'MULTIPOINT') THEN tile_geometry(geom, 9) END,
        tile_z10 = CASE WHEN GeometryType(geom) NOT IN ('POINT', 'MULTIPOINT') THEN tile_geometry(geom, 10) END,
        tile_z11 = CASE WHEN GeometryType(geom) NOT IN ('POINT', 'MULTIPOINT') THEN tile_geometry(geom, 11) END,
        tile_z12 = CASE WHEN GeometryType(geom) NOT IN ('POINT', 'MULTIPOINT') THEN tile_geometry(geom, 12) END,
        tile_z13 = CASE WHEN GeometryType(geom) NOT IN ('POINT', 'MULTIPOINT') THEN tile_geometry(geom, 13) END,
        tile_z14 = CASE WHEN GeometryType(geom) NOT IN ('POINT', 'MULTIPOINT') THEN tile_geometry(geom, 14) END,
        tile_pending = NULL
        WHERE layer_id = layer AND id >= first AND id < last AND tile_pending
        RETURNING 1
    )
    SELECT count(*) FROM filled
$$;
