#!/usr/bin/env python3
"""Summarises a run of run.sh: gap to the CP-SAT optimum and planning time per instance size; checks the goals."""
import glob
import json
import os
import re
import statistics
import sys

work = sys.argv[1]


def planned_ms(path):
    match = re.search(r"planned in ([0-9.e+-]+) ms", open(path).read())
    return float(match.group(1))


def gap(objective, optimum):
    if optimum <= 0:
        return 0.0 if objective <= 1e-9 else float("inf")
    return max(0.0, objective / optimum - 1)


rows = []
for path in sorted(glob.glob(os.path.join(work, "instances", "*.json"))) + \
        sorted(glob.glob(os.path.join(work, "large", "*.json"))):
    exact = json.load(open(path + ".exact"))
    size = "30x10x300" if "large" in path else f"{exact['branches']} branches"
    row = {"size": size, "name": os.path.basename(path), "optimum": exact["optimum"], "proved": exact["proved"],
           "solver_s": exact["solver_s"], "staff": exact["staff"]}
    for search in ["improved", "greedy"]:
        plan = exact["plans"][search]
        row[search] = gap(plan["objective"], exact["optimum"])
        row[search + "_problems"] = plan["problems"]
        row[search + "_ms"] = planned_ms(f"{path}.{search}.time")
        # the plan's own objective must agree with the independent evaluation
        row[search + "_agrees"] = abs(plan["reported"] - plan["objective"]) <= 1e-6 * max(1, plan["objective"])
    rows.append(row)

sizes = sorted({r["size"] for r in rows}, key=lambda s: (s.startswith("30x"), int(s.split()[0]) if " " in s else 0))
print()
print(f"{'size':<14}{'n':>4}{'staff':>7}{'≤1% gap':>9}{'worst gap':>11}{'mean ms':>9}{'max ms':>8}"
      f"{'greedy ≤1%':>12}{'greedy worst':>14}{'CP-SAT s':>10}{'proved':>8}")
for size in sizes:
    group = [r for r in rows if r["size"] == size]
    within = sum(r["improved"] <= 0.01 for r in group)
    gwithin = sum(r["greedy"] <= 0.01 for r in group)
    print(f"{size:<14}{len(group):>4}{statistics.mean(r['staff'] for r in group):>7.0f}"
          f"{within:>5}/{len(group):<3}{max(r['improved'] for r in group) * 100:>10.3f}%"
          f"{statistics.mean(r['improved_ms'] for r in group):>9.1f}{max(r['improved_ms'] for r in group):>8.1f}"
          f"{gwithin:>8}/{len(group):<3}{max(r['greedy'] for r in group) * 100:>13.2f}%"
          f"{statistics.mean(r['solver_s'] for r in group):>10.2f}{sum(r['proved'] for r in group):>5}/{len(group)}")

random_rows = [r for r in rows if not r["size"].startswith("30x")]
print()
print("Instances where the planner is above the optimum:")
for r in rows:
    if r["improved"] > 1e-9:
        print(f"  {r['name']:<24} gap {r['improved'] * 100:.4f}% (greedy {r['greedy'] * 100:.2f}%)")
problems = [(r["name"], s, r[s + "_problems"]) for r in rows for s in ["improved", "greedy"] if r[s + "_problems"]]
disagree = [r["name"] for r in rows if not (r["improved_agrees"] and r["greedy_agrees"])]

runs = glob.glob(os.path.join(work, "large", "*.runs"))
plan_ms, process_ms = [], []
for line in open(runs[0]) if runs else []:
    if line.startswith("process_ms"):
        process_ms.append(float(line.split()[1]))
    elif "planned in" in line:
        plan_ms.append(float(re.search(r"planned in ([0-9.e+-]+) ms", line).group(1)))
print()
if plan_ms:
    print(f"30 branches × 10 services × 300 staff, max_moves 10, {len(plan_ms)} runs: planning median "
          f"{statistics.median(plan_ms):.1f} ms, max {max(plan_ms):.1f} ms; whole process (read, plan, write, "
          f"startup) median {statistics.median(process_ms):.0f} ms")

print()
share = sum(r["improved"] <= 0.01 for r in random_rows) / len(random_rows)
worst = max(r["improved"] for r in random_rows)
met = 0


def goal(label, ok, detail):
    global met
    met += 0 if ok else 1
    print(f"{'MET   ' if ok else 'MISSED'} {label}: {detail}")


goal("within 1% of the optimum on >= 95% of instances", share >= 0.95,
     f"{share * 100:.1f}% of {len(random_rows)} random instances")
goal("never worse than 5%", worst <= 0.05, f"worst gap {worst * 100:.3f}%")
if plan_ms:
    goal("30x10x300 plan under 200 ms", max(plan_ms) < 200, f"max {max(plan_ms):.1f} ms over {len(plan_ms)} runs")
goal("every plan respects skills, distance, max_moves and keep-one", not problems, f"{len(problems)} violations"
     + "".join(f"\n    {p}" for p in problems[:5]))
goal("the planner's reported objective matches the independent Erlang C", not disagree,
     f"{len(disagree)} mismatches {disagree[:5]}")
sys.exit(1 if met else 0)
