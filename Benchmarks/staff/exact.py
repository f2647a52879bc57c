#!/usr/bin/env python3
"""The exact optimum of a `motcua plan-staff` instance by OR-Tools CP-SAT, independent of the Swift planner.

    exact.py INSTANCE.json [--plan NAME=PLAN.json]...   # one JSON line: the optimum, each plan's objective, checks

Model: people are grouped into classes (same branch, same set of branches they may move to); z[k, b] = how
many of class k move to branch b; n_b = staff at b after the moves; a one-hot y[b, s] picks n_b and carries the
cost c_b(s) = λ_b·E[W_b](s) (Erlang C, computed here by the direct formula in log space, not by the Erlang B
recursion the planner uses; an unstable branch costs λ_b·10⁶), scaled by 10⁶ and rounded to integers. The
rounding moves any objective by at most branches × 0.5·10⁻⁶, so the solver's optimum is re-evaluated with the
float costs and the planner's plan is checked (skills, distance, move limit, keep-one) and re-evaluated the
same way.
"""
import argparse
import json
import math
import sys
import time

from ortools.sat.python import cp_model

PENALTY = 1e6
SCALE = 1e6


def haversine_km(a, b):
    lat1, lon1, lat2, lon2 = map(math.radians, (a["lat"], a["lon"], b["lat"], b["lon"]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def mean_wait_minutes(lam_per_hour, mean_minutes, s):
    """E[W] of M/M/s by the direct Erlang C formula (log-sum-exp); inf when unstable."""
    if lam_per_hour == 0:
        return 0.0
    a = lam_per_hour * mean_minutes / 60
    if s <= a:
        return math.inf
    logs = [k * math.log(a) - math.lgamma(k + 1) for k in range(s)]
    tail = s * math.log(a) - math.lgamma(s + 1) + math.log(s / (s - a))
    top = max(max(logs), tail)
    total = sum(math.exp(x - top) for x in logs) + math.exp(tail - top)
    c = math.exp(tail - top) / total
    return c / (s / mean_minutes - lam_per_hour / 60)


class Instance:
    def __init__(self, data):
        self.data = data
        self.branches = [b["id"] for b in data["branches"]]
        self.index = {b: i for i, b in enumerate(self.branches)}
        minutes = {s["id"]: s["mean_service_minutes"] for s in data["services"]}
        n = len(self.branches)
        self.lam = [0.0] * n
        weighted = [0.0] * n
        for d in data["demand"]:
            b = self.index[d["branch"]]
            self.lam[b] += d["arrivals_per_hour"]
            weighted[b] += d["arrivals_per_hour"] * minutes[d["service"]]
        self.mean = [weighted[b] / self.lam[b] if self.lam[b] > 0 else 1.0 for b in range(n)]
        self.initial = [0] * n
        for p in data["staff"]:
            self.initial[self.index[p["branch"]]] += 1
        self.moves = min(data["max_moves"], len(data["staff"]))
        self.keep = [self.lam[b] > 0 and self.initial[b] > 0 for b in range(n)]
        km = data["max_distance_km"]
        binfo = data["branches"]
        self.eligible = {}
        for p in data["staff"]:
            home = self.index[p["branch"]]
            skills = set(p["skills"])
            self.eligible[p["id"]] = [
                b for b in range(n)
                if b != home and haversine_km(binfo[home], binfo[b]) <= km
                and set(binfo[b].get("required_skills", [])) <= skills]
        self._cost = {}

    def cost(self, b, s):
        key = (b, s)
        if key not in self._cost:
            w = mean_wait_minutes(self.lam[b], self.mean[b], s)
            self._cost[key] = self.lam[b] * PENALTY if math.isinf(w) else self.lam[b] * w
        return self._cost[key]

    def objective(self, counts):
        return sum(self.cost(b, s) for b, s in enumerate(counts))

    def solve(self, time_limit):
        n = len(self.branches)
        classes = {}
        for p in self.data["staff"]:
            key = (self.index[p["branch"]], tuple(self.eligible[p["id"]]))
            classes[key] = classes.get(key, 0) + 1
        model = cp_model.CpModel()
        inflow = [[] for _ in range(n)]
        outflow = [[] for _ in range(n)]
        all_moves = []
        for (home, eligible), size in classes.items():
            zs = []
            for b in eligible:
                z = model.NewIntVar(0, min(size, self.moves), f"z{home}_{b}_{len(all_moves)}")
                zs.append(z)
                inflow[b].append(z)
                outflow[home].append(z)
                all_moves.append(z)
            if zs:
                model.Add(sum(zs) <= size)
        model.Add(sum(all_moves) <= self.moves)
        terms = []
        for b in range(n):
            low = max(0, self.initial[b] - self.moves)
            if self.keep[b]:
                low = max(low, 1)
            high = self.initial[b] + self.moves
            ys = {s: model.NewBoolVar(f"y{b}_{s}") for s in range(low, high + 1)}
            model.AddExactlyOne(ys.values())
            model.Add(sum(s * y for s, y in ys.items()) == self.initial[b] - sum(outflow[b]) + sum(inflow[b]))
            terms += [round(self.cost(b, s) * SCALE) * y for s, y in ys.items()]
        model.Minimize(sum(terms))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = time_limit
        solver.parameters.num_workers = 2
        start = time.perf_counter()
        status = solver.Solve(model)
        elapsed = time.perf_counter() - start
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise SystemExit(f"CP-SAT: {solver.StatusName(status)}")
        counts = [self.initial[b] - sum(solver.Value(z) for z in outflow[b]) + sum(solver.Value(z) for z in inflow[b])
                  for b in range(n)]
        return counts, status == cp_model.OPTIMAL, elapsed

    def check_plan(self, plan):
        """The planner's counts after its moves; raises on any broken constraint."""
        staff = {p["id"]: p for p in self.data["staff"]}
        counts = list(self.initial)
        seen = set()
        problems = []
        if len(plan["moves"]) > self.moves:
            problems.append(f"{len(plan['moves'])} moves > max_moves {self.moves}")
        for m in plan["moves"]:
            p = staff.get(m["staff"])
            if p is None or m["staff"] in seen or p["branch"] != m["from"]:
                problems.append(f"bad move {m}")
                continue
            seen.add(m["staff"])
            to = self.index[m["to"]]
            if to not in self.eligible[m["staff"]]:
                problems.append(f"ineligible move {m}")
            counts[self.index[m["from"]]] -= 1
            counts[to] += 1
        for b in range(len(counts)):
            if self.keep[b] and counts[b] < 1:
                problems.append(f"{self.branches[b]} left empty")
        reported = {b["id"]: b["staff"] for b in plan["branches"]}
        if [reported[b] for b in self.branches] != counts:
            problems.append("reported staff counts differ from the moves")
        return counts, problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("instance")
    parser.add_argument("--plan", action="append", default=[], help="NAME=PLAN.json (repeatable)")
    parser.add_argument("--time-limit", type=float, default=120)
    args = parser.parse_args()
    instance = Instance(json.load(open(args.instance)))
    counts, optimal, elapsed = instance.solve(args.time_limit)
    result = {"instance": args.instance, "branches": len(instance.branches),
              "services": len(instance.data["services"]), "staff": len(instance.data["staff"]),
              "max_moves": instance.data["max_moves"], "optimum": instance.objective(counts),
              "before": instance.objective(instance.initial), "proved": optimal, "solver_s": elapsed}
    result["plans"] = {}
    for item in args.plan:
        name, path = item.split("=", 1)
        plan = json.load(open(path))
        plan_counts, problems = instance.check_plan(plan)
        result["plans"][name] = {"objective": instance.objective(plan_counts), "reported": plan["objective"],
                                 "moves": len(plan["moves"]), "problems": problems}
    print(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
