# Sourced by tools/bench/tiles and tools/bench/tiles-dense after servers.sh: rows of tiles measured in interleaved
# rounds over five columns, (a) the raw floor under pgbench, (b) MapServer, (c) our server uncached, (d) cached,
# (e) the do-nothing endpoint; printed as two tables, throughput and CPU per request, each value the median over
# rounds with its range, each ratio the median of the ratios within rounds.
declare -a rows=() row_data=() row_tile=() row_path=() row_floor=() row_ms=() row_bytes=()
declare -A got=()
noop=http://127.0.0.1:5091/health/live # the do-nothing endpoint, served by the cached server

# DATA Z X Y OUR_PATH RAW_TABLE(in the peer's database, or - for no floor) MAPSERVER_URL(or -)
add_row() {
  local i=${#rows[@]} data=$1 z=$2 x=$3 y=$4 path=$5 raw=$6 ms=$7
  rows+=("$i"); row_data[$i]=$data; row_tile[$i]="$z/$x/$y"; row_path[$i]=$path; row_ms[$i]=$ms
  row_bytes[$i]=$(curl -s "http://127.0.0.1:5092$path" | wc -c)
  row_floor[$i]=-
  [ "$raw" != - ] || return 0
  local fields; fields=$(peer_q -c "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = '$raw' AND udt_name <> 'geometry'" tiles)
  row_floor[$i]="$work/floor-$i.sql"
  cat > "${row_floor[$i]}" <<SQL
SELECT ST_AsMVT(tile, '$raw', 4096, 'geom', 'id') FROM (SELECT ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope($z, $x, $y), 4096, 64, true) AS geom, $fields FROM public.$raw WHERE geom && ST_Expand(ST_Transform(ST_TileEnvelope($z, $x, $y), 4326), (64.0 / 4096 * 360.0) / 2^$z)) AS tile;
SQL
}

record() { # KEY "rps p99 cpu"
  set -- "$1" $2
  got[$1.rps]+="$2 "; got[$1.p99]+="$3 "; got[$1.cpu]+="$4 "
}

run_rows() {
  local started=$SECONDS
  echo "== warm-up: every endpoint the same way ($bench_warmup s of load or 4 requests' time, twice over)" >&2
  for _ in 1 2; do
    for i in "${rows[@]}"; do
      [ "${row_floor[$i]}" = - ] || bench_warm_sql "${row_floor[$i]}" 55432 tiles
      [ "${row_ms[$i]}" = - ] || bench_warm_url 4 "${row_ms[$i]}"
      bench_warm_url 4 "http://127.0.0.1:5092${row_path[$i]}"
      BENCH_PIN=$cached_pin bench_warm_url 32 "http://127.0.0.1:5091${row_path[$i]}"
    done
    BENCH_PIN=$cached_pin bench_warm_url 32 "$noop"
  done
  echo "== $bench_rounds interleaved rounds (load average $(bench_load) before)" >&2
  for r in $(seq "$bench_rounds"); do
    # Odd rounds go a b c d e, row by row; even rounds e d c b a, rows backwards: a drift of the machine during a
    # round then favours no column, and each row's do-nothing figure (e) is taken right beside its cached one (d).
    local order=("${rows[@]}") columns=(a b c d e)
    if [ $((r % 2)) = 0 ]; then order=($(printf '%s\n' "${rows[@]}" | tac)); columns=(e d c b a); fi
    for i in "${order[@]}"; do
      for column in "${columns[@]}"; do measure "$i" "$column"; done
    done
    echo "   round $r done ($((SECONDS - started)) s, load average $(bench_load))" >&2
  done
}

measure() { # ROW COLUMN
  local i=$1
  case $2 in
    a) [ "${row_floor[$i]}" = - ] || record "$i.a" "$(bench_pgbench "${row_floor[$i]}" 55432 tiles $floor_roots)" ;;
    b) [ "${row_ms[$i]}" = - ] || record "$i.b" "$(bench_wrk 4 "${row_ms[$i]}" $mapserver_roots)" ;;
    c) record "$i.c" "$(bench_wrk 4 "http://127.0.0.1:5092${row_path[$i]}" $uncached_roots)" ;;
    d) record "$i.d" "$(BENCH_PIN=$cached_pin bench_wrk 32 "http://127.0.0.1:5091${row_path[$i]}" $cached_roots)" ;;
    e) record "$i.e" "$(BENCH_PIN=$cached_pin bench_wrk 32 "$noop" $cached_pid)" ;;
  esac
}

print_rows() {
  local v=() i
  echo
  echo "Throughput: median over $bench_rounds interleaved rounds (min-max); ratios are the median of the ratios within rounds."
  echo
  echo "| data | tile | bytes | (a) floor tiles/s | (b) MapServer req/s, p99 ms | (c) ours uncached req/s, p99 ms | (d) ours cached req/s | (e) do-nothing req/s | c/a | c/b | d/e |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for i in "${rows[@]}"; do
    local ms="-"
    [ "${row_ms[$i]}" = - ] || ms="$(bench_spread n ${got[$i.b.rps]}), $(bench_median ${got[$i.b.p99]})"
    # the do-nothing endpoint is measured beside each row's cached tile: d/e is taken within the row and round
    echo "| ${row_data[$i]} | ${row_tile[$i]} | ${row_bytes[$i]} | $(bench_spread n ${got[$i.a.rps]:-}) | $ms | $(bench_spread n ${got[$i.c.rps]}), $(bench_median ${got[$i.c.p99]}) | $(bench_spread n ${got[$i.d.rps]}) | $(bench_spread n ${got[$i.e.rps]}) | $(bench_ratio "${got[$i.c.rps]}" "${got[$i.a.rps]:-}") | $(bench_ratio "${got[$i.c.rps]}" "${got[$i.b.rps]:-}") | $(bench_ratio "${got[$i.d.rps]}" "${got[$i.e.rps]}") |"
  done
  echo
  echo "CPU per request, µs (all processes of each column's server and its database; wrk and pgbench not counted): median (min-max); b/c is how many times more CPU MapServer spends per tile than our uncached server."
  echo
  echo "| data | tile | (a) floor | (b) MapServer | (c) ours uncached | (d) ours cached | (e) do-nothing | a/c | b/c |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
  for i in "${rows[@]}"; do
    local ms="-"
    [ "${row_ms[$i]}" = - ] || ms="$(bench_spread %.0f ${got[$i.b.cpu]})"
    echo "| ${row_data[$i]} | ${row_tile[$i]} | $(bench_spread %.0f ${got[$i.a.cpu]:-}) | $ms | $(bench_spread %.0f ${got[$i.c.cpu]}) | $(bench_spread %.0f ${got[$i.d.cpu]}) | $(bench_spread %.0f ${got[$i.e.cpu]}) | $(bench_ratio "${got[$i.a.cpu]:-}" "${got[$i.c.cpu]}") | $(bench_ratio "${got[$i.b.cpu]:-}" "${got[$i.c.cpu]}") |"
  done
  echo
  echo "wrk -t2 (4 connections for uncached servers and MapServer, 32 for cached and do-nothing), pgbench 2 clients prepared; ${bench_seconds} s per measurement (4 requests' time for slow tiles); pinning: ${BENCH_PIN:-none} (cached and do-nothing: ${cached_pin:-none}); load average $(bench_load) at the end; $(date -u +%F)."
}
