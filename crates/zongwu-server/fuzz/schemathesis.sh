#!/usr/bin/env bash
# Fuzz every route of the sync server from its own OpenAPI document with schemathesis
# (issue #3, test 11): no answer may be a 5xx. Starts a throwaway server on SQLite with demo
# accounts (and the demo housing plan and platform key), logs in as admin, runs `st run` with the
# admin's token and the platform key, stops the server.
#
# Usage: crates/zongwu-server/fuzz/schemathesis.sh [path/to/st] [max-examples]
# `st` comes from `pip install schemathesis` (a virtualenv is fine); `cargo xtask test` installs
# the version pinned in requirements.txt next to this script into target/fuzz-venv and calls
# this script with 50 examples per operation.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
ST="${1:-st}"
MAX_EXAMPLES="${2:-100}"
PORT="${ZONGWU_FUZZ_PORT:-18799}"
WORK="$(mktemp -d)"
cargo build -q -p zongwu-server
TARGET="${CARGO_TARGET_DIR:-target}"
case "$TARGET" in /*) ;; *) TARGET="$PWD/$TARGET" ;; esac
SERVER_BIN="$TARGET/debug/zongwu-server"
(
  cd "$WORK"
  ZONGWU_LISTEN="127.0.0.1:$PORT" ZONGWU_ARGON2_MEMORY_KIB=1024 \
    ZONGWU_LOGIN_FAILURES_PER_ACCOUNT=1000000 ZONGWU_LOGIN_FAILURES_PER_ADDRESS=1000000 \
    exec "$SERVER_BIN" --demo >server.log 2>&1
) &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
  sleep 0.1
done
TOKEN="$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"login":"admin","password":"demo-admin-pass","device_id":"schemathesis"}' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')"
# The demo platform's intake key, printed by --demo, so the intake routes get past 401.
KEY="$(sed -n 's/^demo platform key (demo-platform, shown once): //p' "$WORK/server.log")"
# Logout would revoke the fuzzer's own token and leave nothing but 401s to test. Run from the
# temp dir: schemathesis leaves a .schemathesis/ folder behind.
ST="$(realpath "$(command -v "$ST")")"
cd "$WORK"
"$ST" run "http://127.0.0.1:$PORT/api/v1/openapi.json" --url "http://127.0.0.1:$PORT" \
  -H "Authorization: Bearer $TOKEN" -H "X-Api-Key: $KEY" --exclude-path /api/v1/auth/logout \
  --checks not_a_server_error --max-examples "$MAX_EXAMPLES"
cd "$OLDPWD"
if grep -qiE 'panicked|ERROR' "$WORK/server.log"; then
  echo "the server logged errors:" >&2
  grep -iE 'panicked|ERROR' "$WORK/server.log" >&2
  exit 1
fi
