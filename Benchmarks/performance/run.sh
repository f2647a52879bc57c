#!/usr/bin/env bash
# The performance benchmark (issue 10): MotCua side by side with the reference gRPC C++ server, the same load
# on each, alternating A B A B … within every round. Workloads:
#   1. PredictWait (read-only, in memory): 16 × 32 streams for throughput, 2 × 32 = 64 streams for p99,
#      and the 16 × 32 load again through h2load as a cross-check of the load generator;
#   2. IssueTicket, a fresh idempotency key per call, round robin over the branches, 64 streams (durable);
#      again with group commit off when the server has the option;
#   2b. (pg-issue) the same IssueTicket load on PostgreSQL through two MotCua servers at once (one load generator
#      per server, half the calls and connections each); the reference gets the same two load generators;
#   3. the counter cycle CallNext → Complete at every counter of the 30 branches (queues filled beforehand);
#   4. WatchBranch fan-out: 1,000 streams on one branch while tickets are issued and called (MotCua only).
# Prints, per round and server: calls/s, p50/p99 latency, non-OK gRPC statuses, server CPU per call (/proc),
# the load generator's CPU per call, peak RSS (VmHWM), and the ratio to the reference of the same round.
#
#   Benchmarks/performance/run.sh                     # builds what is missing (release: ~25 min), 3 rounds
#   NEW=.build-release/release/motcua REFERENCE=.build-bench/reference-server ROUNDS=1 \
#     PREDICT_CALLS=20000 ISSUE_CALLS=2000 CYCLE_CALLS=2000 WATCH_SECONDS=10 Benchmarks/performance/run.sh
#   WORKLOADS="issue cycle" SAVE=1 Benchmarks/performance/run.sh
#   WORKLOADS="predict issue cycle watch" Benchmarks/performance/run.sh   # without PostgreSQL
#
# Every knob is an environment variable; see the defaults below and README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

ROUNDS=${ROUNDS:-3}
WORKLOADS=${WORKLOADS:-predict issue pg-issue cycle watch}
SERVICE=${SERVICE:-civil-birth-registration}
# 1. PredictWait
PREDICT_BRANCH=${PREDICT_BRANCH:-hn-hoan-kiem}
PREDICT_CALLS=${PREDICT_CALLS:-60000}      # 16 × 32
PREDICT64_CALLS=${PREDICT64_CALLS:-20000}  # 2 × 32
PREDICT_WARMUP=${PREDICT_WARMUP:-5000}
H2LOAD=${H2LOAD:-1}                        # 0: leave the h2load cross-check out
# 2. IssueTicket
ISSUE_CALLS=${ISSUE_CALLS:-6000}
ISSUE_WARMUP=${ISSUE_WARMUP:-300}
ISSUE_CONNECTIONS=${ISSUE_CONNECTIONS:-4}
ISSUE_STREAMS=${ISSUE_STREAMS:-16}
ISSUE_BRANCHES=${ISSUE_BRANCHES:-}         # comma list; default: the 30 branches of seeds/branches.json
# 2b. IssueTicket on PostgreSQL (pg-issue): ISSUE_* above, split over two servers; one PostgreSQL for the run
PG_POOL_SIZE=${PG_POOL_SIZE:-16}           # --postgres-pool-size of each server (the server's default)
# 3. counter cycle
CYCLE_CALLS=${CYCLE_CALLS:-6000}           # RPCs (CallNext + Complete)
CYCLE_WARMUP=${CYCLE_WARMUP:-300}
CYCLE_CONNECTIONS=${CYCLE_CONNECTIONS:-4}
# 4. WatchBranch fan-out
WATCH_BRANCH=${WATCH_BRANCH:-hn-hoan-kiem}
WATCHERS=${WATCHERS:-1000}
WATCH_CONNECTIONS=${WATCH_CONNECTIONS:-10}
WATCH_SECONDS=${WATCH_SECONDS:-20}
WATCH_TICK=${WATCH_TICK:-0.2}              # seconds between ticks; each tick issues and calls tickets
WATCH_ISSUES_PER_TICK=${WATCH_ISSUES_PER_TICK:-2}
WATCH_CALLS_PER_TICK=${WATCH_CALLS_PER_TICK:-1}  # CallNext → Complete cycles per tick
WATCH_SETTLE=${WATCH_SETTLE:-2}            # quiet seconds at the end, so that no fan-out is cut off by the stop
# Misc
STAGE_CPU=${STAGE_CPU:-1}                  # 1: MotCua's CPU per call by stage in issue, pg-issue, cycle (--stage-cpu)
TIMEOUT_MS=${TIMEOUT_MS:-10000}
DISK_PROBE_SECONDS=${DISK_PROBE_SECONDS:-2}  # 0: skip the fsync figures
REFERENCE_SOURCE=${REFERENCE_SOURCE:-$repo/../shared/reference}

for tool in python3 protoc; do
  command -v "$tool" >/dev/null || { echo "$tool not found" >&2; exit 2; }
done
if [[ $H2LOAD == 1 ]] && ! command -v h2load >/dev/null; then
  echo "h2load not found (apt-get install nghttp2-client): the cross-check is left out" >&2
  H2LOAD=0
fi

if [[ -z "${NEW:-}" ]]; then
  swift build -c release --scratch-path .build-release --product motcua >&2
  NEW=$repo/.build-release/release/motcua
fi
if [[ -z "${REFERENCE:-}" ]]; then
  mkdir -p .build-bench
  make -s -C "$REFERENCE_SOURCE/grpc-cpp" OUT="$repo/.build-bench/reference-server" >&2
  REFERENCE=$repo/.build-bench/reference-server
fi
if [[ -z "${LOADGEN:-}" ]]; then
  make -s -C Benchmarks/loadgen >&2
  LOADGEN=$repo/Benchmarks/loadgen/build/motcua-loadgen
fi
for binary in "$NEW" "$REFERENCE" "$LOADGEN"; do
  [[ -x $binary ]] || { echo "not an executable: $binary" >&2; exit 2; }
done
NEW=$(realpath "$NEW"); REFERENCE=$(realpath "$REFERENCE"); LOADGEN=$(realpath "$LOADGEN")

# Group commit off: GROUP_COMMIT_OFF_ARGS (empty: leave that run out); unset: --no-group-commit if the server
# lists it in `serve --help`.
if [[ -z "${GROUP_COMMIT_OFF_ARGS+set}" ]]; then
  GROUP_COMMIT_OFF_ARGS=
  if "$NEW" serve --help 2>&1 | grep -q -- '--no-group-commit'; then GROUP_COMMIT_OFF_ARGS=--no-group-commit; fi
fi

# pg-issue needs PostgreSQL's binaries, found as scripts/postgres-server.sh finds them (pg_config --bindir, else the
# newest /usr/lib/postgresql/*/bin), the `postgres` user when run as root (the server runs as it), and --postgres.
pg_bindir=
if [[ " $WORKLOADS " == *" pg-issue "* ]]; then
  pg_missing() {
    echo "pg-issue: $* — install PostgreSQL 15 or later (Debian: apt-get install postgresql), or leave the workload" \
      "out: WORKLOADS=\"$(tr ' ' '\n' <<<"$WORKLOADS" | grep -vx -e pg-issue -e '' | paste -sd ' ')\"" >&2
    exit 2
  }
  command -v pg_config >/dev/null || pg_missing "pg_config not found (scripts/postgres-server.sh finds the server binaries with it)"
  pg_bindir=$(pg_config --bindir 2>/dev/null || true)
  [[ -x $pg_bindir/initdb ]] || pg_bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  for tool in initdb pg_ctl postgres psql createdb; do
    [[ -n $pg_bindir && -x $pg_bindir/$tool ]] || pg_missing "$tool not found in ${pg_bindir:-$(pg_config --bindir)} or /usr/lib/postgresql/*/bin"
  done
  if (( $(id -u) == 0 )) && ! id postgres >/dev/null 2>&1; then pg_missing "run as root, but there is no postgres user to run the server as"; fi
  "$NEW" serve --help 2>&1 | grep -q -- '--postgres' || pg_missing "$NEW serve has no --postgres option"
fi

if [[ ${SAVE:-0} == 1 ]]; then
  mkdir -p Benchmarks/performance/results
  saved=Benchmarks/performance/results/$(date +%F-%H%M)-$(git rev-parse --short HEAD)${LABEL:+-$LABEL}.txt
  exec > >(tee "$saved")
fi

work=$(mktemp -d "${WORK_DIR:-${TMPDIR:-/tmp}}/motcua-perf.XXXXXX")
pids=()
pgdir=   # the PostgreSQL server's directory, once pg-issue has started it
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [[ -n $pgdir ]]; then
    scripts/postgres-server.sh stop "$pgdir" >/dev/null 2>&1 || echo "WARNING: could not stop PostgreSQL in $pgdir" >&2
    [[ ${KEEP:-0} == 1 ]] && echo "kept $pgdir" >&2 || rm -rf "$pgdir"
  fi
  [[ ${KEEP:-0} == 1 ]] && echo "kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAILED: $*" >&2; exit 1; }
note() { echo "… $*" >&2; }

# ---- inputs from the seeds ---------------------------------------------------------------------------------
python3 - "$repo/seeds" "$SERVICE" "$WATCH_BRANCH" "$work" <<'EOF'
import json, sys
seeds, service, watch_branch, work = sys.argv[1:]
branches = [b["id"] for b in json.load(open(f"{seeds}/branches.json"))]
counters = [c for c in json.load(open(f"{seeds}/counters.json")) if service in c["service_ids"]]
with open(f"{work}/branches.txt", "w") as f:
    f.write(",".join(branches) + "\n")
# The cycle's counters, and the branches once per such counter: issuing round robin over this list fills
# every branch's queue in proportion to the counters that drain it.
with open(f"{work}/counters.txt", "w") as f:
    f.writelines(f"{c['branch_id']} {c['id']}\n" for c in counters)
with open(f"{work}/cycle-branches.txt", "w") as f:
    f.write(",".join(c["branch_id"] for c in counters) + "\n")
with open(f"{work}/watch-counters.txt", "w") as f:
    f.writelines(f"{c['id']}\n" for c in counters if c["branch_id"] == watch_branch)
EOF
all_branches=$(cat "$work/branches.txt")
[[ -n $ISSUE_BRANCHES ]] || ISSUE_BRANCHES=$all_branches
cycle_branches=$(cat "$work/cycle-branches.txt")
cycle_counters=$(wc -l <"$work/counters.txt")
mapfile -t watch_counters <"$work/watch-counters.txt"
(( ${#watch_counters[@]} > 0 )) || fail "no counter of $WATCH_BRANCH serves $SERVICE"

# One PredictWait request on the wire for h2load: flag 0, 4-byte length, the message.
printf 'branch_id: "%s"\nservice_id: "%s"\n' "$PREDICT_BRANCH" "$SERVICE" \
  | protoc -I Protos --encode=motcua.v1.PredictWaitRequest motcua/v1/kiosk.proto >"$work/message.bin"
{ printf '\0'; printf "%08x" "$(wc -c <"$work/message.bin")" | xxd -r -p; cat "$work/message.bin"; } >"$work/body"

# ---- servers -----------------------------------------------------------------------------------------------
# MotCua servers measure their CPU by stage (see stage_totals) while stage_args is (--stage-cpu): in the write
# workloads, when the server has the option. The read-only PredictWait and the watch run leave it off.
stage_cpu_args=()
if [[ $STAGE_CPU == 1 ]] && "$NEW" serve --help 2>&1 | grep -q -- '--stage-cpu'; then stage_cpu_args=(--stage-cpu); fi
stage_args=()
declare -A log_of  # PID → the server's log
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start NAME → PID, PORT, TOKEN (MotCua: a fresh database and a city-wide manager token, made before the
# server starts). NAME: motcua, motcua-nogc (group commit off), reference, or motcua-pg-* (a server on the round's
# PostgreSQL database PG_URL, whose TOKEN pg_database made; several may share it).
start() {
  local name=$1 db
  PORT=$(free_port)
  case "$name" in
    reference) TOKEN=; "$REFERENCE" "127.0.0.1:$PORT" >"$work/$name.log" 2>&1 & ;;
    motcua-pg*)
      "$NEW" serve --postgres "$PG_URL" --postgres-pool-size "$PG_POOL_SIZE" --pii-key-file "$work/pii.key" \
        --seeds "$repo/seeds" --listen "127.0.0.1:$PORT" --ignore-opening-hours --anonymous-rate 1000000000 \
        "${stage_args[@]}" >"$work/$name.log" 2>&1 &
      ;;
    motcua*)
      db=$work/db-$name
      rm -rf "$db"; mkdir -p "$db"
      TOKEN=$("$NEW" token create --db "$db/motcua.sqlite" --seeds "$repo/seeds" --role manager \
        --label performance-benchmark) || fail "$name: token create"
      local extra=()
      [[ $name == motcua-nogc ]] && read -r -a extra <<<"$GROUP_COMMIT_OFF_ARGS"
      "$NEW" serve --db "$db/motcua.sqlite" --seeds "$repo/seeds" --listen "127.0.0.1:$PORT" \
        --ignore-opening-hours --anonymous-rate 1000000000 "${extra[@]}" "${stage_args[@]}" >"$work/$name.log" 2>&1 &
      ;;
  esac
  PID=$!
  pids+=("$PID")
  log_of[$PID]=$work/$name.log
  for _ in $(seq 1 600); do
    kill -0 "$PID" 2>/dev/null || { cat "$work/$name.log" >&2; fail "$name exited at start"; }
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then return; fi
    sleep 0.1
  done
  cat "$work/$name.log" >&2; fail "$name did not listen on 127.0.0.1:$PORT within 60 s"
}

# stop NAME: SIGTERM, then SIGKILL after 15 s (reported: a server that does not stop is a finding).
stop() {
  kill "$PID" 2>/dev/null || true
  for _ in $(seq 1 150); do
    kill -0 "$PID" 2>/dev/null || { wait "$PID" 2>/dev/null || true; return; }
    sleep 0.1
  done
  echo "WARNING: $1 (pid $PID) did not stop within 15 s of SIGTERM; killed" | tee /dev/stderr
  kill -9 "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
}

# stage_totals PID…: the servers' CPU by stage so far, summed (`decode=µs predict=µs …`): each logs its totals on
# SIGUSR1 (`motcua serve --stage-cpu`).
stage_totals() {
  local pid log n
  for pid in "$@"; do
    log=${log_of[$pid]}
    n=$(grep -c 'stage CPU µs:' "$log" || true)
    kill -USR1 "$pid"
    for _ in $(seq 1 100); do
      (( $(grep -c 'stage CPU µs:' "$log" || true) > n )) && break
      sleep 0.05
    done
    (( $(grep -c 'stage CPU µs:' "$log" || true) > n )) || fail "$current: pid $pid logged no stage CPU after SIGUSR1"
    grep 'stage CPU µs:' "$log" | tail -1 | sed 's/.*stage CPU µs: //'
  done | awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); k[i] = kv[1]; s[i] += kv[2] } n = NF }
    END { for (i = 1; i <= n; i++) printf "%s%s=%d", (i > 1 ? " " : ""), k[i], s[i]; print "" }'
}
# stage_note BEFORE AFTER CALLS CPU_PER_CALL: the CPU per call by stage between two stage_totals; what the stages
# leave of the servers' CPU per call is the transport (HTTP/2, gRPC framing, event loops, task scheduling).
stage_note() {
  awk -v a="$1" -v b="$2" -v n="$3" -v total="$4" 'BEGIN {
    k = split(a, A, " "); split(b, B, " "); line = "µs/c by stage:"; sum = 0
    for (i = 1; i <= k; i++) {
      split(A[i], x, "="); split(B[i], y, "="); v = (y[2] - x[2]) / n; sum += v; name = x[1]; gsub("_", " ", name)
      line = line sprintf(" %s %.0f,", name, v)
    }
    printf "%s transport & rest %.0f", line, total - sum }'
}

stage_legend() {
  if (( ${#stage_args[@]} )); then
    echo "µs/c by stage: MotCua's own accounts (motcua serve --stage-cpu: thread CPU of each section, nested sections"
    echo "  counted once); transport & rest = µs CPU/c − the stages; with group commit off, store leaves out GRDB's COMMIT;"
    echo "  on PostgreSQL, store is not measured (the driver's work is in transport & rest)"
  else
    echo "µs/c by stage: not measured (STAGE_CPU=0, or $NEW serve has no --stage-cpu)"
  fi
}

cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / hz }' "/proc/$1/stat"; }
rss_mb() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# ---- PostgreSQL (pg-issue): one server for the whole run, a fresh database per round ------------------------
# pg_start: start it (once) in a directory of its own (as root the server runs as `postgres`, which must be able
# to enter it, so not under $work) → pg_base, the URL of its `motcua` database; a PII key all servers share.
pg_start() {
  [[ -z $pgdir ]] || return 0
  pgdir=$(mktemp -d "${WORK_DIR:-${TMPDIR:-/tmp}}/motcua-perf-pg.XXXXXX")
  note "starting PostgreSQL in $pgdir"
  pg_base=$(scripts/postgres-server.sh start "$pgdir" | tail -1) \
    || { tail -20 "$pgdir/server.log" >&2 2>/dev/null; fail "scripts/postgres-server.sh start $pgdir"; }
  head -c 32 /dev/urandom >"$work/pii.key"; chmod 600 "$work/pii.key"
  echo "PostgreSQL: $("$pg_bindir/postgres" --version), scripts/postgres-server.sh (fsync and synchronous_commit" \
    "on, shared_buffers 128MB) in $pgdir ($(stat -f -c %T "$pgdir")); each server's pool at most $PG_POOL_SIZE connections"
}
pg_sql() { "$pg_bindir/psql" "${pg_base%/*}/postgres" -Atq -v ON_ERROR_STOP=1 -c "$1" >/dev/null; }
# pg_database ROUND → PG_URL (a new, empty database) and TOKEN (a city-wide manager token, made before the servers
# start: `token create` migrates and seeds the database, as on SQLite).
pg_database() {
  pg_db=motcua_perf_$1_$RANDOM
  pg_sql "CREATE DATABASE $pg_db" || fail "CREATE DATABASE $pg_db"
  PG_URL=${pg_base%/*}/$pg_db
  TOKEN=$("$NEW" token create --postgres "$PG_URL" --seeds "$repo/seeds" --role manager \
    --label performance-benchmark | tail -1) || fail "token create --postgres $PG_URL"
  [[ -n $TOKEN ]] || fail "token create --postgres $PG_URL printed no token"
}
# pg_drop: drop the round's database once its servers have stopped (KEEP=1 keeps it).
pg_drop() {
  [[ ${KEEP:-0} == 1 ]] || pg_sql "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" || echo "WARNING: could not drop $pg_db" >&2
}
# pg_cpu_seconds: PostgreSQL's CPU (user + system): the postmaster's own and its reaped children's (cutime,
# cstime), plus its live children's (backends, WAL writer, checkpointer, …), so a backend that exits in between
# is still counted.
pg_cpu_seconds() {
  local master child
  master=$(head -1 "$pgdir/data/postmaster.pid")
  { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$master/stat"
    for child in $(pgrep -P "$master"); do awk '{ print $14 + $15 }' "/proc/$child/stat" 2>/dev/null || true; done
  } | awk -v hz="$(getconf CLK_TCK)" '{ s += $1 } END { printf "%.3f", s / hz }'
}

# ---- the load generator ------------------------------------------------------------------------------------
# field FILE NAME: a field of the RESULT line.
field() {
  awk -v f="$2" '/^RESULT / { for (i = 2; i <= NF; i++) { k = $i; sub(/=.*/, "", k); if (k == f) { v = $i; sub(/^[^=]*=/, "", v) } } }
    END { print v }' "$1"
}
# statuses FILE: the non-OK statuses, "code:count …", or 0.
statuses() {
  awk '/^RESULT / { s = ""; for (i = 2; i <= NF; i++) if ($i ~ /^status_/ && $i !~ /^status_0=/ && $i !~ /=0$/) {
      v = $i; sub(/^status_/, "", v); sub(/=/, ":", v); s = s (s == "" ? "" : ",") v }
    print (s == "" ? "0" : s) }' "$1"
}

# lg OUT MODE ARGS…: run the load generator against the current server; fail on a bad exit or lost calls.
lg() { lg_at "127.0.0.1:$PORT" "$@"; }
# lg_at TARGET OUT MODE ARGS…: the same against TARGET (HOST:PORT).
lg_at() {
  local target=$1 out=$2 mode=$3; shift 3
  local code=0
  "$LOADGEN" "$mode" --target "$target" --timeout-ms "$TIMEOUT_MS" "$@" >"$out" 2>&1 || code=$?
  lg_verify "$out" "$mode" "$code"
}
# lg_verify OUT MODE EXIT_CODE: fail on a bad exit, no RESULT line, or lost calls.
lg_verify() {
  local out=$1 mode=$2 code=$3
  if (( code != 0 )) || ! grep -q '^RESULT ' "$out"; then
    cat "$out" >&2; fail "motcua-loadgen $mode exited $code against $current"
  fi
  local transport; transport=$(field "$out" transport)
  (( transport == 0 )) || { cat "$out" >&2; fail "$current: $transport calls lost with their connection ($mode)"; }
}
# lg_split OUT CALLS CONNECTIONS RUN MODE ARGS…: one load generator per target in TARGETS (HOST:PORT; a target
# may repeat), all started at once, each with its share of CALLS and CONNECTIONS (the first get the remainder) and
# the run id RUN-1, RUN-2, … (distinct idempotency keys); their outputs in OUT.1, OUT.2, …, merged into OUT.
lg_split() {
  local out=$1 n=$2 c=$3 run=$4 mode=$5; shift 5
  local k=${#TARGETS[@]} i code lgpids=() outs=()
  (( n >= k && c >= k )) || fail "$current: $n calls over $c connections cannot be split over $k load generators"
  for (( i = 0; i < k; i++ )); do
    "$LOADGEN" "$mode" --target "${TARGETS[i]}" --timeout-ms "$TIMEOUT_MS" "$@" \
      -n $(( n / k + (i < n % k) )) -c $(( c / k + (i < c % k) )) --run-id "$run-$(( i + 1 ))" >"$out.$(( i + 1 ))" 2>&1 &
    lgpids+=("$!"); pids+=("$!"); outs+=("$out.$(( i + 1 ))")
  done
  for (( i = 0; i < k; i++ )); do
    code=0; wait "${lgpids[i]}" || code=$?
    lg_verify "$out.$(( i + 1 ))" "$mode" "$code"
  done
  merge_results "${outs[@]}" >"$out"
}
# merge_results FILE…: one RESULT line from several load generators' that ran at once: counts (calls, ok,
# statuses, tickets, loadgen CPU, …) summed; seconds, p50/p90/p99/max the worst of them (percentiles cannot be
# merged from summaries); mean weighted by calls; calls_per_s = all the OK calls ÷ the longest window.
merge_results() {
  awk '/^RESULT / {
      delete f
      for (i = 2; i <= NF; i++) { k = $i; sub(/=.*/, "", k); v = $i; sub(/^[^=]*=/, "", v); f[k] = v
        if (!(k in seen)) { seen[k] = 1; order[++n] = k } }
      for (k in f) {
        if (k == "mode") r[k] = f[k]
        else if (k == "target") r[k] = (r[k] == "" ? "" : r[k] "+") f[k]
        else if (k == "mean_ms") wsum += f[k] * f["calls"]
        else if (k == "seconds" || k ~ /^p[0-9]+_ms$/ || k == "max_ms") { if (f[k] + 0 > r[k] + 0) r[k] = f[k] }
        else r[k] += f[k]
      } }
    END {
      r["calls_per_s"] = sprintf("%.1f", r["seconds"] > 0 ? r["ok"] / r["seconds"] : 0)
      if ("mean_ms" in seen) r["mean_ms"] = sprintf("%.3f", r["calls"] > 0 ? wsum / r["calls"] : 0)
      line = "RESULT"; for (i = 1; i <= n; i++) line = line " " order[i] "=" r[order[i]]
      print line }' "$@"
}

# check OUT WANT: the sample run must have WANT calls, all OK.
check_ok() {
  local calls ok
  calls=$(field "$1" calls); ok=$(field "$1" ok)
  [[ $calls == "$2" && $ok == "$2" ]] || { cat "$1" >&2; fail "$current: the sample call failed ($ok of $calls OK)"; }
}

# ---- rows, ratios, the summary -----------------------------------------------------------------------------
declare -A rate p50 p99 errs cpu xcpu lgcpu peak extra ratios
# header TITLE [COLUMN]: a table; COLUMN names an extra column after the CPU per call (values in xcpu, "-" if none).
header() {
  xcol=${2:-}
  echo
  echo "== $1"
  printf "%-5s %-12s %9s %8s %8s %-12s %9s ${xcol:+%9s }%7s %7s %8s %8s  %s\n" round server calls/s "p50 ms" "p99 ms" \
    errors "µs CPU/c" ${xcol:+"$xcol"} "lg µs/c" "peak MB" "×calls/s" "×CPU" "notes"
}
# measure NAME OUT CALLS BEFORE AFTER: record a measured run (rate and latency from OUT's RESULT line).
record() {
  local name=$1 out=$2 calls=$3 before=$4 after=$5
  rate[$name]=$(field "$out" calls_per_s)
  p50[$name]=$(field "$out" p50_ms)
  p99[$name]=$(field "$out" p99_ms)
  errs[$name]=$(statuses "$out")
  cpu[$name]=$(awk -v a="$before" -v b="$after" -v n="$calls" 'BEGIN { printf "%.1f", (b - a) * 1e6 / n }')
  lgcpu[$name]=$(awk -v c="$(field "$out" loadgen_cpu_s)" -v n="$calls" 'BEGIN { printf "%.1f", c * 1e6 / n }')
  peak[$name]=$(rss_mb "$PID")
}
# rows SECTION ROUND NAMES…: print the round's rows with the ratio to the reference; remember the ratios.
rows() {
  local section=$1 round=$2 name r c; shift 2
  for name in "$@"; do
    if [[ $name == reference ]]; then r=1; c=1; else
      r=$(awk -v x="${rate[$name]}" -v y="${rate[reference]}" 'BEGIN { printf "%.2f", x / y }')
      c=$(awk -v x="${cpu[$name]}" -v y="${cpu[reference]}" 'BEGIN { printf "%.2f", x / y }')
      ratios["$section|$name"]+="$r/$c "
    fi
    printf "%-5s %-12s %9.0f %8s %8s %-12s %9s ${xcol:+%9s }%7s %7s %8s %8s  %s\n" "$round" "$name" "${rate[$name]}" \
      "${p50[$name]}" "${p99[$name]}" "${errs[$name]}" "${cpu[$name]}" ${xcol:+"${xcpu[$name]:--}"} "${lgcpu[$name]}" \
      "${peak[$name]}" "$r" "$c" "${extra[$name]:-}"
  done
}

# ---- the workloads: each runs one server (fresh) and leaves its figures in the arrays -------------------------
# predict_load NAME CONNECTIONS STREAMS CALLS
predict_load() {
  local name=$1 c=$2 m=$3 n=$4 before after
  lg "$work/one.txt" predict --branch "$PREDICT_BRANCH" --service "$SERVICE" -n 1 -c 1 -m 1
  check_ok "$work/one.txt" 1
  lg "$work/warm.txt" predict --branch "$PREDICT_BRANCH" --service "$SERVICE" -n "$PREDICT_WARMUP" -c "$c" -m "$m"
  before=$(cpu_seconds "$PID")
  lg "$work/run.txt" predict --branch "$PREDICT_BRANCH" --service "$SERVICE" -n "$n" -c "$c" -m "$m"
  after=$(cpu_seconds "$PID")
  record "$name" "$work/run.txt" "$n" "$before" "$after"
  extra[$name]=
}

predict_h2load() {
  local name=$1 before after succeeded
  local h2=(-t 1 -d "$work/body" -H 'content-type: application/grpc' -H 'te: trailers'
    "http://127.0.0.1:$PORT/motcua.v1.KioskService/PredictWait")
  h2load -n 1 -c 1 -m 1 "${h2[@]}" >"$work/one.txt" 2>&1 || true
  grep -q "1 succeeded" "$work/one.txt" || { cat "$work/one.txt" >&2; fail "$current: the h2load sample call failed"; }
  h2load -n "$PREDICT_WARMUP" -c 16 -m 32 "${h2[@]}" >/dev/null 2>&1
  before=$(cpu_seconds "$PID")
  h2load -n "$PREDICT_CALLS" -c 16 -m 32 "${h2[@]}" >"$work/h2load.txt" 2>&1 || true
  after=$(cpu_seconds "$PID")
  succeeded=$(awk '/^requests:/ { for (i = 1; i <= NF; i++) if ($(i+1) == "succeeded,") print $i }' "$work/h2load.txt")
  [[ $succeeded == "$PREDICT_CALLS" ]] || { cat "$work/h2load.txt" >&2; fail "$current: h2load: $succeeded of $PREDICT_CALLS succeeded"; }
  rate[$name]=$(awk '/^finished in/ { gsub(",", "", $4); print $4 }' "$work/h2load.txt")
  p50[$name]=-; p99[$name]=-; errs[$name]=n/a; lgcpu[$name]=-
  cpu[$name]=$(awk -v a="$before" -v b="$after" -v n="$PREDICT_CALLS" 'BEGIN { printf "%.1f", (b - a) * 1e6 / n }')
  peak[$name]=$(rss_mb "$PID")
  extra[$name]=$(awk '/^time for request:/ { print "h2load mean " $6 ", max " $5 }' "$work/h2load.txt")
}

# issue_load NAME [PORT PID]…: the IssueTicket load on the current server, or split over the servers given (one
# load generator per PORT PID pair, at once; a pair may repeat: two load generators on one server). Server CPU
# is summed over the distinct PIDs; motcua-pg also gets PostgreSQL's CPU per call (xcpu).
issue_load() {
  local name=$1; shift
  local before after pg_before= pg_after= run=bench-$RANDOM$RANDOM tickets replayed target i stages_before=
  local args=(--branches "$ISSUE_BRANCHES" --service "$SERVICE" -m "$ISSUE_STREAMS") spids=() TARGETS=()
  [[ -n $TOKEN ]] && args+=(--token "$TOKEN")
  while (( $# )); do
    TARGETS+=("127.0.0.1:$1"); [[ " ${spids[*]} " == *" $2 "* ]] || spids+=("$2"); shift 2
  done
  # One sample call per server.
  local samples=("${TARGETS[@]}")
  (( ${#samples[@]} )) || samples=("127.0.0.1:$PORT")
  for target in $(printf '%s\n' "${samples[@]}" | sort -u); do
    lg_at "$target" "$work/one.txt" issue "${args[@]}" -n 1 -c 1 -m 1 --run-id "$run-s${target##*:}"
    check_ok "$work/one.txt" 1
    [[ $name == reference || $(field "$work/one.txt" tickets) == 1 ]] || fail "$current: the sample answer had no ticket"
  done
  if (( ${#TARGETS[@]} == 0 )); then
    spids=("$PID")
    lg "$work/warm.txt" issue "${args[@]}" -c "$ISSUE_CONNECTIONS" -n "$ISSUE_WARMUP" --run-id "$run-w"
    [[ $name != reference && ${#stage_args[@]} -gt 0 ]] && stages_before=$(stage_totals "${spids[@]}")
    before=$(cpu_seconds "$PID")
    lg "$work/run.txt" issue "${args[@]}" -c "$ISSUE_CONNECTIONS" -n "$ISSUE_CALLS" --run-id "$run-m"
    after=$(cpu_seconds "$PID")
  else
    lg_split "$work/warm.txt" "$ISSUE_WARMUP" "$ISSUE_CONNECTIONS" "$run-w" issue "${args[@]}"
    if [[ $name == motcua-pg ]]; then pg_before=$(pg_cpu_seconds); fi
    [[ $name != reference && ${#stage_args[@]} -gt 0 ]] && stages_before=$(stage_totals "${spids[@]}")
    before=$(for i in "${spids[@]}"; do cpu_seconds "$i"; echo; done | awk '{ s += $1 } END { print s }')
    lg_split "$work/run.txt" "$ISSUE_CALLS" "$ISSUE_CONNECTIONS" "$run-m" issue "${args[@]}"
    after=$(for i in "${spids[@]}"; do cpu_seconds "$i"; echo; done | awk '{ s += $1 } END { print s }')
    if [[ $name == motcua-pg ]]; then pg_after=$(pg_cpu_seconds); fi
  fi
  record "$name" "$work/run.txt" "$ISSUE_CALLS" "$before" "$after"
  if (( ${#spids[@]} > 1 )); then
    peak[$name]=$(for i in "${spids[@]}"; do rss_mb "$i"; echo; done | paste -sd /)
  fi
  xcpu[$name]=
  if [[ -n $pg_before ]]; then
    xcpu[$name]=$(awk -v a="$pg_before" -v b="$pg_after" -v n="$ISSUE_CALLS" 'BEGIN { printf "%.1f", (b - a) * 1e6 / n }')
  fi
  tickets=$(field "$work/run.txt" tickets); replayed=$(field "$work/run.txt" replayed)
  extra[$name]=
  if [[ $name != reference ]]; then
    extra[$name]="tickets $tickets, replayed $replayed"
    [[ $tickets == "$(field "$work/run.txt" ok)" && $replayed == 0 ]] || extra[$name]+=" (WRONG: every OK answer must be a new ticket)"
  fi
  if [[ -n $stages_before ]]; then
    extra[$name]+="; $(stage_note "$stages_before" "$(stage_totals "${spids[@]}")" "$ISSUE_CALLS" "${cpu[$name]}")"
  fi
}

cycle_load() {
  local name=$1 before after cycles empty need stages_before=
  local args=(--counters-file "$work/counters.txt" -c "$CYCLE_CONNECTIONS")
  if [[ $name == reference ]]; then
    args+=(--always-complete)
    lg "$work/one.txt" counter-cycle --counters "$(head -1 "$work/counters.txt" | tr ' ' /)" --always-complete -n 2
    check_ok "$work/one.txt" 2
  else
    args+=(--token "$TOKEN")
    # Fill the queues (not measured): a ticket for every cycle to come and a fifth more, each branch in
    # proportion to its counters.
    need=$(( (CYCLE_WARMUP + CYCLE_CALLS) * 6 / 10 + cycle_counters ))
    note "$current: issuing $need tickets to call"
    lg "$work/fill.txt" issue --branches "$cycle_branches" --service "$SERVICE" -n "$need" -c 4 -m 16 \
      --token "$TOKEN" --run-id "fill-$RANDOM$RANDOM"
    [[ $(field "$work/fill.txt" tickets) == "$need" ]] || { cat "$work/fill.txt" >&2; fail "$current: filling the queues"; }
    # The sample: open every counter, then one cycle at one counter.
    lg "$work/one.txt" counter-cycle --counters "$(head -1 "$work/counters.txt" | tr ' ' /)" --open \
      --service "$SERVICE" --token "$TOKEN" -n 2
    check_ok "$work/one.txt" 2
    [[ $(field "$work/one.txt" called) == 1 ]] || { cat "$work/one.txt" >&2; fail "$current: the sample CallNext called no ticket"; }
    args+=(--open --service "$SERVICE")
  fi
  lg "$work/warm.txt" counter-cycle "${args[@]}" -n "$CYCLE_WARMUP"
  [[ $name != reference && ${#stage_args[@]} -gt 0 ]] && stages_before=$(stage_totals "$PID")
  before=$(cpu_seconds "$PID")
  lg "$work/run.txt" counter-cycle "${args[@]}" -n "$CYCLE_CALLS"
  after=$(cpu_seconds "$PID")
  record "$name" "$work/run.txt" "$(field "$work/run.txt" calls)" "$before" "$after"
  cycles=$(field "$work/run.txt" cycles); empty=$(field "$work/run.txt" empty)
  extra[$name]="cycles/s $(field "$work/run.txt" cycles_per_s); CallNext p99 $(field "$work/run.txt" callnext_p99_ms), Complete p99 $(field "$work/run.txt" complete_p99_ms)"
  [[ $name == reference ]] || extra[$name]+="; called $(field "$work/run.txt" called), empty $empty"
  if [[ -n $stages_before ]]; then
    extra[$name]+="; $(stage_note "$stages_before" "$(stage_totals "$PID")" "$(field "$work/run.txt" calls)" "${cpu[$name]}")"
  fi
}

# watch_load: WATCHERS streams on WATCH_BRANCH; every WATCH_TICK s, issue WATCH_ISSUES_PER_TICK tickets and run
# WATCH_CALLS_PER_TICK cycles at the branch's counters, until the watch run ends.
watch_load() {
  local before after watch_pid ready=0 tick=0 counter deadline
  # Open the branch's counters (and check a sample: a ticket issued, called, completed).
  lg "$work/one.txt" issue --branches "$WATCH_BRANCH" --service "$SERVICE" -n 1 -c 1 -m 1 --token "$TOKEN" \
    --run-id "wsample-$RANDOM$RANDOM"
  check_ok "$work/one.txt" 1
  lg "$work/open.txt" counter-cycle --counters "$(IFS=,; echo "${watch_counters[*]}")" --open --service "$SERVICE" \
    --until-empty --token "$TOKEN"
  [[ $(field "$work/open.txt" called) == 1 ]] || { cat "$work/open.txt" >&2; fail "$current: the sample ticket was not called"; }
  "$LOADGEN" watch --target "127.0.0.1:$PORT" --branch "$WATCH_BRANCH" --watchers "$WATCHERS" \
    -c "$WATCH_CONNECTIONS" --duration "$WATCH_SECONDS" --timeout-ms 60000 >"$work/watch.txt" 2>&1 &
  watch_pid=$!
  pids+=("$watch_pid")
  for _ in $(seq 1 700); do
    grep -q '^READY ' "$work/watch.txt" && { ready=1; break; }
    kill -0 "$watch_pid" 2>/dev/null || break
    sleep 0.1
  done
  if (( ! ready )); then
    kill "$watch_pid" 2>/dev/null || true; wait "$watch_pid" 2>/dev/null || true
    cat "$work/watch.txt" >&2; fail "$current: $WATCHERS watch streams did not all open (no READY line)"
  fi
  before=$(cpu_seconds "$PID")
  : >"$work/drive.txt"
  # Drive until WATCH_SETTLE s before the watch run stops (SECONDS counts whole seconds: 1 s early at most).
  local drive_end=$(( SECONDS + WATCH_SECONDS - WATCH_SETTLE )) deadline=$(( SECONDS + WATCH_SECONDS + 120 ))
  while kill -0 "$watch_pid" 2>/dev/null; do
    (( SECONDS < deadline )) || { kill -9 "$watch_pid"; fail "$current: the watch run did not end (a hang?)"; }
    (( SECONDS < drive_end )) || { sleep 0.2; continue; }
    (( tick++ )) || true
    lg "$work/tick.txt" issue --branches "$WATCH_BRANCH" --service "$SERVICE" -n "$WATCH_ISSUES_PER_TICK" -c 1 -m 1 \
      --token "$TOKEN" --run-id "w$tick-$RANDOM$RANDOM"
    grep '^RESULT ' "$work/tick.txt" >>"$work/drive.txt"
    counter=${watch_counters[$(( tick % ${#watch_counters[@]} ))]}
    lg "$work/tick.txt" counter-cycle --counters "$counter" -n $(( 2 * WATCH_CALLS_PER_TICK )) -c 1 --token "$TOKEN"
    grep '^RESULT ' "$work/tick.txt" >>"$work/drive.txt"
    sleep "$WATCH_TICK"
  done
  local code=0
  wait "$watch_pid" || code=$?
  (( code == 0 )) || { cat "$work/watch.txt" >&2; fail "$current: motcua-loadgen watch exited $code"; }
  after=$(cpu_seconds "$PID")
  grep -q '^RESULT ' "$work/watch.txt" || { cat "$work/watch.txt" >&2; fail "$current: no RESULT from watch"; }
  local f=$work/watch.txt
  awk -v cpu="$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.2f", b - a }')" -v peak="$(rss_mb "$PID")" \
    -v round="$round" -v secs="$WATCH_SECONDS" \
    -v drive="$(awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "calls") c += kv[2];
        if (kv[1] == "errors") e += kv[2] } } END { printf "%d calls, %d errors", c, e }' "$work/drive.txt")" \
    '/^RESULT / { for (i = 2; i <= NF; i++) { k = $i; sub(/=.*/, "", k); v = $i; sub(/^[^=]*=/, "", v); r[k] = v }
      made = (r["server_sequence"] == "unknown" ? r["last_sequence"] : r["server_sequence"]) - r["first_sequence"]
      printf "%-5s %7s %7s %8s %9.0f %8s %8s %8s %7s %7s %8s %7s  %s\n", round, r["opened"], made, r["events"],
        r["events"] / secs, r["p50_ms"], r["p99_ms"], r["max_ms"], r["missed_events"], r["events_behind"], cpu, peak,
        sprintf("%.1f µs CPU/delivery; ", r["events"] > 0 ? cpu * 1e6 / r["events"] : 0) "load: " drive \
        "; streams ended early " r["ended"] ", missing " r["streams_missing"] }' "$f"
  [[ $(field "$f" opened) == "$WATCHERS" ]] || echo "WARNING: only $(field "$f" opened) of $WATCHERS streams opened"
  if ! awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^errors=/ && $i != "errors=0") bad = 1 } END { exit bad }' "$work/drive.txt"; then
    echo "WARNING: the issue/call load during the watch run had errors"
  fi
}

# ---- the run -----------------------------------------------------------------------------------------------
echo "MotCua performance benchmark (issue 10) — $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources Package.swift || echo ' (+ uncommitted changes)')"
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)$(awk '$1 > 1 { printf " — shared with other work" }' /proc/loadavg)"
echo "NEW=$NEW (built $(date -u -r "$NEW" +%FT%TZ))"
echo "REFERENCE=$REFERENCE"
echo "LOADGEN=$LOADGEN"
echo "rounds $ROUNDS; database directory $work ($(stat -f -c %T "$work"))"

if (( DISK_PROBE_SECONDS > 0 )); then
  python3 - "$work" "$DISK_PROBE_SECONDS" <<'EOF'
import os, sqlite3, sys, time
work, seconds = sys.argv[1], float(sys.argv[2])
path = os.path.join(work, "fsync-probe")
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
n, start = 0, time.monotonic()
while time.monotonic() - start < seconds:
    os.write(fd, b"x" * 4096); os.fsync(fd); n += 1
fsyncs = n / (time.monotonic() - start)
os.close(fd); os.unlink(path)
db = sqlite3.connect(os.path.join(work, "probe.sqlite"), isolation_level=None)
db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=FULL"); db.execute("CREATE TABLE t (x)")
n, start = 0, time.monotonic()
while time.monotonic() - start < seconds:
    db.execute("INSERT INTO t VALUES (?)", (n,)); n += 1
commits = n / (time.monotonic() - start)
db.close()
for suffix in ("", "-wal", "-shm"):
    try: os.unlink(os.path.join(work, "probe.sqlite" + suffix))
    except FileNotFoundError: pass
print(f"disk: {fsyncs:,.0f} fsyncs/s (4 KiB append + fsync); SQLite WAL synchronous=FULL: {commits:,.0f} "
      f"single-row commits/s — what bounds one transaction per IssueTicket")
EOF
fi
# The SQLite floor: an IssueTicket's statements alone, on one thread (sqlite-floor.py). Its ceiling (tickets/s)
# against each round's reference is printed in the summary.
floor_ceiling=
if [[ " $WORKLOADS " == *" issue "* ]] && (( DISK_PROBE_SECONDS > 0 )); then
  WORK_DIR=$work python3 "$repo/Benchmarks/performance/sqlite-floor.py" "$NEW" 20000 64 >"$work/floor.txt"
  sed 1d "$work/floor.txt" | sed 's/^ */SQLite floor: /'
  floor_ceiling=$(sed -nE 's/.*commit at most ([0-9,]+) tickets.*/\1/p' "$work/floor.txt" | tr -d ,)
fi
# The PostgreSQL floor: an IssueTicket's statements alone, sent by pgbench to a PostgreSQL of its own
# (postgres-floor.py); its ceiling with every CPU given to PostgreSQL goes in the summary too.
pg_floor_ceiling=
if [[ " $WORKLOADS " == *" pg-issue "* ]] && (( DISK_PROBE_SECONDS > 0 )); then
  WORK_DIR=${WORK_DIR:-${TMPDIR:-/tmp}} python3 "$repo/Benchmarks/performance/postgres-floor.py" "$NEW" 10 32 \
    >"$work/pg-floor.txt" \
    || { cat "$work/pg-floor.txt" >&2; fail "postgres-floor.py"; }
  sed 's/^ */PostgreSQL floor: /; s/^PostgreSQL floor: PostgreSQL floor: /PostgreSQL floor: /' "$work/pg-floor.txt"
  pg_floor_ceiling=$(sed -nE 's/.*commit at most ([0-9,]+) tickets.*/\1/p' "$work/pg-floor.txt" | tr -d ,)
fi

for workload in $WORKLOADS; do
  case "$workload" in issue | pg-issue | cycle) stage_args=("${stage_cpu_args[@]}") ;; *) stage_args=() ;; esac
  case "$workload" in
    predict)
      for variant in 16x32 2x32 h2load; do
        [[ $variant == h2load && $H2LOAD != 1 ]] && continue
        case $variant in
          16x32) header "PredictWait — motcua-loadgen, 16 connections × 32 streams, $PREDICT_CALLS calls (after $PREDICT_WARMUP)" ;;
          2x32) header "PredictWait — motcua-loadgen, 2 connections × 32 streams (64 in flight), $PREDICT64_CALLS calls (after $PREDICT_WARMUP)" ;;
          h2load) header "PredictWait — h2load, 16 × 32, $PREDICT_CALLS calls (after $PREDICT_WARMUP; statuses not seen, HTTP 200 only)" ;;
        esac
        for round in $(seq 1 "$ROUNDS"); do
          for current in motcua reference; do
            note "PredictWait $variant round $round: $current"
            start "$current"
            case $variant in
              16x32) predict_load "$current" 16 32 "$PREDICT_CALLS" ;;
              2x32) predict_load "$current" 2 32 "$PREDICT64_CALLS" ;;
              h2load) predict_h2load "$current" ;;
            esac
            stop "$current"
          done
          rows "PredictWait $variant" "$round" motcua reference
        done
      done
      ;;
    issue)
      names=(motcua)
      [[ -n $GROUP_COMMIT_OFF_ARGS ]] && names+=(motcua-nogc)
      names+=(reference)
      header "IssueTicket — a fresh key per call, $(tr -cd , <<<"$ISSUE_BRANCHES" | wc -c | awk '{ print $1 + 1 }') branches round robin, $ISSUE_CONNECTIONS × $ISSUE_STREAMS streams, $ISSUE_CALLS calls (after $ISSUE_WARMUP)"
      if [[ -n $GROUP_COMMIT_OFF_ARGS ]]; then echo "motcua-nogc: motcua serve $GROUP_COMMIT_OFF_ARGS (one transaction and fsync per command)"
      else echo "group commit off: not run (GROUP_COMMIT_OFF_ARGS is empty)"; fi
      stage_legend
      for round in $(seq 1 "$ROUNDS"); do
        for current in "${names[@]}"; do
          note "IssueTicket round $round: $current"
          start "$current"; issue_load "$current"; stop "$current"
        done
        rows IssueTicket "$round" "${names[@]}"
        [[ -n $floor_ceiling ]] && ratios["IssueTicket|SQLite floor ceiling"]+="$(awk -v x="$floor_ceiling" \
          -v y="${rate[reference]}" 'BEGIN { printf "%.2f", x / y }') "
      done
      ;;
    pg-issue)
      pg_start
      header "IssueTicket on PostgreSQL through two servers — the issue load ($ISSUE_CALLS calls after $ISSUE_WARMUP, $ISSUE_CONNECTIONS × $ISSUE_STREAMS streams in all, $(tr -cd , <<<"$ISSUE_BRANCHES" | wc -c | awk '{ print $1 + 1 }') branches round robin) split over two motcua-loadgen processes at once, half the calls and connections each" "pg µs/c"
      echo "motcua-pg: two servers on a fresh database of one PostgreSQL, one load generator on each; reference: both load generators on the one server"
      echo "calls/s: OK calls of both ÷ the longer run; p50, p99: the worse of the two; µs CPU/c: both servers; pg µs/c: PostgreSQL's processes (/proc; not in ×CPU); lg µs/c: both load generators; peak MB: each server"
      stage_legend
      for round in $(seq 1 "$ROUNDS"); do
        current=motcua-pg
        note "IssueTicket on PostgreSQL round $round: two servers"
        pg_database "$round"
        start motcua-pg-a; pg_pid_a=$PID; pg_port_a=$PORT
        start motcua-pg-b; pg_pid_b=$PID; pg_port_b=$PORT
        issue_load motcua-pg "$pg_port_a" "$pg_pid_a" "$pg_port_b" "$pg_pid_b"
        PID=$pg_pid_a; stop motcua-pg-a
        PID=$pg_pid_b; stop motcua-pg-b
        pg_drop
        current=reference
        note "IssueTicket on PostgreSQL round $round: reference"
        start reference; issue_load reference "$PORT" "$PID" "$PORT" "$PID"; stop reference
        extra[motcua-pg]+="; with PostgreSQL $(awk -v s="${cpu[motcua-pg]}" -v p="${xcpu[motcua-pg]}" -v r="${cpu[reference]}" \
          'BEGIN { printf "%.1f µs CPU/c, ×%.2f", s + p, (s + p) / r }')"
        rows "IssueTicket PostgreSQL" "$round" motcua-pg reference
        [[ -n $pg_floor_ceiling ]] && ratios["IssueTicket PostgreSQL|PostgreSQL floor ceiling"]+="$(awk \
          -v x="$pg_floor_ceiling" -v y="${rate[reference]}" 'BEGIN { printf "%.2f", x / y }') "
      done
      ;;
    cycle)
      header "Counter cycle CallNext → Complete — $cycle_counters counters ($SERVICE) over the 30 branches, $CYCLE_CONNECTIONS connections, $CYCLE_CALLS calls (after $CYCLE_WARMUP); reference: --always-complete"
      stage_legend
      for round in $(seq 1 "$ROUNDS"); do
        for current in motcua reference; do
          note "counter cycle round $round: $current"
          start "$current"; cycle_load "$current"; stop "$current"
        done
        rows "counter cycle" "$round" motcua reference
      done
      ;;
    watch)
      echo
      echo "== WatchBranch fan-out — MotCua only (the reference has no streams): $WATCHERS streams over $WATCH_CONNECTIONS+ connections on $WATCH_BRANCH, $WATCH_SECONDS s; every $WATCH_TICK s $WATCH_ISSUES_PER_TICK IssueTicket + $WATCH_CALLS_PER_TICK CallNext → Complete there (none in the last $WATCH_SETTLE s)"
      echo "   delivery latency = receipt − the event's own time stamp (set before the commit, so it includes the fsync)"
      printf "%-5s %7s %7s %8s %9s %8s %8s %8s %7s %7s %8s %7s  %s\n" round opened "made" delivered "deliv/s" \
        "p50 ms" "p99 ms" "max ms" missed behind "CPU s" "peak MB" notes
      for round in $(seq 1 "$ROUNDS"); do
        current=motcua
        note "WatchBranch round $round"
        start motcua; watch_load; stop motcua
      done
      ;;
    *) fail "unknown workload $workload (predict, issue, pg-issue, cycle, watch)" ;;
  esac
done

if [[ -n ${ratios[*]+set} ]]; then
  echo
  echo "== Summary: MotCua ÷ reference, per round (calls/s ratio / CPU-per-call ratio)"
  for key in "${!ratios[@]}"; do
    printf "%-34s %s\n" "${key/|/ · }" "${ratios[$key]}"
  done | sort
fi
echo
echo "goals: PredictWait ≥ 0.8× calls/s; IssueTicket ≥ 0.4×; p99 ≤ 20 ms at 64 streams; watch p99 ≤ 50 ms"
[[ -n $floor_ceiling ]] && echo "SQLite floor ceiling: the most tickets/s one writer doing nothing but an IssueTicket's statements reaches (sqlite-floor.py), ÷ the reference (calls/s only)"
[[ -n $pg_floor_ceiling ]] && echo "PostgreSQL floor ceiling: the most tickets/s PostgreSQL could commit with every CPU to itself, running nothing but an IssueTicket's statements (postgres-floor.py), ÷ the reference"
[[ -n ${saved:-} ]] && echo "saved: $saved" >&2
exit 0
