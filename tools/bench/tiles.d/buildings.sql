-- The dense layer of tools/bench/tiles-dense until `srd demo --synthetic` grows one: 1,000,000 building footprints of
-- 4-8 vertices (about 6-12 m across) on a 17 m grid, 17 x 17 km around Pune (about 3,500 a square kilometre, so a z14
-- tile holds about 20,000 and a z12 tile about 300,000), with a use and a number of floors. Deterministic (setseed).
DROP TABLE IF EXISTS buildings;
SELECT setseed(0.2);
CREATE TABLE buildings AS
WITH c AS (
  SELECT i * 1000 + j AS id, 73.77 + i * 0.000161 + (random() - 0.5) * 0.00005 AS cx, 18.44 + j * 0.000153 + (random() - 0.5) * 0.00005 AS cy,
         4 + floor(random() * 5)::int AS nv, 0.00003 + random() * 0.00003 AS r
  FROM generate_series(0, 999) i, generate_series(0, 999) j
), v AS (
  SELECT id, k, ST_MakePoint(cx + r * cos(2 * pi() * k / nv + 0.3), cy + r * 0.95 * sin(2 * pi() * k / nv + 0.3)) AS p
  FROM c, generate_series(0, 11) k WHERE k < nv
)
SELECT id, 'b' || id AS building_id, (ARRAY['residential','commercial','industrial','public'])[1 + id % 4] AS use, 1 + id % 5 AS floors,
       ST_SetSRID(ST_MakePolygon(ST_AddPoint(ST_MakeLine(array_agg(p ORDER BY k)), (array_agg(p ORDER BY k))[1])), 4326) AS geom
FROM v GROUP BY id;
