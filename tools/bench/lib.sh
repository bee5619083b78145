# The harness the benchmarks share (sourced by tools/bench/tiles, tiles-dense, feeds, cluster): every column, the references
# included, is warmed up the same way before the first row and measured in interleaved rounds, so a drift of this
# shared machine touches all columns alike; a ratio is taken within each round and reported as the median with its
# spread over rounds; beside throughput, the CPU time the serving processes spent per request (far less sensitive to
# other load than throughput). docs/benchmarks.md has the how and why.
#
#   BENCH_ROUNDS   rounds per row (default 3)
#   BENCH_SECONDS  seconds per measurement (default 3; a slow endpoint gets at least 4 of its own requests' time)
#   BENCH_WARMUP   seconds of load per endpoint before the first row (default 4, twice over)
#   BENCH_PIN      "SERVER_CPUS:CLIENT_CPUS", e.g. "0:1": servers (and their databases) on one core, load generators on
#                  the other (taskset). Unset: no pinning.

bench_rounds=${BENCH_ROUNDS:-3}
bench_seconds=${BENCH_SECONDS:-3}
bench_warmup=${BENCH_WARMUP:-4}
clk_tck=$(getconf CLK_TCK)

# A load generator, on the client CPUs when pinned.
bench_client() { if [ -n "${BENCH_PIN:-}" ]; then taskset -c "${BENCH_PIN#*:}" "$@"; else "$@"; fi; }

# ROOT... -> the pids of these processes and all their descendants.
bench_tree() {
  ps -e -o pid=,ppid= | awk -v roots=" $* " '
    { parent[$1] = $2; pids[NR] = $1 }
    END { for (i in pids) { p = pids[i]; for (q = p; q > 1; q = parent[q]) if (index(roots, " " q " ")) { print p; break } } }'
}

# Pins ROOT... and their descendants (and, through inheritance, the children they start later) to the server CPUs.
bench_pin_servers() {
  [ -n "${BENCH_PIN:-}" ] || return 0
  for p in $(bench_tree "$@"); do taskset -a -p -c "${BENCH_PIN%%:*}" "$p" >/dev/null 2>&1 || true; done
}

# ROOT... -> "SIGNATURE TICKS" from one pass over /proc: the CPU ticks (user and system) of these processes and all
# their descendants, with the children each has waited for (a PostgreSQL backend that has exited is in the postmaster's
# cutime), and a signature of which processes those were. One `cat` reads every stat file, so the tree and its times
# come from the same instant, give or take microseconds.
bench_tree_ticks() {
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v roots=" $* " '
    { pid = $1; sub(/^.*\) /, ""); parent[pid] = $2; ticks[pid] = $12 + $13 + $14 + $15 }
    END {
      for (p in parent) { for (q = p; q > 1; q = parent[q]) if (index(roots, " " q " ")) { n++; s += p; t += ticks[p]; break } }
      printf "%d:%d %d", n, s, t
    }'
}

# ROOT... -> CPU milliseconds spent so far by these processes and their descendants. A process that ends while /proc
# is read can be counted twice (itself, then in its parent once reaped) or not at all (gone before read, not yet in
# its parent): the tree is read until two passes in a row find the same processes, so no process of it ended meanwhile.
bench_cpu_ms() {
  local first second
  first=$(bench_tree_ticks "$@")
  for _ in 1 2 3 4 5 6 7 8; do
    second=$(bench_tree_ticks "$@")
    [ "${first% *}" = "${second% *}" ] && break
    first=$second
  done
  awk -v t="${first#* }" -v tck="$clk_tck" 'BEGIN { printf "%.0f", t * 1000 / tck }'
}

# BEFORE_MS AFTER_MS REQUESTS -> CPU µs per request, or "-" (and a note on stderr) when the tree lost CPU time
# between the two samples: a process that ended without being waited for by one in the tree (reparented to init).
# A "-" is left out of the statistics below, and the figure it would have been part of is marked with "*".
bench_cpu_per_request() {
  awk -v b="$1" -v a="$2" -v n="$3" 'BEGIN {
    if (a < b) { printf "bench: CPU sample went back by %d ms; left out\n", b - a > "/dev/stderr"; print "-"; exit }
    printf "%.0f", (n > 0 ? (a - b) * 1000 / n : 0) }'
}

# ROOT... -> returns once these processes have stopped working (under 10 ms of CPU in 0.2 s; at most 10 s). When wrk
# stops, the requests it had in flight run on: MapServer's z12 tile of a million buildings for 4 more seconds. Counted
# in the next column's time and CPU, they took half the next column's throughput in every other round (2026-12-06).
bench_settle() {
  local before now
  before=$(bench_cpu_ms "$@")
  for _ in $(seq 50); do
    sleep 0.2
    now=$(bench_cpu_ms "$@")
    [ $((now - before)) -lt 10 ] && return 0
    before=$now
  done
}

# Seconds to measure an endpoint whose one request takes LATENCY_S seconds: BENCH_SECONDS, or 4 requests' time per
# connection when that is longer (at most 30 s), so a slow peer still completes several requests.
bench_duration() { awk -v l="$1" -v d="$bench_seconds" 'BEGIN { s = 4 * l; if (s > 30) s = 30; printf "%d", (s > d ? s + 0.999 : d) }'; }

# CONNECTIONS URL ROOT... -> "req/s p99_ms cpu_us_per_request" (CPU of the ROOT process trees)
bench_wrk() {
  local conns=$1 url=$2; shift 2
  local latency seconds before after out
  latency=$(curl -s -o /dev/null -w '%{time_total}' "$url")
  seconds=$(bench_duration "$latency")
  before=$(bench_cpu_ms "$@")
  out=$(bench_client wrk -t2 -c"$conns" -d"${seconds}s" --timeout 60s --latency "$url" 2>/dev/null)
  bench_settle "$@"
  after=$(bench_cpu_ms "$@")
  local n; n=$(awk '/ requests in / { print $1 }' <<<"$out")
  awk -v cpu="$(bench_cpu_per_request "$before" "$after" "${n:-0}")" '
    /Requests\/sec/ { rps = $2 }
    /^ +99%/ { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }; p99 = v }
    END { printf "%.2f %.2f %s", rps, p99, cpu }' <<<"$out"
}

# SQL_FILE PORT DATABASE ROOT... -> "tiles/s - cpu_us_per_request": pgbench with 2 clients, prepared, JIT and parallel
# query off (as on our tile connections); CPU of the ROOT process trees (the database, not pgbench).
bench_pgbench() {
  local file=$1 port=$2 db=$3; shift 3
  local latency seconds before after out
  latency=$( { echo '\timing on'; cat "$file"; } | psql -h 127.0.0.1 -p "$port" -U postgres -qAt "$db" 2>&1 | sed -nE 's/^Time: ([0-9.]+) ms.*/\1/p' | awk '{ printf "%.3f", $1 / 1000 }')
  seconds=$(bench_duration "${latency:-0}")
  before=$(bench_cpu_ms "$@")
  out=$(PGOPTIONS="-c max_parallel_workers_per_gather=0 -c jit=off" bench_client pgbench -h 127.0.0.1 -p "$port" -U postgres -n -M prepared -c 2 -j 2 -T "$seconds" -f "$file" "$db" 2>/dev/null)
  bench_settle "$@"
  after=$(bench_cpu_ms "$@")
  local n; n=$(awk '/^number of transactions actually processed/ { split($0, a, ": "); print a[2] + 0 }' <<<"$out")
  awk -v cpu="$(bench_cpu_per_request "$before" "$after" "${n:-0}")" '/^tps/ { tps = $3 } END { printf "%.2f - %s", tps, cpu }' <<<"$out"
}

# The same warm-up for every endpoint: BENCH_WARMUP seconds of load, twice over (tiered JIT with dynamic PGO keeps
# recompiling .NET code for about half a minute of load; MapServer and PostgreSQL fill their caches).
bench_warm_url() { # CONNECTIONS URL
  local latency; latency=$(curl -s -o /dev/null -w '%{time_total}' "$2")
  bench_client wrk -t2 -c"$1" -d"$(bench_duration "$latency" | awk -v w="$bench_warmup" '{ print ($1 > w ? $1 : w) }')s" --timeout 60s "$2" >/dev/null 2>&1 || true
  sleep "$(awk -v l="$latency" 'BEGIN { print (l > 5 ? 5 : l) }')" # what was in flight finishes before the next endpoint
}
bench_warm_sql() { # SQL_FILE PORT DATABASE
  PGOPTIONS="-c max_parallel_workers_per_gather=0 -c jit=off" bench_client pgbench -h 127.0.0.1 -p "$2" -U postgres -n -M prepared -c 2 -j 2 -T "$bench_warmup" -f "$1" "$3" >/dev/null 2>&1 || true
}

# Statistics over rounds. A "-" (a CPU sample left out, bench_cpu_per_request) is not a value: it is skipped, and the
# figure is marked with "*".
bench_median() { printf '%s\n' "$@" | grep -v '^-*$' | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# VALUES... -> "median (min-max)", numbers formatted with FORMAT (e.g. %.0f; "n" for whole numbers from 100 up and
# two decimals below, as throughput of slow endpoints)
bench_spread() {
  local format=$1; shift
  [ $# -gt 0 ] || { echo -; return; }
  printf '%s\n' "$@" | sort -g | awk -v f="$format" '
    function out(v) { return f != "n" ? sprintf(f, v) : (v >= 100 ? sprintf("%.0f", v) : sprintf("%.2f", v)) }
    $1 == "-" { skipped = "*"; next }
    { a[++n] = $1 } END {
    if (n == 0) { print "-" skipped; exit }
    m = n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    printf "%s (%s-%s)%s", out(m), out(a[1]), out(a[n]), skipped }'
}
# A/B per round: "A1 A2 A3" "B1 B2 B3" -> the ratios, one per round ("-" for a round where either was left out)
bench_ratios() {
  paste -d' ' <(tr ' ' '\n' <<<"$1") <(tr ' ' '\n' <<<"$2") | awk 'NF == 2 && ($1 == "-" || $2 == "-") { print "-"; next } NF == 2 && $2 > 0 { printf "%.4f\n", $1 / $2 }'
}
# "A1 A2 A3" "B1 B2 B3" -> "1.23x (1.10-1.31)": the median ratio within rounds, with its spread; "-" when either is missing
bench_ratio() {
  local r; r=$(bench_ratios "$1" "$2")
  [ -n "$r" ] || { echo "-"; return; }
  bench_spread "%.2f" $r | sed -E 's/^([0-9.]+) /\1x /'
}
bench_load() { awk '{ print $1 }' /proc/loadavg; }
