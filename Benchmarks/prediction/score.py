"""Score wait predictions against the actual waits of the test days.

usage: score.py --scenario S --test data/S-test.jsonl --motcua data/S-motcua.jsonl --baselines data/S-baselines.json
       [--scenario M ...]   (repeat the four options per scenario)

Actual wait = call time - issue time; tickets never called are not scored. Errors are in minutes.
MAE, RMSE and bias (predicted - actual) use each predictor's mean; pinball losses its p50 and p90;
coverage is the share of actual waits <= p90. Segments: all tickets, walk-ins and appointments without
priority (NONE), the five priority groups pooled (PRIORITY; each group alone is too small for a stable
coverage figure), appointments (APPT, where there are any) and the morning peak (issued 09:00-11:00 local).
Brackets: 95% intervals from a bootstrap over test days (1000 resamples).
"""
import argparse
import json

import numpy as np

PREDICTORS = ["motcua", "QL", "LES", "HOL", "ErlangC", "Rolling"]
METRICS = ["MAE", "RMSE", "bias", "cov90", "pin50", "pin90"]


def load_test(path):
    issued, rows = {}, {}
    for line in open(path):
        e = json.loads(line)
        if e["type"] == "issue":
            local = (e["t"] + 7 * 3600) % 86400
            issued[e["ticket"]] = (e["t"], e.get("priority", "NONE"), bool(e.get("appointment")),
                                   int((e["t"] + 7 * 3600) // 86400), 9 * 3600 <= local < 11 * 3600)
        elif e["type"] == "call" and e["ticket"] in issued and e["ticket"] not in rows:
            t, pr, app, day, peak = issued[e["ticket"]]
            rows[e["ticket"]] = dict(wait=e["t"] - t, priority=pr, appointment=app, day=day, peak=peak)
    return rows


def per_day_sums(rows, preds, tickets, days):
    """Per day: n, sum|e|, sum e^2, sum e, covered, pinball50, pinball90 (minutes)."""
    index = {d: i for i, d in enumerate(days)}
    s = np.zeros((len(days), 7))
    for t in tickets:
        r = rows[t]
        mean, p50, p90 = preds[t]
        y = r["wait"] / 60
        e = mean / 60 - y
        pin = lambda q, tau: max(tau * (y - q), (tau - 1) * (y - q))
        s[index[r["day"]]] += [1, abs(e), e * e, e, y <= p90 / 60 + 1e-9, pin(p50 / 60, 0.5), pin(p90 / 60, 0.9)]
    return s


def metrics(s):
    n = np.maximum(s[..., 0], 1)
    return np.stack([s[..., 1] / n, np.sqrt(s[..., 2] / n), s[..., 3] / n, s[..., 4] / n, s[..., 5] / n,
                     s[..., 6] / n], axis=-1)


def score(scenario, test, motcua, baselines, rng):
    rows = load_test(test)
    preds = {p: {} for p in PREDICTORS}
    for line in open(motcua):
        o = json.loads(line)
        preds["motcua"][o["ticket"]] = (o["mean_s"], o["p50_s"], o["p90_s"])
    for t, row in json.load(open(baselines)).items():
        for name, v in row.items():
            preds[name][t] = tuple(v)
    tickets = [t for t in rows if all(t in preds[p] for p in PREDICTORS)]
    days = sorted({rows[t]["day"] for t in tickets})
    boot = rng.integers(0, len(days), size=(1000, len(days)))
    segments = [("all", lambda r: True), ("NONE", lambda r: r["priority"] == "NONE"),
                ("PRIORITY", lambda r: r["priority"] != "NONE")]
    if any(r["appointment"] for r in rows.values()):
        segments.append(("APPT", lambda r: r["appointment"] and r["priority"] == "NONE"))
    segments.append(("peak", lambda r: r["peak"]))
    result = {}
    for seg, keep in segments:
        chosen = [t for t in tickets if keep(rows[t])]
        for p in PREDICTORS:
            s = per_day_sums(rows, preds[p], chosen, days)
            point = metrics(s.sum(axis=0))
            bs = metrics(s[boot].sum(axis=1))
            lo, hi = np.percentile(bs, [2.5, 97.5], axis=0)
            result[(seg, p)] = (point, lo, hi, len(chosen))
    return result, [s for s, _ in segments], len(tickets), len(days)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", action="append", required=True)
    ap.add_argument("--test", action="append", required=True)
    ap.add_argument("--motcua", action="append", required=True)
    ap.add_argument("--baselines", action="append", required=True)
    a = ap.parse_args()
    rng = np.random.default_rng(12345)
    results = [(name,) + score(name, *files, rng) for name, *files in zip(a.scenario, a.test, a.motcua, a.baselines)]

    print("Goals (motcua): RMSE and MAE <= 0.8 x the best baseline's; p90 coverage in [0.87, 0.93] per segment")
    for name, res, segs, n, nd in results:
        baselines = [p for p in PREDICTORS if p != "motcua"]
        best_rmse = min(baselines, key=lambda p: res[("all", p)][0][1])
        best_mae = min(baselines, key=lambda p: res[("all", p)][0][0])
        rr = res[("all", "motcua")][0][1] / res[("all", best_rmse)][0][1]
        mr = res[("all", "motcua")][0][0] / res[("all", best_mae)][0][0]
        cov = {s: res[(s, "motcua")][0][3] for s in segs}
        ok = rr <= 0.8 and mr <= 0.8 and all(0.87 <= c <= 0.93 for c in cov.values())
        covs = " ".join(f"{s}={c:.3f}" for s, c in cov.items())
        print(f"  {name}: RMSE ratio {rr:.2f} (vs {best_rmse}), MAE ratio {mr:.2f} (vs {best_mae}), "
              f"coverage {covs} -> {'MET' if ok else 'MISSED'}")

    for name, res, segs, n, nd in results:
        print()
        print(f"== Scenario {name}: {n} test tickets over {nd} test days; minutes; [95% CI over days] ==")
        w = 21
        print(f"{'segment':9}{'metric':7}" + "".join(f"{p:>{w}}" for p in PREDICTORS))
        for seg in segs:
            for i, m in enumerate(METRICS):
                cells = []
                for p in PREDICTORS:
                    point, lo, hi, count = res[(seg, p)]
                    f = "{:.3f}" if m == "cov90" else "{:.1f}"
                    cells.append(f"{f.format(point[i])} [{f.format(lo[i])},{f.format(hi[i])}]")
                label = f"{seg}" if i else f"{seg}"
                print(f"{label:9}{m:7}" + "".join(f"{c:>{w}}" for c in cells))


if __name__ == "__main__":
    main()
