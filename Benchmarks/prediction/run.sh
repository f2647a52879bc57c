#!/usr/bin/env bash
# The wait-prediction benchmark in one command: build motcua, simulate the S, M and L branches with ciw
# (train and test days with different seeds), run `motcua replay` and the baselines on the same logs, score.
#
#   Benchmarks/prediction/run.sh            # the issue's protocol: 30 train + 30 test days per scenario
#   Benchmarks/prediction/run.sh --quick    # 5 + 5 days, for a smoke run
#   TRAIN_DAYS=10 TEST_DAYS=10 SCENARIOS="S L" Benchmarks/prediction/run.sh
#   MOTCUA=/path/to/motcua Benchmarks/prediction/run.sh   # use an existing binary (e.g. a release build)
set -euo pipefail
cd "$(dirname "$0")"
TRAIN_DAYS=${TRAIN_DAYS:-30}
TEST_DAYS=${TEST_DAYS:-30}
SCENARIOS=${SCENARIOS:-"S M L"}
if [[ "${1:-}" == "--quick" ]]; then TRAIN_DAYS=5; TEST_DAYS=5; fi

if [[ -z "${MOTCUA:-}" ]]; then
  (cd ../.. && swift build --product motcua >&2)
  MOTCUA="$(cd ../.. && swift build --show-bin-path)/motcua"
fi
if [[ ! -x .venv/bin/python ]]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet -r requirements.txt
fi
PY=.venv/bin/python
mkdir -p data

pipeline() {  # one scenario: generate, replay, baselines
  local s=$1 train="data/$1-train.jsonl" test="data/$1-test.jsonl"
  $PY gen.py --scenario "$s" --days "$TRAIN_DAYS" --seed 1 --first-day 0 --out "$train"
  $PY gen.py --scenario "$s" --days "$TEST_DAYS" --seed 2 --first-day "$TRAIN_DAYS" --out "$test"
  local start=$SECONDS
  "$MOTCUA" replay --warmup "$train" --events "$test" --out "data/$s-motcua.jsonl"
  echo "$s: motcua replay took $((SECONDS - start)) s" >&2
  $PY baselines.py --train "$train" --test "$test" --out "data/$s-baselines.json"
}

# Two at a time (the machine has two cores): the largest scenario alongside the others in turn.
pids=()
set -- $SCENARIOS
last=${!#}
others=("${@:1:$#-1}")
( for s in "${others[@]}"; do pipeline "$s"; done ) & pids+=($!)
pipeline "$last" & pids+=($!)
for p in "${pids[@]}"; do wait "$p"; done

args=()
for s in $SCENARIOS; do
  args+=(--scenario "$s" --test "data/$s-test.jsonl" --motcua "data/$s-motcua.jsonl" --baselines "data/$s-baselines.json")
done
$PY score.py "${args[@]}"
