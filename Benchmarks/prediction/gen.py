"""Simulate branch days with ciw and write event logs (JSON Lines, the `motcua replay` format).

usage: gen.py --scenario S --days 30 --seed 0 --first-day 0 --out data/S-train.jsonl
"""
import argparse
import json
import math
import random

import ciw

from scenarios import CLOSE, H, LAST_ISSUE, PROFILE, SCENARIOS

# Local midnight of 2025-03-03 in Asia/Ho_Chi_Minh (UTC+7), Unix seconds; 08:00 is 8 h later.
EPOCH_MIDNIGHT = 1740934800
PRIORITIES = ["ELDERLY", "DISABILITY", "PREGNANT", "CHILD_UNDER_6", "MERITORIOUS_SERVICE"]
KINDS = ["pri", "app", "walk"]  # ciw priority classes 0, 1, 2
SERVICE_RNG = random.Random(0)
OUTCOME = {}


class Listed(ciw.dists.Distribution):
    """Inter-arrival times that replay a pre-drawn list of absolute arrival times."""

    def __init__(self, times):
        self.times = sorted(times)
        self.i = 0

    def sample(self, t=None, ind=None):
        if self.i >= len(self.times):
            return float("inf")
        dt = max(0.0, self.times[self.i] - (t or 0.0))
        self.i += 1
        return dt


class CounterTime(ciw.dists.Distribution):
    """Counter time of a called ticket: a no-show (absent, or an impatient walk-in who has left) is marked
    after a short wait at the counter; others walk up and are served (log-normal)."""

    def __init__(self, mean_min, cv, no_show, patience_min, walk_in):
        self.no_show = no_show
        self.sigma = math.sqrt(math.log(1 + cv * cv))
        self.mu = math.log(mean_min * 60) - self.sigma ** 2 / 2
        self.patience = patience_min * 60 if (patience_min and walk_in) else None

    def sample(self, t=None, ind=None):
        # ciw deep-copies distributions, so the random source and the outcomes are module globals.
        waited = t - ind.arrival_date
        gone = self.patience is not None and waited > SERVICE_RNG.expovariate(1 / self.patience)
        if gone or SERVICE_RNG.random() < self.no_show:
            OUTCOME[ind.id_number] = ("no_show", 0.0)
            return SERVICE_RNG.uniform(60, 180)
        walk = SERVICE_RNG.uniform(20, 60)
        OUTCOME[ind.id_number] = ("served", walk)
        return walk + SERVICE_RNG.lognormvariate(self.mu, self.sigma)


class RosterNode(ciw.Node):
    """A shift change adds or withdraws only the difference in counters: an idle counter leaves at once, a busy
    one after its current citizen. (ciw's own non-preemptive change sends every server off duty and adds the
    new shift's servers, which briefly doubles a branch's capacity at lunch.)"""

    def change_shift(self):
        self.schedule.get_next_shift()
        self.next_shift_change = self.schedule.next_shift_change_date
        self.c = self.schedule.c
        active = [s for s in self.servers if not s.offduty]
        extra = len(active) - self.c
        if extra > 0:
            for srvr in sorted(active, key=lambda s: s.busy)[:extra]:
                if srvr.busy:
                    srvr.offduty = True
                else:
                    self.kill_server(srvr)
        elif extra < 0:
            self.add_new_servers(-extra)
        self.begin_service_if_possible_change_shift()


def arrival_times(rng, n_mean):
    """A non-homogeneous Poisson day: 08:00-16:30 with the PROFILE's hourly intensities."""
    weights = [PROFILE[int(x // H)] for x in range(0, LAST_ISSUE, 60)]
    total = sum(weights)
    n = poisson(rng, n_mean)
    minutes = rng.choices(range(len(weights)), weights=weights, k=n)
    return sorted(m * 60 + rng.random() * 60 for m in minutes)


def poisson(rng, lam):
    # Normal approximation is plenty for lam in the hundreds; exact for small lam.
    if lam > 50:
        return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))
    k, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p < limit:
            return k
        k += 1


def simulate_day(sc, day, seed):
    rng = random.Random(seed)
    ciw.seed(seed)
    SERVICE_RNG.seed(seed + 7919)
    OUTCOME.clear()
    services = list(sc["services"])
    pools = {}
    for c in sc["counters"]:
        pools.setdefault(tuple(c["services"]), []).append(c)
    pool_keys = list(pools)
    node_of = {s: next(i for i, k in enumerate(pool_keys) if s in k) for s in services}

    # Tickets: arrival time, service, kind, appointment slot.
    tickets = []
    for t in arrival_times(rng, sc["arrivals"]):
        s = rng.choices(services, weights=[v[2] for v in sc["services"].values()])[0]
        u = rng.random()
        if u < sc["priority"]:
            tickets.append((t, s, "pri", None))
        elif u < sc["priority"] + sc["appointments"]:
            slot = min(LAST_ISSUE - 900, (t // 900) * 900)
            tickets.append((slot + rng.uniform(0, 300), s, "app", slot))  # checks in at or after its slot
        else:
            tickets.append((t, s, "walk", None))

    classes = [f"{s}|{k}" for s in services for k in KINDS]
    by_class = {c: [] for c in classes}
    for t, s, k, slot in tickets:
        by_class[f"{s}|{k}"].append(t)
    n_nodes = len(pool_keys)
    outcome = OUTCOME
    arrivals, service_d, routing = {}, {}, {}
    for c in classes:
        s, k = c.split("|")
        arrivals[c] = [Listed(by_class[c]) if i == node_of[s] else None for i in range(n_nodes)]
        mean, cv, _ = sc["services"][s]
        d = CounterTime(mean, cv, sc["no_show"], sc["patience_min"], k == "walk")
        service_d[c] = [d] * n_nodes
        routing[c] = [[0.0] * n_nodes for _ in range(n_nodes)]
    # Server counts per pool follow the roster; counters rostered to 17:00 stay until the queue is empty.
    schedules = []
    for key in pool_keys:
        cs = pools[key]
        edges = sorted({0, CLOSE, 14 * H} | {e for c in cs for iv in c["intervals"] for e in iv})
        nums, ends = [], []
        for a, b in zip(edges, edges[1:]):
            if a >= CLOSE:
                n = sum(1 for c in cs if any(iv[1] >= CLOSE for iv in c["intervals"]))
            else:
                n = sum(1 for c in cs if any(iv[0] <= a < iv[1] for iv in c["intervals"]))
            if nums and nums[-1] == n:
                ends[-1] = float(b)
            else:
                nums.append(n)
                ends.append(float(b))
        nums.append(0)
        ends.append(float(24 * H))
        schedules.append(ciw.Schedule(numbers_of_servers=nums, shift_end_dates=ends, preemption=False))
    net = ciw.create_network(
        arrival_distributions=arrivals, service_distributions=service_d, number_of_servers=schedules,
        routing=routing, priority_classes={c: KINDS.index(c.split("|")[1]) for c in classes})
    sim = ciw.Simulation(net, node_class=RosterNode)
    sim.simulate_until_max_time(14 * H - 1)
    records = [r for r in sim.get_all_records() if r.record_type == "service"]

    base = EPOCH_MIDNIGHT + day * 86400 + 8 * H
    events = []  # (t, order, dict)

    def ev(t, order, **kw):
        events.append((round(base + t, 1), order, kw))

    # Ciw's arrival order within a class is the list order, so match records to tickets by class and time.
    queue_by_class = {c: sorted((t, slot) for t, s, k, slot in tickets if f"{s}|{k}" == c) for c in classes}
    index = 0
    served_ids = set()
    free_at = {}
    for key in pool_keys:
        for c in pools[key]:
            free_at[c["id"]] = 0.0
            for a, b in c["intervals"]:
                ev(-1800, 0, type="roster", counter=c["id"], services=list(key), **{"from": base + a, "to": base + b})
    ids = {}
    for r in sorted(records, key=lambda r: r.arrival_date):
        index += 1
        ids[r.id_number] = f"D{day:03d}-{index:04d}"
    # Unserved customers (never called) still got a ticket.
    waiting = [ind for node in sim.nodes[1:-1] for ind in node.all_individuals]
    for ind in sorted(waiting, key=lambda i: i.arrival_date):
        index += 1
        ids[ind.id_number] = f"D{day:03d}-{index:04d}"
    slots = {}
    for c in classes:
        recs = sorted([r for r in records if r.customer_class == c], key=lambda r: r.arrival_date)
        for r, (t, slot) in zip(recs, queue_by_class[c]):
            slots[r.id_number] = slot

    def issue(tid, arrival, clss, slot):
        s, k = clss.split("|")
        e = dict(type="issue", ticket=tid, service=s, priority=rng.choice(PRIORITIES) if k == "pri" else "NONE",
                 appointment=k == "app")
        if k == "app":
            e["slot_start"] = base + (slot if slot is not None else arrival)
        ev(arrival, 2, **e)

    last_end = {}
    for key in pool_keys:
        cs = pools[key]
        recs = sorted([r for r in records if r.node == pool_keys.index(key) + 1], key=lambda r: r.service_start_date)
        for r in recs:
            start = r.service_start_date
            on = [c for c in cs if free_at[c["id"]] <= start + 1e-6
                  and any(a <= start < (b if b < CLOSE else 24 * H) for a, b in c["intervals"])]
            c = on[0] if on else min(cs, key=lambda c: free_at[c["id"]])
            free_at[c["id"]] = r.service_end_date
            last_end.setdefault(c["id"], []).append((start, r.service_end_date))
            tid = ids[r.id_number]
            issue(tid, r.arrival_date, r.customer_class, slots.get(r.id_number))
            ev(start, 3, type="call", ticket=tid, counter=c["id"])
            kind, walk = outcome.get(r.id_number, ("served", 0.0))
            if kind == "served":
                ev(start + walk, 4, type="start", ticket=tid)
                ev(r.service_end_date, 1, type="complete", ticket=tid)
            else:
                ev(r.service_end_date, 1, type="no_show", ticket=tid)
        for c in cs:
            for a, b in c["intervals"]:
                ev(a, 0, type="counter_open", counter=c["id"], services=list(key))
                busy_end = max([e for s0, e in last_end.get(c["id"], []) if a <= s0 < (b if b < CLOSE else 24 * H)],
                               default=b)
                ev(max(b, busy_end), 1, type="counter_close", counter=c["id"])
    for ind in waiting:
        issue(ids[ind.id_number], ind.arrival_date, ind.customer_class, None)
    events.sort(key=lambda e: (e[0], e[1]))
    return [dict(t=t, **kw) for t, _, kw in events]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", required=True, choices=sorted(SCENARIOS))
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--first-day", type=int, default=0)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    sc = SCENARIOS[a.scenario]
    with open(a.out, "w") as f:
        for d in range(a.days):
            for e in simulate_day(sc, a.first_day + d, a.seed * 100003 + d):
                f.write(json.dumps(e, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
