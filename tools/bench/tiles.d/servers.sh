# Sourced by tools/bench/tiles and tools/bench/tiles-dense: starts the peer (its PostGIS on 55432, MapServer FastCGI,
# nginx on 8088, through ../shared/bench/mapserver-peer.sh), our bench database srtiles on the embedded cluster, and
# our two servers (5091 with the tile cache, 5092 without), and knows the process trees whose CPU each column spends.
# Needs: root, work, srd (defined by the caller); sets SR_PG, port, peer_q, ours_q, *_roots, cached_pid, uncached_pid.
peer_script="$root/../shared/bench/mapserver-peer.sh"
[ -f "$peer_script" ] || { echo "bench: $peer_script is missing (../shared)" >&2; exit 1; }
export PEER_DIR="$SR_DATA/bench/mapserver-peer"
R=$PEER_DIR
command -v wrk >/dev/null && command -v mapserv >/dev/null && command -v spawn-fcgi >/dev/null && command -v nginx >/dev/null \
  || bash "$peer_script" install
if [ ! -d "$R/pg/data" ]; then bash "$peer_script" db
elif ! runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$R/pg/data" status >/dev/null 2>&1; then
  runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$R/pg/data" -l "$R/pg/server.log" -w \
    -o "-p 55432 -k $R/pg -c listen_addresses=127.0.0.1 -c shared_buffers=1GB" start >/dev/null
fi
if [ ! -S "$R/run/mapserv.sock" ] || ! kill -0 "$(head -1 "$R/run/mapserv.pid" 2>/dev/null)" 2>/dev/null; then rm -f "$R/run/mapserv.sock"; bash "$peer_script" mapserver >/dev/null; fi
if ! kill -0 "$(cat "$R/nginx/nginx.pid" 2>/dev/null)" 2>/dev/null; then bash "$peer_script" nginx; fi
peer_q() { psql -h 127.0.0.1 -p 55432 -U postgres -qtAX "$@"; }

base=$(SR_PG="" srd db start)
port=$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$base")
ours_q() { psql -h 127.0.0.1 -p "$port" -U postgres -qtAX "$@"; }
export SR_PG="Host=127.0.0.1;Port=$port;Username=postgres;Database=srtiles"

# our servers: call after the data is loaded
start_our_servers() {
  server() { # PORT CACHE_MB [CPUS]
    local pin=(); [ -z "${3:-}" ] || pin=(taskset -c "$3")
    SR_PG="$SR_PG" SR_TILE_CACHE_MB=$2 ASPNETCORE_URLS="http://127.0.0.1:$1" Logging__LogLevel__Default=Warning \
      "${pin[@]}" dotnet "$root/src/SpatialReadiness.Server/bin/Release/net10.0/SpatialReadiness.Server.dll" >"$work/server-$1.log" 2>&1 &
    echo $!
  }
  # The cached server (also the do-nothing endpoint's) answers 5,000-60,000 requests/s; sharing two cores with wrk at
  # that rate, which of them the scheduler favoured decided the figure (do-nothing 41k in one run, 55k in the next).
  # So it runs on a core of its own and its load generator on the other: BENCH_PIN_CACHED, "SERVER_CPUS:CLIENT_CPUS",
  # default 0:1 (BENCH_PIN when that is set; empty: no pinning). The other columns share the cores as before.
  cached_pin=${BENCH_PIN:-${BENCH_PIN_CACHED-0:1}}
  cached_pid=$(server 5091 256 "${cached_pin%%:*}"); uncached_pid=$(server 5092 0)
  trap 'kill $cached_pid $uncached_pid 2>/dev/null || true' EXIT
  for p in 5091 5092; do for _ in $(seq 100); do curl -sf "http://127.0.0.1:$p/health" >/dev/null && break; sleep 0.2; done; done
  # The CPU each column spends: the floor is the peer's PostgreSQL; MapServer its FastCGI workers, nginx and the peer's
  # PostgreSQL; ours the server process and our PostgreSQL (the cached server and the do-nothing endpoint too).
  peer_pg=$(head -1 "$R/pg/data/postmaster.pid")
  ours_pg=$(head -1 "$SR_DATA/pg/postmaster.pid")
  floor_roots="$peer_pg"
  mapserver_roots="$(tr '\n' ' ' <"$R/run/mapserv.pid") $(cat "$R/nginx/nginx.pid") $peer_pg"
  uncached_roots="$uncached_pid $ours_pg"
  cached_roots="$cached_pid $ours_pg"
  bench_pin_servers $floor_roots $mapserver_roots $uncached_roots $cached_roots
}
