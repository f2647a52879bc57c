#!/usr/bin/env bash
# The staff-rebalancing benchmark (issue 7): random instances solved by `motcua plan-staff` and, independently,
# by OR-Tools CP-SAT; prints the planner's gap to the optimum and its run time per instance size, times the
# 30 branches × 10 services × 300 staff plan, and checks the goals.
#
#   Benchmarks/staff/run.sh                        # seed 1, 20 instances per size; output also in results/latest.txt
#   SEED=2 PER_SIZE=40 Benchmarks/staff/run.sh
#   MOTCUA=/path/to/motcua Benchmarks/staff/run.sh # use an existing binary
#   VENV=/path/to/venv Benchmarks/staff/run.sh     # default .build/staff-bench-venv (created, ortools installed)
set -euo pipefail
cd "$(dirname "$0")"
SEED=${SEED:-1}
PER_SIZE=${PER_SIZE:-20}
VENV=${VENV:-../../.build/staff-bench-venv}
if [[ -z "${MOTCUA:-}" ]]; then
  (cd ../.. && swift build --product motcua >&2)
  MOTCUA="$(cd ../.. && swift build --show-bin-path)/motcua"
fi
if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c 'import ortools' 2>/dev/null; then
  python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install -q ortools >&2
fi
mkdir -p results
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 generate.py --seed "$SEED" --per-size "$PER_SIZE" --out "$work/instances"
python3 generate.py --seed "$SEED" --large --out "$work/large"

{
  echo "motcua: $MOTCUA"
  echo "seed $SEED, $PER_SIZE instances per size; ortools $("$VENV/bin/python" -c 'import ortools; print(ortools.__version__)')"
  for instance in "$work"/instances/*.json "$work"/large/*.json; do
    for search in improved greedy; do
      "$MOTCUA" plan-staff --input "$instance" --out "$instance.$search.plan" --search "$search" --timing \
        2> "$instance.$search.time"
    done
    "$VENV/bin/python" exact.py "$instance" --plan "improved=$instance.improved.plan" \
      --plan "greedy=$instance.greedy.plan" > "$instance.exact"
  done
  # The timing instance again, 10 runs: planning time (--timing) and the whole process (wall clock).
  large=$(ls "$work"/large/*.json)
  for run in $(seq 10); do
    start=$(date +%s%N)
    "$MOTCUA" plan-staff --input "$large" --out /dev/null --timing 2>> "$large.runs"
    echo "process_ms $(( ($(date +%s%N) - start) / 1000000 ))" >> "$large.runs"
  done
  python3 summarise.py "$work"
} | tee results/latest.txt
