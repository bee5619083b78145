-- Density cells for the low-zoom tiles of dense layers (TileLayer.DenseFromFeatures): at those zooms a footprint is
-- smaller than a pixel, so a tile draws how many features lie in each cell of a grid instead (docs/api/tiles.md).
-- The grid is fixed: 64 cells a side in a z12 tile (262,144 a side of the world, 153 m at the equator); a coarser
-- zoom adds its cells up, so every tile at zooms 6-12 has at most 64 x 64 cells. A feature counts in the cell of its
-- box's centre. Rows are made for one layer version at a time, on the first low-zoom tile that needs them.
CREATE TABLE tile_density (
    layer_id    bigint NOT NULL REFERENCES layers (id) ON DELETE CASCADE,
    version     integer NOT NULL,
    cell_x      integer NOT NULL,
    cell_y      integer NOT NULL,
    features    integer NOT NULL,
    PRIMARY KEY (layer_id, version, cell_x, cell_y)
);

-- Makes the cells of the layer's current version unless they exist, dropping older versions' cells. One statement
-- reads the version and the features, so both come from one snapshot; the advisory lock keeps two servers (or two
-- requests) from counting the same version at once. Returns the version the cells are for.
CREATE FUNCTION tile_density_build(layer bigint) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    current_version integer;
BEGIN
    PERFORM pg_advisory_xact_lock(2014, layer::integer);
    SELECT version INTO current_version FROM layers WHERE id = layer;
    IF current_version IS NULL OR EXISTS (SELECT 1 FROM tile_density WHERE layer_id = layer AND version = current_version) THEN
        RETURN current_version;
    END IF;
    DELETE FROM tile_density WHERE layer_id = layer;
    INSERT INTO tile_density (layer_id, version, cell_x, cell_y, features)
    SELECT layer, (SELECT version FROM layers WHERE id = layer), cell_x, cell_y, count(*)
    FROM (
        SELECT floor(((ST_XMin(geom_3857) + ST_XMax(geom_3857)) / 2 + 20037508.342789244) / (40075016.68557849 / 262144))::integer AS cell_x,
               floor((20037508.342789244 - (ST_YMin(geom_3857) + ST_YMax(geom_3857)) / 2) / (40075016.68557849 / 262144))::integer AS cell_y
        FROM features
        WHERE layer_id = layer AND geom_3857 IS NOT NULL AND NOT ST_IsEmpty(geom_3857)
    ) c
    GROUP BY cell_x, cell_y;
    RETURN current_version;
END $$;
