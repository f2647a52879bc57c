#!/usr/bin/env bash
# The city-simulator benchmark: every policy on the same citizens, for each scenario and a few seeds; prints the
# tables, the means over seeds, and checks the goals of issue 6.
#
#   Benchmarks/city/run.sh                      # scenarios/*.json, seeds 1–5; output also in results/latest.txt
#   SEEDS="1 2 3" Benchmarks/city/run.sh
#   MOTCUA=/path/to/motcua Benchmarks/city/run.sh   # use an existing binary
set -euo pipefail
cd "$(dirname "$0")"
SEEDS=${SEEDS:-"1 2 3 4 5"}
if [[ -z "${MOTCUA:-}" ]]; then
  (cd ../.. && swift build --product motcua >&2)
  MOTCUA="$(cd ../.. && swift build --show-bin-path)/motcua"
fi
mkdir -p results
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

{
  for scenario in scenarios/*.json; do
    name=$(basename "$scenario" .json)
    for seed in $SEEDS; do
      "$MOTCUA" simulate city --scenario "$scenario" --policy all --seed "$seed" --seeds ../../seeds
      "$MOTCUA" simulate city --scenario "$scenario" --policy all --seed "$seed" --seeds ../../seeds --format json \
        > "$work/$name.$seed.json"
      echo
    done
  done

  python3 - "$work" <<'PY'
import glob, json, os, sys
from collections import defaultdict

work = sys.argv[1]
runs = defaultdict(list)  # scenario -> [report per seed]
for path in sorted(glob.glob(os.path.join(work, "*.json"))):
    scenario = os.path.basename(path).split(".")[0]
    runs[scenario].append(json.load(open(path)))

keys = ["mean_total_min", "p95_total_min", "p95_wait_min", "max_branch_wait_ratio", "share_total_over_60",
        "queue_swing"]
def mean(scenario, policy, key):
    values = [r[policy][key] for r in runs[scenario]]
    return sum(values) / len(values)

print(f"Means over {len(next(iter(runs.values())))} seeds")
print(f"{'scenario':<14}{'policy':<17}" + "".join(f"{k:>22}" for k in keys))
for scenario in sorted(runs):
    for policy in ["nearest", "shortest-posted", "motcua"]:
        print(f"{scenario:<14}{policy:<17}" + "".join(f"{mean(scenario, policy, k):>22.3f}" for k in keys))
print()

missed = 0
def goal(label, ok, detail):
    global missed
    missed += 0 if ok else 1
    print(f"{'MET   ' if ok else 'MISSED'} {label}: {detail}")

def per_seed(scenario, test):
    hits = sum(1 for r in runs[scenario] if test(r))
    return f"{hits}/{len(runs[scenario])} seeds"

for scenario in ["surge", "closure"]:
    if scenario not in runs:
        continue
    n, p, m = (mean(scenario, x, "p95_total_min") for x in ["nearest", "shortest-posted", "motcua"])
    cut = 1 - m / n
    goal(f"{scenario}: motcua p95 total >= 30% below nearest", cut >= 0.30,
         f"{m:.1f} vs {n:.1f} min, {cut * 100:.1f}% lower"
         + ("" if cut >= 0.30 else f", short by {(0.30 - cut) * 100:.1f} points")
         + f" ({per_seed(scenario, lambda r: r['motcua']['p95_total_min'] <= 0.7 * r['nearest']['p95_total_min'])})")
    goal(f"{scenario}: motcua p95 total below shortest-posted", m < p,
         f"{m:.1f} vs {p:.1f} min ({(m / p - 1) * 100:+.1f}%)"
         + f" ({per_seed(scenario, lambda r: r['motcua']['p95_total_min'] < r['shortest-posted']['p95_total_min'])})")
    ms, ps = mean(scenario, "motcua", "queue_swing"), mean(scenario, "shortest-posted", "queue_swing")
    goal(f"{scenario}: motcua queue swing below shortest-posted", ms < ps,
         f"{ms:.3f} vs {ps:.3f} ({(ms / ps - 1) * 100:+.1f}%)"
         + f" ({per_seed(scenario, lambda r: r['motcua']['queue_swing'] < r['shortest-posted']['queue_swing'])})")

if "ordinary-day" in runs:
    for key, label in [("mean_total_min", "mean"), ("p95_total_min", "p95")]:
        n, m = mean("ordinary-day", "nearest", key), mean("ordinary-day", "motcua", key)
        worse = m / n - 1
        goal(f"ordinary-day: motcua {label} total no more than 2% worse than nearest", worse <= 0.02,
             f"{m:.1f} vs {n:.1f} min ({worse * 100:+.1f}%)"
             + f" ({per_seed('ordinary-day', lambda r: r['motcua'][key] <= 1.02 * r['nearest'][key])})")

if "stale" in runs:
    ms, ps = mean("stale", "motcua", "queue_swing"), mean("stale", "shortest-posted", "queue_swing")
    print(f"INFO   stale (refresh 15 min): queue swing motcua {ms:.3f} vs shortest-posted {ps:.3f} "
          f"({(ms / ps - 1) * 100:+.1f}%)")
print(f"{missed} goal(s) missed" if missed else "all goals met")
PY
} | tee results/latest.txt
