#!/usr/bin/env python3
"""Seeded random rebalancing instances in the `motcua plan-staff` input format.

    generate.py --seed 1 --per-size 20 --out DIR     # DIR/<branches>b-<n>.json for 5, 10, 15, 20, 30 branches
    generate.py --seed 1 --large --out DIR            # DIR/large-30x10x300.json (the timing instance)

Branches sit in a Hanoi-like box (20.95–21.10 N, 105.75–105.90 E, about 16 × 16 km); each offers a random
subset of 3–10 services at 1–25 tickets an hour (5–25 minutes each) and requires 0–2 of them from anyone moved
in; staff hold random skill subsets (always the branch's required skills, so everyone is legal at home);
about a fifth of branches are overloaded (demand × 1.15–1.6 against staff sized for normal demand).
"""
import argparse
import json
import os
import random


def instance(rng, branches, services, staff_target=None, max_moves=None):
    service_list = [{"id": f"s{k + 1}", "mean_service_minutes": round(rng.uniform(5, 25), 1)}
                    for k in range(services)]
    minutes = {s["id"]: s["mean_service_minutes"] for s in service_list}
    branch_list, demand, loads = [], [], []
    for b in range(branches):
        bid = f"b{b + 1}"
        offered = rng.sample(list(minutes), rng.randint(min(2, services), services))
        required = rng.sample(offered, rng.randint(0, min(2, len(offered))))
        branch_list.append({"id": bid, "lat": round(rng.uniform(20.95, 21.10), 5),
                            "lon": round(rng.uniform(105.75, 105.90), 5), "required_skills": sorted(required)})
        surge = rng.uniform(1.15, 1.6) if rng.random() < 0.2 else rng.uniform(0.6, 1.1)
        load = 0.0
        for s in offered:
            rate = rng.uniform(1, 25 if staff_target is None else 12)
            load += rate * minutes[s] / 60
            demand.append({"branch": bid, "service": s, "arrivals_per_hour": round(rate * surge, 2)})
        loads.append(load)
    # Staff sized for normal demand: offered load × 1.05–1.4, at least 1.
    counts = [max(1, round(load * rng.uniform(1.05, 1.4))) for load in loads]
    if staff_target is not None:  # rescale to exactly staff_target people
        scale = staff_target / sum(counts)
        counts = [max(1, round(c * scale)) for c in counts]
        while sum(counts) > staff_target:
            counts[counts.index(max(counts))] -= 1
        while sum(counts) < staff_target:
            counts[counts.index(min(counts))] += 1
    staff = []
    for b, count in enumerate(counts):
        required = branch_list[b]["required_skills"]
        for _ in range(count):
            extra = rng.sample(list(minutes), rng.randint(1, services))
            staff.append({"id": f"p{len(staff) + 1}", "branch": branch_list[b]["id"],
                          "skills": sorted(set(required) | set(extra))})
    return {"max_moves": max_moves if max_moves is not None else rng.randint(1, 10),
            "max_distance_km": round(rng.uniform(5, 15), 1),
            "branches": branch_list, "services": service_list, "demand": demand, "staff": staff,
            "target": {"within_minutes": 15, "share": 0.8}}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-size", type=int, default=20)
    parser.add_argument("--large", action="store_true")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    if args.large:
        with open(os.path.join(args.out, "large-30x10x300.json"), "w") as f:
            json.dump(instance(rng, 30, 10, staff_target=300, max_moves=10), f)
        return
    for branches in [5, 10, 15, 20, 30]:
        for n in range(args.per_size):
            with open(os.path.join(args.out, f"{branches:02d}b-{n:02d}.json"), "w") as f:
                json.dump(instance(rng, branches, rng.randint(3, 10)), f)


if __name__ == "__main__":
    main()
