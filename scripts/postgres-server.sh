#!/usr/bin/env bash
# A throw-away PostgreSQL server for tests and local multi-node runs.
#
#   scripts/postgres-server.sh start DIR        initdb (if needed) + start on a free loopback port; prints the URL
#   scripts/postgres-server.sh stop DIR         fast shutdown
#   scripts/postgres-server.sh crash DIR        pg_ctl stop -m immediate (no checkpoint: crash recovery on start)
#   scripts/postgres-server.sh restart DIR      start again on the same port (after stop or crash)
#   scripts/postgres-server.sh url DIR          the URL of the server in DIR
#
# Debian's server binaries are not on PATH (`pg_config --bindir` finds them). initdb refuses to run as root, so
# as root the server runs as the `postgres` user (runuser). Authentication is `trust` on loopback only.
set -euo pipefail

command="${1:?usage: $0 start|stop|crash|restart|url DIR}"
dir="${2:?usage: $0 $command DIR}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
data="$dir/data"
bindir="$(pg_config --bindir)"
[ -x "$bindir/initdb" ] || bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

url() { echo "postgres://motcua@127.0.0.1:$(cat "$dir/port")/motcua"; }

start() {
  as_owner "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
    -o "-p $(cat "$dir/port") -k $dir/socket -c listen_addresses=127.0.0.1" start >/dev/null
}

case "$command" in
  start)
    if [ ! -d "$data" ]; then
      [ "$(id -u)" -ne 0 ] || chown postgres "$dir"
      as_owner mkdir -p "$data" "$dir/socket"
      as_owner "$bindir/initdb" -D "$data" -U motcua --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
      cat >>"$data/postgresql.conf" <<'CONF'
max_connections = 300
shared_buffers = 128MB
fsync = on
synchronous_commit = on
CONF
      free_port >"$dir/port"
    fi
    start
    as_owner "$bindir/psql" -h 127.0.0.1 -p "$(cat "$dir/port")" -U motcua -d postgres -Atq \
      -c "SELECT 1 FROM pg_database WHERE datname = 'motcua'" | grep -q 1 \
      || as_owner "$bindir/createdb" -h 127.0.0.1 -p "$(cat "$dir/port")" -U motcua motcua
    url
    ;;
  restart) start; url ;;
  stop) as_owner "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null ;;
  crash) as_owner "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null ;;
  url) url ;;
  *) echo "unknown command $command" >&2; exit 2 ;;
esac
