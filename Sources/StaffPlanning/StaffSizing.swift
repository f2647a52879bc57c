/// The fewest counters that meet a service target, by exact Erlang C (or Erlang A when customers give up).
///
/// The service level is the share of all arrivals called within the target's minutes: Erlang C's P(W ≤ t), or
/// Erlang A's share of all arrivals called within t (those who give up count as missed). Not the square-root
/// staffing approximation, which is off by a counter or more at 4–12 counters.
public enum StaffSizing {
  /// The service level `pool` reaches with `servers` counters.
  public static func serviceLevel(_ pool: ServicePool, servers: Int, target: ServiceTarget) -> Double {
    if pool.abandonmentPerHour > 0 {
      return ErlangA(pool: pool, servers: servers).shareOfAllCalledWithin(minutes: target.withinMinutes)
    }
    return ErlangC(pool: pool, servers: servers).shareWithin(minutes: target.withinMinutes)
  }

  /// The fewest counters with which `pool` meets `target`, or nil if more than `maxCounters` would be needed.
  ///
  /// A pool without arrivals needs 0.
  public static func counters(
    for pool: ServicePool, target: ServiceTarget = .default, maxCounters: Int = 10_000
  ) -> Int? {
    guard pool.arrivalsPerHour > 0 else { return 0 }
    if pool.abandonmentPerHour > 0 {
      return Self.countersWithAbandonment(for: pool, target: target, maxCounters: maxCounters)
    }
    // Erlang C: the level rises with s; walk up from the first stable s, B(s, a) one step at a time.
    let a = pool.offeredLoad
    var blocking = 1.0
    for s in stride(from: 1, through: maxCounters, by: 1) {
      blocking = ErlangB.next(blocking, offeredLoad: a, servers: s)
      guard Double(s) > a else { continue }
      let queue = ErlangC(pool: pool, servers: s, blocking: blocking)
      if queue.shareWithin(minutes: target.withinMinutes) >= target.share { return s }
    }
    return nil
  }

  /// Erlang A: gallop to a sufficient s, then bisect (the level rises with s).
  private static func countersWithAbandonment(
    for pool: ServicePool, target: ServiceTarget, maxCounters: Int
  ) -> Int? {
    func meets(_ s: Int) -> Bool { Self.serviceLevel(pool, servers: s, target: target) >= target.share }
    if meets(0) { return 0 }
    var low = 0  // fails
    var high = 1
    while !meets(high) {
      guard high < maxCounters else { return nil }
      low = high
      high = min(2 * high, maxCounters)
    }
    while high - low > 1 {
      let middle = (low + high) / 2
      if meets(middle) { high = middle } else { low = middle }
    }
    return high
  }

  /// The counters each hour of a horizon needs: one pool per hour (its forecast rate), nil where more than
  /// `maxCounters` would be needed.
  public static func countersByHour(
    _ pools: [ServicePool], target: ServiceTarget = .default, maxCounters: Int = 10_000
  ) -> [Int?] {
    pools.map { Self.counters(for: $0, target: target, maxCounters: maxCounters) }
  }
}
