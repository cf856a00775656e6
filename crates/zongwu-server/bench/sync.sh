#!/usr/bin/env bash
# Sync figures of issue #3 (push of 10,000 edits, first pull of 100,000 rows, round trip) with
# examples/sync_bench.rs, on a temp SQLite file and on a throwaway PostgreSQL 15 cluster
# (initdb/pg_ctl, as the `postgres` user when root; default durability), RUNS times each,
# interleaved. Prints the machine, the load average and one JSON line per run, then the medians.
# See docs/benchmarks.md, "Sync figures".
#
# Usage: crates/zongwu-server/bench/sync.sh [runs=5]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
RUNS="${1:-5}"
TARGET="${CARGO_TARGET_DIR:-$PWD/target}"
WORK="$(mktemp -d)"
chmod 755 "$WORK"
cargo build -q --release -p zongwu-server --example sync_bench
BIN="$TARGET/release/examples/sync_bench"

# shellcheck source=pg.sh
. crates/zongwu-server/bench/pg.sh
cleanup() {
  stop_pg
  rm -rf "$WORK"
}
trap cleanup EXIT
start_pg
PSQL=(as_postgres psql -h 127.0.0.1 -p "$PGPORT" -U postgres -qtA)

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $(postgres --version)"
echo "commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates migrations || echo '+dirty')"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
OUT="$WORK/runs.jsonl"
for i in $(seq "$RUNS"); do
  "$BIN" 100000 10000 200 | tee -a "$OUT"
  # A fresh database per run, as a new server would have.
  "${PSQL[@]}" -c "DROP DATABASE IF EXISTS bench$i" -c "CREATE DATABASE bench$i"
  "$BIN" 100000 10000 200 "postgres://postgres@127.0.0.1:$PGPORT/bench$i" | tee -a "$OUT"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$OUT" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
for backend in ("sqlite", "postgres"):
    rs = [r for r in runs if r.get("backend") == backend]
    if not rs:
        continue
    keys = [k for k, v in rs[0].items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    print(backend, {k: round(statistics.median(r[k] for r in rs if r.get(k) is not None), 3) for k in keys})
PY
