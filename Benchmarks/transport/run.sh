#!/usr/bin/env bash
# The transport benchmark (issue 9): unary `KioskService.PredictWait` through MotCua's lean gRPC path
# (LeanGRPC on swift-nio-http2), through the earlier grpc-swift-2 path (commit 7cd0f64), and
# through the reference gRPC C++ server, with the same h2load load, alternating A B C A B C …; prints calls/s,
# latency, server CPU per call (from /proc) and the ratio to the reference of the same round.
#
#   Benchmarks/transport/run.sh                 # builds what is missing (release: ~25 min each), 3 rounds
#   ROUNDS=5 CALLS=100000 Benchmarks/transport/run.sh
#   NEW=/path/motcua OLD=/path/motcua REFERENCE=/path/reference-server Benchmarks/transport/run.sh
#   OLD=none Benchmarks/transport/run.sh         # leave the grpc-swift-2 path out
#
# Release builds go to their own scratch paths (.build-release, .build-release-old; git ignores .build-*).
# The reference comes from ../shared/reference (REFERENCE_SOURCE overrides).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
ROUNDS=${ROUNDS:-3}
CALLS=${CALLS:-60000}
CONNECTIONS=${CONNECTIONS:-16}
STREAMS=${STREAMS:-32}
REFERENCE_SOURCE=${REFERENCE_SOURCE:-$repo/../shared/reference}
OLD_TAG=${OLD_TAG:-7cd0f64}  # the last commit serving through grpc-swift-2

command -v h2load >/dev/null || { echo "h2load not found: apt-get install nghttp2-client" >&2; exit 2; }

if [[ -z "${NEW:-}" ]]; then
  swift build -c release --scratch-path .build-release --product motcua >&2
  NEW=$repo/.build-release/release/motcua
fi
names=(new old reference)
if [[ "${OLD:-}" == none ]]; then
  names=(new reference)
elif [[ -z "${OLD:-}" ]]; then
  [[ -d .build-old-src ]] || git worktree add .build-old-src "$OLD_TAG" >&2
  (cd .build-old-src && swift build -c release --scratch-path ../.build-release-old --product motcua >&2)
  OLD=$repo/.build-release-old/release/motcua
fi
if [[ -z "${REFERENCE:-}" ]]; then
  mkdir -p .build-bench
  make -s -C "$REFERENCE_SOURCE/grpc-cpp" OUT="$repo/.build-bench/reference-server" >&2
  REFERENCE=$repo/.build-bench/reference-server
fi

work=$(mktemp -d)
servers=()
cleanup() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# One PredictWait request on the wire: flag 0, 4-byte length, the message.
printf 'branch_id: "hn-hoan-kiem"\nservice_id: "civil-birth-registration"\n' \
  | protoc -I Protos --encode=motcua.v1.PredictWaitRequest motcua/v1/kiosk.proto >"$work/message.bin"
{ printf '\0'; printf "%08x" "$(wc -c <"$work/message.bin")" | xxd -r -p; cat "$work/message.bin"; } >"$work/body"
path=/motcua.v1.KioskService/PredictWait

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start NAME → sets PID and PORT; the MotCua servers get a fresh database each round.
start() {
  PORT=$(free_port)
  case "$1" in
    reference) "$REFERENCE" "127.0.0.1:$PORT" >"$work/$1.log" 2>&1 & ;;
    *)
      local binary=$NEW; [[ $1 == old ]] && binary=$OLD
      rm -rf "$work/db-$1"; mkdir -p "$work/db-$1"
      "$binary" serve --db "$work/db-$1/motcua.sqlite" --listen "127.0.0.1:$PORT" --ignore-opening-hours \
        --anonymous-rate 1000000000 >"$work/$1.log" 2>&1 &
      ;;
  esac
  PID=$!
  servers+=("$PID")
  for _ in $(seq 1 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then return; fi
    sleep 0.1
  done
  echo "$1 did not start:" >&2; cat "$work/$1.log" >&2; exit 1
}

cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"; }
rss_mb() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# A sample response through grpcio-free means: one h2load call, then the server's answer must be OK.
check_answer() {
  h2load -n 1 -c 1 -m 1 -d "$work/body" -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://127.0.0.1:$PORT$path" >"$work/one.txt" 2>&1
  grep -q "1 succeeded" "$work/one.txt" || { echo "$1: the sample call failed" >&2; cat "$work/one.txt" >&2; exit 1; }
}

declare -A rate cpu mean max
printf "%-6s %-10s %10s %10s %10s %12s %9s\n" round server calls/s "mean ms" "max ms" "µs CPU/call" "peak MB"
for round in $(seq 1 "$ROUNDS"); do
  for name in "${names[@]}"; do
    start "$name"
    check_answer "$name"
    # Warm-up (not measured), then the measured run.
    h2load -n 5000 -c "$CONNECTIONS" -m "$STREAMS" -t 1 -d "$work/body" -H 'content-type: application/grpc' \
      -H 'te: trailers' "http://127.0.0.1:$PORT$path" >/dev/null 2>&1
    before=$(cpu_seconds "$PID")
    h2load -n "$CALLS" -c "$CONNECTIONS" -m "$STREAMS" -t 1 -d "$work/body" -H 'content-type: application/grpc' \
      -H 'te: trailers' "http://127.0.0.1:$PORT$path" >"$work/h2load.txt" 2>&1
    after=$(cpu_seconds "$PID")
    succeeded=$(awk '/^requests:/ { for (i = 1; i <= NF; i++) if ($(i+1) == "succeeded,") print $i }' "$work/h2load.txt")
    [[ "$succeeded" == "$CALLS" ]] || { echo "$name: only $succeeded of $CALLS succeeded" >&2; cat "$work/h2load.txt" >&2; exit 1; }
    rate[$name]=$(awk '/^finished in/ { gsub(",", "", $4); print $4 }' "$work/h2load.txt")
    # h2load's "time for request" line: min max mean sd (it prints no percentiles).
    mean[$name]=$(awk '/^time for request:/ { v = $6; u = $6; sub(/[a-z]+$/, "", v); sub(/^[0-9.]+/, "", u);
      printf "%.2f", (u == "us" ? v / 1000 : (u == "s" ? v * 1000 : v)) }' "$work/h2load.txt")
    max[$name]=$(awk '/^time for request:/ { v = $5; u = $5; sub(/[a-z]+$/, "", v); sub(/^[0-9.]+/, "", u);
      printf "%.2f", (u == "us" ? v / 1000 : (u == "s" ? v * 1000 : v)) }' "$work/h2load.txt")
    cpu[$name]=$(awk -v a="$before" -v b="$after" -v n="$CALLS" 'BEGIN { printf "%.1f", (b - a) * 1e6 / n }')
    peak=$(rss_mb "$PID")
    kill "$PID"; wait "$PID" 2>/dev/null || true
    printf "%-6s %-10s %10.0f %10s %10s %12s %9s\n" "$round" "$name" "${rate[$name]}" "${mean[$name]}" \
      "${max[$name]}" "${cpu[$name]}" "$peak"
  done
  for name in "${names[@]}"; do
    [[ $name == reference ]] && continue
    awk -v n="$name" -v x="${rate[$name]}" -v r="${rate[reference]}" -v c="${cpu[$name]}" -v rc="${cpu[reference]}" \
      'BEGIN { printf "       %-10s %.2f× the reference'"'"'s calls/s, %.2f× its CPU per call\n", n, x / r, c / rc }'
  done
done
echo "load: h2load -n $CALLS -c $CONNECTIONS -m $STREAMS -t 1 on $path (after 5,000 calls of warm-up); CPU from /proc"
