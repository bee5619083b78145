# Sourced by the benchmarks that need a dense polygon layer (tools/bench/tiles-dense): buildings_file DIR writes the
# synthetic city's 1,000,000 building footprints (srd demo --synthetic --buildings, --files-only) to DIR/buildings.geojson
# and prints that path; kept when it exists (BENCH_RELOAD=1 makes it again). Needs srd (defined by the caller).
buildings_file() {
  local dir=$1
  if [ "${BENCH_RELOAD:-}" = 1 ] || [ ! -s "$dir/buildings.geojson" ]; then
    echo "== generating 1,000,000 buildings" >&2
    srd demo --synthetic --city benchpur --wards 300 --slums 10 --assets 10 --buildings 1000000 --dir "$dir" --files-only >&2
  fi
  echo "$dir/buildings.geojson"
}
