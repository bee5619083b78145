-- One label point per polygon, made once when the feature is written: ST_PointOnSurface of its EPSG:3857 shape (for a
-- multipolygon, inside its largest part). A tile carries it, in the MVT layer "{layer}_labels", only when the point lies
-- in that tile (half-open edges), so a ward is named once, not once per tile it crosses. NULL for points and lines, and
-- for a shape GEOS cannot find a point in (an invalid geometry is stored as received: the import must not fail on it).
-- Calls name their schemas, as in 0007_tile_geometry.sql, because pg_restore empties search_path.
DO $do$
BEGIN
    EXECUTE format($sql$
        CREATE FUNCTION label_point(geom %1$s.geometry) RETURNS %1$s.geometry
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
        BEGIN
            RETURN %1$s.ST_PointOnSurface(%1$s.ST_Transform(geom, 3857));
        EXCEPTION WHEN OTHERS THEN
            RETURN NULL;
        END $$
        $sql$, (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'postgis'));
END $do$;

ALTER TABLE features
    ADD COLUMN label_3857 geometry GENERATED ALWAYS AS (CASE WHEN GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON') THEN label_point(geom) END) STORED;
