# Sourced by the benchmarks that need a dense polygon layer (tools/bench/tiles-dense, tools/bench/feeds):
# buildings_gpkg OUT PORT writes the million buildings of tools/bench/tiles.d/buildings.sql to the GeoPackage OUT,
# generating them in a scratch database (srbenchgen) of the PostgreSQL on PORT; kept when OUT exists (BENCH_RELOAD=1
# makes it again).
buildings_gpkg() {
  local out=$1 port=$2
  [ "${BENCH_RELOAD:-}" != 1 ] && [ -s "$out" ] && return 0
  echo "== generating 1,000,000 buildings" >&2
  psql -h 127.0.0.1 -p "$port" -U postgres -qtAX -c "DROP DATABASE IF EXISTS srbenchgen WITH (FORCE)" -c "CREATE DATABASE srbenchgen" postgres
  psql -h 127.0.0.1 -p "$port" -U postgres -qtAX -c "CREATE EXTENSION postgis" srbenchgen
  psql -h 127.0.0.1 -p "$port" -U postgres -qtAX -v ON_ERROR_STOP=1 -f "$root/tools/bench/tiles.d/buildings.sql" srbenchgen >/dev/null
  rm -f "$out"
  ogr2ogr -f GPKG "$out" "PG:host=127.0.0.1 port=$port dbname=srbenchgen user=postgres" -sql "SELECT * FROM buildings ORDER BY id" -nln buildings
  psql -h 127.0.0.1 -p "$port" -U postgres -qtAX -c "DROP DATABASE srbenchgen WITH (FORCE)" postgres
}
