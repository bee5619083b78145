-- What was wrong with a feature's geometry as the file wrote it (a ring left open, too few points) and how the
-- import made it storable. Null when the geometry was stored as written. GEOM_INVALID reports it; such a feature
-- counts as invalid whatever its repaired shape.
ALTER TABLE features ADD COLUMN geometry_note text;

-- A layer's extent is that of its features lying in India (68.1-97.5 E, 6.5-37.1 N): outliers (0,0, a swapped row)
-- are findings, not extent. Imports compute it so from now on; this brings stored layers in line.
UPDATE layers l SET min_lon = e.min_lon, min_lat = e.min_lat, max_lon = e.max_lon, max_lat = e.max_lat
FROM (
    SELECT f.layer_id, ST_XMin(ST_Extent(f.geom)) AS min_lon, ST_YMin(ST_Extent(f.geom)) AS min_lat,
           ST_XMax(ST_Extent(f.geom)) AS max_lon, ST_YMax(ST_Extent(f.geom)) AS max_lat
    FROM features f
    WHERE f.geom @ ST_MakeEnvelope(68.1, 6.5, 97.5, 37.1, 4326)
    GROUP BY f.layer_id
) e
WHERE e.layer_id = l.id;
