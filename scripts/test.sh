#!/usr/bin/env bash
# Runs every MotCua test: installs what it needs (Debian packages, a Python virtual environment), builds,
# checks the generated code, runs the Swift suites (the store contract on SQLite and on a PostgreSQL server
# started here), then the end-to-end suites against the real server.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in protobuf-compiler libprotobuf-dev libsqlite3-dev openssl python3-venv postgresql-15 postgresql-client-15 \
  $(cat Kiosk/debian-packages.txt Tests/conformance/debian-packages.txt); do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if ((${#need[@]})); then
  echo "installing: ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

echo "== build"
swift build
echo "== generated code"
scripts/generate-protos.sh --check

echo "== PostgreSQL 15 for the store contract suite (the multi-node end-to-end tests start their own)"
pg_dir="$(mktemp -d /tmp/motcua-pg-XXXXXX)"
trap 'scripts/postgres-server.sh stop "$pg_dir" || true; rm -rf "$pg_dir"' EXIT
MOTCUA_TEST_POSTGRES_URL="$(scripts/postgres-server.sh start "$pg_dir")"
export MOTCUA_TEST_POSTGRES_URL

echo "== swift test"
swift test

echo "== end-to-end (Python grpcio client)"
venv=.build/e2e-venv
if [ ! -x "$venv/bin/pytest" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r Tests/e2e/requirements.txt
fi
MOTCUA_BIN="$(swift build --show-bin-path)/motcua" "$venv/bin/pytest" -q Tests/e2e

echo "== kiosk (C): unit + integration, then ASan/UBSan, then valgrind"
export MOTCUA_BIN="$(swift build --show-bin-path)/motcua"
make -C Kiosk test
make -C Kiosk check
make -C Kiosk valgrind

echo "== benchmark load generator (C): unit tests under ASan/UBSan"
make -C Benchmarks/loadgen check
