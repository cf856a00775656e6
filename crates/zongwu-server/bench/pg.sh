# Sourced by the bench scripts (not run): a throwaway PostgreSQL 15 cluster in $WORK/pgdata,
# started with the installed server binaries (initdb, pg_ctl; as the `postgres` user when root),
# default durability, listening on 127.0.0.1 only. `start_pg` sets PGPORT and PGDATA_DIR;
# `stop_pg` stops the cluster if one was started (call it from the script's EXIT trap).

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PGDATA_DIR=""

start_pg() {
  PGPORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  PGDATA_DIR="$WORK/pgdata"
  mkdir -p "$PGDATA_DIR"
  if [ "$(id -u)" = 0 ]; then chown -R postgres: "$WORK"; fi
  as_postgres initdb -D "$PGDATA_DIR" -A trust -U postgres -E UTF8 --no-locale >"$WORK/initdb.log" 2>&1
  as_postgres pg_ctl -D "$PGDATA_DIR" -l "$WORK/postgres.log" -w \
    -o "-p $PGPORT -k $WORK -c listen_addresses=127.0.0.1" start >/dev/null
}

stop_pg() {
  if [ -n "$PGDATA_DIR" ]; then as_postgres pg_ctl -D "$PGDATA_DIR" -m fast -w stop >/dev/null 2>&1 || true; fi
}
