#!/usr/bin/env bash
# Where an IssueTicket's CPU goes: a fresh database seeded from seeds/, a city-wide manager token, 300 tickets of
# warm-up, then `perf record` on the server while the load generator issues CALLS tickets over the 30 branches
# (4 connections × 16 streams). Prints the load generator's RESULT line, the server's CPU per ticket, and perf's
# inclusive view of MotCua's own frames.
#
#   Benchmarks/performance/profile-issue.sh BINARY [RECORD_SECONDS=6] [CALLS=4000]
#
# Needs a release BINARY (`swift build -c release --scratch-path .build-release --product motcua`), `perf`, and
# the load generator (`make -C Benchmarks/loadgen`). perf.data is left in $TMPDIR (or /tmp).
set -euo pipefail
binary=$(realpath "${1:?usage: profile-issue.sh BINARY [RECORD_SECONDS] [CALLS]}")
seconds=${2:-6}
calls=${3:-4000}
repo=$(cd "$(dirname "$0")/../.." && pwd)
loadgen=$repo/Benchmarks/loadgen/build/motcua-loadgen
work=$(mktemp -d "${TMPDIR:-/tmp}/motcua-profile.XXXXXX")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
branches=$(python3 -c "import json; print(','.join(b['id'] for b in json.load(open('$repo/seeds/branches.json'))))")
token=$("$binary" token create --db "$work/motcua.sqlite" --seeds "$repo/seeds" --role manager --label profile | tail -1)
"$binary" serve --db "$work/motcua.sqlite" --seeds "$repo/seeds" --listen "127.0.0.1:$port" --ignore-opening-hours \
  --anonymous-rate 1000000000 > "$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
sleep 3
issue() {
  "$loadgen" issue --target "127.0.0.1:$port" --branches "$branches" --service civil-birth-registration \
    --token "$token" -n "$1" -c 4 -m 16 | grep RESULT
}
issue 300 > /dev/null
perf record -e cpu-clock -F 999 --call-graph dwarf,16384 -p "$server" -o "$work/perf.data" -- sleep "$seconds" \
  > "$work/perf.log" 2>&1 &
recorder=$!
before=$(awk '{print $14 + $15}' "/proc/$server/stat")
issue "$calls"
after=$(awk '{print $14 + $15}' "/proc/$server/stat")
echo "server CPU per ticket: $(( (after - before) * 1000000 / $(getconf CLK_TCK) / calls )) µs"
wait $recorder || true
perf report -i "$work/perf.data" --children --sort symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' \
  | grep -E 'MotCua|WaitPrediction|sqlite3_step|sqlite3_prepare|NIOPosix.*SelectableEventLoop|JSONEncoder' \
  | sed -E 's/ +- +- +$//' | cut -c1-170 | head -40
echo "perf data: $work/perf.data"
