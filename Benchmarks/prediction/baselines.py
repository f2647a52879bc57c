"""Baseline predictors, run causally over the same event logs as `motcua replay`.

usage: baselines.py --train data/S-train.jsonl --test data/S-test.jsonl --out data/S-baselines.json

Each predicts, at a ticket's issue and from the events before it only, a mean, p50 and p90 wait:
  LES      the wait of the last ticket of the same class (priority / appointment / walk-in) to be called;
  HOL      the time the head of the same class's queue has waited so far;
  QL       Erlang(n+1, c/S) with n people ahead in call order, c counters open now for the service and S the
           mean counter time (call to complete or no-show) observed so far for the services ahead
           (the server's current estimator, with learned rather than catalogue service times);
  ErlangC  state-blind M/M/c: arrival rate of the hour (train days), rostered counters, mean counter time;
  Rolling  mean and empirical quantiles of the last 20 waits of the same class.
LES, HOL and ErlangC's p50/p90 are their point predictions scaled by factors fitted on the train days
(the 50th/90th percentiles of (actual + 60 s) / (point + 60 s) per class), so their coverage is not
handicapped by being point predictors.
"""
import argparse
import json
import math
from collections import defaultdict, deque

import numpy as np
from scipy import stats

NAMES = ["LES", "HOL", "QL", "ErlangC", "Rolling"]
OFFSET = 60.0


def klass(e):
    return 0 if e.get("priority", "NONE") != "NONE" else (1 if e.get("appointment") else 2)


def local_hour(t):
    return int(((t + 7 * 3600) % 86400) // 3600)


class State:
    """The branch as the events so far show it."""

    def __init__(self):
        self.waiting = {}  # ticket -> (rank, queued_at, service, issued_at)
        self.open = {}  # counter -> set(services)
        self.roster = defaultdict(list)  # counter -> [(from, to, services)]
        self.called = {}  # ticket -> (service, call time)
        self.issue = {}  # ticket -> (t, class)
        self.occupancy = defaultdict(lambda: [0.0, 0])  # service -> [sum, n]
        self.last_wait = {}  # class -> wait of the last called
        self.recent = defaultdict(lambda: deque(maxlen=20))
        self.day = None
        self.arrivals = defaultdict(float)  # (pool key, hour) -> count over train days
        self.days = 0

    def mean_occupancy(self, services):
        tot = [self.occupancy[s] for s in services]
        m = [a / n for a, n in tot if n > 0]
        return sum(m) / len(m) if m else 600.0

    def apply(self, e):
        t = e["t"]
        day = int((t + 7 * 3600) // 86400)
        if day != self.day:
            self.day = day
            self.days += 1
            self.waiting.clear()
            self.open.clear()
            self.called.clear()
            self.recent_day = True
        typ = e["type"]
        if typ == "roster":
            self.roster[e["counter"]] = [r for r in self.roster[e["counter"]] if r[1] > t]
            self.roster[e["counter"]].append((e["from"], e["to"], set(e["services"])))
        elif typ == "counter_open":
            self.open[e["counter"]] = set(e["services"])
        elif typ == "counter_close":
            self.open.pop(e["counter"], None)
        elif typ == "issue":
            k = klass(e)
            self.waiting[e["ticket"]] = (k, t, e["service"], t)
            self.issue[e["ticket"]] = (t, k)
        elif typ == "call":
            w = self.waiting.pop(e["ticket"], None)
            if e["ticket"] in self.issue:
                it, k = self.issue.pop(e["ticket"])
                self.last_wait[k] = t - it
                self.recent[k].append(t - it)
            if w:
                self.called[e["ticket"]] = (w[2], t)
        elif typ in ("complete", "no_show"):
            c = self.called.pop(e["ticket"], None)
            if c:
                o = self.occupancy[c[0]]
                o[0] += t - c[1]
                o[1] += 1
        elif typ == "transfer":
            c = self.called.pop(e["ticket"], None)
            if c:
                self.waiting[e["ticket"]] = (2, t, e["service"], t)

    def rostered(self, service, t):
        return sum(1 for ivs in self.roster.values() for a, b, s in ivs if a <= t < b and service in s)


def point_predictions(st, e):
    """Mean and quantiles (uncalibrated for point predictors) for a ticket just issued."""
    t, s, k, tid = e["t"], e["service"], klass(e), e["ticket"]
    out = {}
    les = st.last_wait.get(k, 0.0)
    out["LES"] = (les, les, les)
    heads = [w[3] for x, w in st.waiting.items() if w[0] == k and x != tid]
    hol = t - min(heads) if heads else 0.0
    out["HOL"] = (hol, hol, hol)
    counters = [c for c, sv in st.open.items() if s in sv]
    shared = set().union(*[st.open[c] for c in counters]) if counters else {s}
    ahead = [w for x, w in st.waiting.items() if x != tid and w[2] in shared and (w[0], w[1]) < (k, t)]
    n = len(ahead)
    c = len(counters) or max(1, st.rostered(s, t))
    S = st.mean_occupancy([w[2] for w in ahead] or [s])
    g = stats.gamma(n + 1, scale=S / c)
    out["QL"] = (g.mean(), g.ppf(0.5), g.ppf(0.9))
    rostered = max(1, st.rostered(s, t))
    pool = tuple(sorted(shared))
    lam = st.arrivals.get((pool, local_hour(t)), 0.0) / 3600.0
    mu = 1.0 / st.mean_occupancy(list(shared))
    rho = min(lam / (rostered * mu), 0.98)
    a = rho * rostered
    terms = sum(a ** i / math.factorial(i) for i in range(rostered))
    last = a ** rostered / math.factorial(rostered) / (1 - rho)
    C = last / (terms + last)
    rate = rostered * mu * (1 - rho)
    q = lambda p: 0.0 if 1 - p >= C else math.log(C / (1 - p)) / rate
    out["ErlangC"] = (C / rate, q(0.5), q(0.9))
    r = list(st.recent[k])
    out["Rolling"] = (float(np.mean(r)), float(np.quantile(r, 0.5)), float(np.quantile(r, 0.9))) if r else (0.0, 0.0, 0.0)
    return out


def run(path, st, learn_arrivals=False):
    preds = {}
    for line in open(path):
        e = json.loads(line)
        st.apply(e)
        if e["type"] == "issue":
            if learn_arrivals:
                counters = [c for c, sv in st.open.items() if e["service"] in sv]
                shared = set().union(*[st.open[c] for c in counters]) if counters else {e["service"]}
                st.arrivals[(tuple(sorted(shared)), local_hour(e["t"]))] += 1
            preds[e["ticket"]] = (klass(e), point_predictions(st, e))
    return preds


def actual_waits(path):
    issued, waits = {}, {}
    for line in open(path):
        e = json.loads(line)
        if e["type"] == "issue":
            issued[e["ticket"]] = e["t"]
        elif e["type"] == "call" and e["ticket"] in issued and e["ticket"] not in waits:
            waits[e["ticket"]] = e["t"] - issued[e["ticket"]]
    return waits


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    st = State()
    train = run(a.train, st, learn_arrivals=True)
    days = st.days
    st.arrivals = defaultdict(float, {key: v / days for key, v in st.arrivals.items()})
    frozen = st.arrivals
    # Conformal factors for the point predictors, from the train days.
    actual = actual_waits(a.train)
    factors = {}
    for name in ["LES", "HOL", "ErlangC"]:
        for k in range(3):
            r = [(actual[t] + OFFSET) / (p[name][0] + OFFSET) for t, (kk, p) in train.items() if kk == k and t in actual]
            factors[(name, k)] = (float(np.quantile(r, 0.5)), float(np.quantile(r, 0.9))) if len(r) >= 20 else (1.0, 1.5)
    st.arrivals = frozen
    test = run(a.test, st)
    out = {}
    for tid, (k, p) in test.items():
        row = {}
        for name in NAMES:
            mean, p50, p90 = p[name]
            if (name, k) in factors:
                f50, f90 = factors[(name, k)]
                point = mean
                p50 = max(0.0, (point + OFFSET) * f50 - OFFSET)
                p90 = max(p50, (point + OFFSET) * f90 - OFFSET)
            row[name] = [float(mean), float(p50), float(p90)]
        out[tid] = row
    json.dump(out, open(a.out, "w"))


if __name__ == "__main__":
    main()
