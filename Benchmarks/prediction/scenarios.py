"""Branch scenarios for the prediction benchmark.

Times are seconds after 08:00 local (Asia/Ho_Chi_Minh). A scenario lists its services (mean minutes,
coefficient of variation, share of arrivals), its counters (the services they serve and their working
intervals) and its demand (arrivals a day, priority, appointment and no-show shares, impatience).
Counters serving the same set of services form one pool: one ciw node whose server count follows the roster.
"""

H = 3600
CLOSE = 9 * H  # 17:00
LAST_ISSUE = int(8.5 * H)  # 16:30

# Arrival intensity per hour from 08:00 (a morning peak, a lunch trough), relative.
PROFILE = [1.0, 1.8, 1.6, 1.1, 0.5, 0.9, 1.0, 0.9, 0.6]


def counters(prefix, n, services, intervals):
    return [{"id": f"{prefix}{i + 1}", "services": services, "intervals": intervals(i)} for i in range(n)]


def _s():
    services = {"s1": (6, 0.6, 0.5), "s2": (10, 0.6, 0.3), "s3": (15, 0.6, 0.2)}
    all_s = list(services)
    cs = counters("c", 4, all_s, lambda i: [(0, CLOSE)] if i < 3 else [(0, 4 * H), (5 * H, CLOSE)])
    return dict(services=services, counters=cs, arrivals=220, priority=0.10, appointments=0.0, no_show=0.12,
                patience_min=None)


def _m():
    services = {"p1": (6, 0.6, 0.38), "p2": (10, 0.6, 0.25), "p3": (14, 0.6, 0.18), "p4": (18, 0.6, 0.11),
                "p5": (25, 0.6, 0.08)}
    all_s = list(services)

    def iv(i):
        if i < 6:
            return [(0, CLOSE)]
        if i == 6:
            return [(0, int(3.5 * H)), (int(5.5 * H), CLOSE)]  # lunch dip 11:30-13:30
        return [(int(1.0 * H), int(3.5 * H)), (int(5.5 * H), int(8 * H))]  # 09:00-11:30, 13:30-16:00
    cs = counters("m", 8, all_s, iv)
    return dict(services=services, counters=cs, arrivals=350, priority=0.08, appointments=0.30, no_show=0.15,
                patience_min=None)


def _l():
    services = {"g1": (6, 0.6, 0.22), "g2": (8, 0.6, 0.2), "g3": (10, 0.6, 0.16), "g4": (12, 0.6, 0.14),
                "g5": (15, 0.6, 0.12), "g6": (18, 0.6, 0.10), "x1": (25, 0.5, 0.035), "x2": (35, 0.5, 0.025)}
    general = [s for s in services if s.startswith("g")]

    def giv(i):
        if i >= 8:
            return [(0, int(3.5 * H)), (int(4.5 * H), CLOSE)]
        if i >= 6:
            return [(0, int(4.5 * H)), (int(5.5 * H), CLOSE)]
        return [(0, CLOSE)]
    cs = counters("g", 10, general, giv)
    cs += counters("x", 2, ["x1", "x2"], lambda i: [(0, CLOSE)] if i == 0 else [(0, 4 * H), (5 * H, CLOSE)])
    return dict(services=services, counters=cs, arrivals=500, priority=0.10, appointments=0.0, no_show=0.10,
                patience_min=45)


SCENARIOS = {"S": _s(), "M": _m(), "L": _l()}
