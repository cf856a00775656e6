#!/usr/bin/env bash
# Load test of the public room lookup (查住宿) with wrk (Debian: apt-get install -y wrk): a
# release server with `--demo` (a published plan of 10,000 freshmen) on a fresh SQLite file or a
# throwaway PostgreSQL cluster, then wrk with room_lookup.lua, which asks for a random student
# each time. The rate limits are raised for the run (one address sends everything):
# ZONGWU_PUBLIC_REQUESTS_PER_STUDENT / _PER_ADDRESS. Prints the machine, the load average
# before and after, and wrk's report. See docs/benchmarks.md, "Public API figures".
#
# Usage: crates/zongwu-server/bench/public_api.sh [sqlite|postgres] [duration=30s] [connections=64]
# WRK_THREADS (default 1: wrk shares the two cores with the server, one thread is plenty).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
BACKEND="${1:-sqlite}"
DURATION="${2:-30s}"
CONNS="${3:-64}"
THREADS="${WRK_THREADS:-1}"
PORT="${ZONGWU_BENCH_PORT:-18798}"
TARGET="${CARGO_TARGET_DIR:-$PWD/target}"
WORK="$(mktemp -d)"
chmod 755 "$WORK"
cargo build -q --release -p zongwu-server

# shellcheck source=pg.sh
. crates/zongwu-server/bench/pg.sh
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  stop_pg
  rm -rf "$WORK"
}
trap cleanup EXIT

case "$BACKEND" in
  sqlite) DB="sqlite://$WORK/bench.db" ;;
  postgres)
    # Default durability settings; the lookup reads, and counts itself in the UNLOGGED
    # rate_counts table with an asynchronous commit (no disk flush per request).
    start_pg
    DB="postgres://postgres@127.0.0.1:$PGPORT/postgres"
    ;;
  *) echo "usage: $0 [sqlite|postgres] [duration] [connections]" >&2; exit 2 ;;
esac

(
  cd "$WORK"
  ZONGWU_DATABASE_URL="$DB" ZONGWU_LISTEN="127.0.0.1:$PORT" \
    ZONGWU_PUBLIC_REQUESTS_PER_STUDENT=1000000000 ZONGWU_PUBLIC_REQUESTS_PER_ADDRESS=1000000000 \
    ZONGWU_PUBLIC_WINDOW_SECS=60 \
    exec "$TARGET/release/zongwu-server" --demo >server.log 2>&1
) &
SERVER=$!
for _ in $(seq 300); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
  sleep 0.1
done
curl -fs "http://127.0.0.1:$PORT/api/v1/public/room" -H 'content-type: application/json' \
  -d '{"student_no":"2026000001","second_factor":"123457"}' >/dev/null || { echo "the demo lookup fails" >&2; cat "$WORK/server.log" >&2; exit 1; }

LUA="crates/zongwu-server/bench/room_lookup.lua"
wrk -t"$THREADS" -c"$CONNS" -d5s -s "$LUA" "http://127.0.0.1:$PORT" >/dev/null # warm-up
echo "backend: $BACKEND ($( [ "$BACKEND" = postgres ] && postgres --version 2>/dev/null || echo "SQLite, WAL"))"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $(wrk -v 2>&1 | head -1)"
echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates migrations || echo '+dirty')"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: wrk -t$THREADS -c$CONNS -d$DURATION --latency -s $LUA http://127.0.0.1:$PORT"
# CPU time (user + system, all threads) of the server and of the PostgreSQL processes during the
# run: less at the mercy of other jobs on the machine than the wall-clock rate.
cpu_ticks() { local t=0 p; for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
SERVER_PID="$(pgrep -P "$SERVER" -x zongwu-server || echo "$SERVER")"
PG_PIDS=""
[ -n "$PGDATA_DIR" ] && { PGMAIN="$(head -1 "$PGDATA_DIR/postmaster.pid")"; PG_PIDS="$PGMAIN $(pgrep -P "$PGMAIN" | xargs)"; }
S0="$(cpu_ticks "$SERVER_PID")"; P0="$(cpu_ticks $PG_PIDS)"
wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$LUA" "http://127.0.0.1:$PORT" | tee "$WORK/wrk.txt"
S1="$(cpu_ticks "$SERVER_PID")"; P1="$(cpu_ticks $PG_PIDS)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
N="$(sed -n 's/^non-200 answers: [0-9]* of //p' "$WORK/wrk.txt")"
HZ="$(getconf CLK_TCK)"
python3 - "$N" "$HZ" "$S0" "$S1" "$P0" "$P1" <<'PY'
import sys
n, hz, s0, s1, p0, p1 = (int(x) for x in sys.argv[1:])
server, pg = (s1 - s0) / hz, (p1 - p0) / hz
line = f"CPU: zongwu-server {server:.1f} s = {server / n * 1e6:.0f} µs per lookup"
if pg:
    line += f"; postgres {pg:.1f} s = {pg / n * 1e6:.0f} µs per lookup"
print(line + f"; {n / (server + pg):.0f} lookups per CPU-second of server + database")
PY
