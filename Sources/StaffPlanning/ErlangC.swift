/// The M/M/s queue (Erlang C): Poisson arrivals, exponential service, `servers` counters, nobody gives up.
///
/// Exact, from the Erlang B recursion, and stable for hundreds of counters. An unstable pool (λ ≥ sμ) waits
/// forever: `meanWaitMinutes` is infinite and every service level is 0.
public struct ErlangC: Hashable, Sendable {
  /// The pool; its abandonment rate, if any, is ignored.
  public let pool: ServicePool
  public let servers: Int
  /// C(s, a): the probability that an arriving ticket waits at all (1 when unstable).
  public let probabilityOfWaiting: Double

  /// - Precondition: `servers >= 0`.
  public init(pool: ServicePool, servers: Int) {
    precondition(servers >= 0, "servers must be >= 0")
    self.init(pool: pool, servers: servers, blocking: ErlangB.blocking(offeredLoad: pool.offeredLoad, servers: servers))
  }

  /// The queue with `servers` counters, given B(servers, a) already computed.
  init(pool: ServicePool, servers: Int, blocking: Double) {
    self.pool = pool
    self.servers = servers
    let a = pool.offeredLoad
    let s = Double(servers)
    if a == 0 {
      self.probabilityOfWaiting = 0
    } else if s <= a {
      self.probabilityOfWaiting = 1
    } else {
      self.probabilityOfWaiting = s * blocking / (s - a * (1 - blocking))
    }
  }

  /// Whether the queue settles: λ < sμ (or no arrivals).
  public var isStable: Bool { self.pool.arrivalsPerHour == 0 || Double(self.servers) > self.pool.offeredLoad }

  /// sμ − λ per minute: the rate at which the wait beyond the first busy period drains.
  private var drainPerMinute: Double {
    Double(self.servers) * self.pool.servicesPerMinute - self.pool.arrivalsPerMinute
  }

  /// E[W]: the mean wait before being called, in minutes (infinite when unstable).
  public var meanWaitMinutes: Double {
    guard self.pool.arrivalsPerHour > 0 else { return 0 }
    guard self.isStable else { return .infinity }
    return self.probabilityOfWaiting / self.drainPerMinute
  }

  /// E[Lq]: the mean number of tickets waiting (infinite when unstable).
  public var meanQueueLength: Double {
    self.pool.arrivalsPerHour == 0 ? 0 : self.pool.arrivalsPerMinute * self.meanWaitMinutes
  }

  /// P(W ≤ t): the share of tickets called within `minutes` (the service level); 0 when unstable.
  ///
  /// P(W ≤ t) = 1 − C(s, a)·e^−(sμ−λ)t.
  public func shareWithin(minutes: Double) -> Double {
    guard self.pool.arrivalsPerHour > 0 else { return 1 }
    guard self.isStable else { return 0 }
    return 1 - self.probabilityOfWaiting * (-self.drainPerMinute * max(0, minutes)).exponential
  }

  /// The queue with 0, 1, …, `maxServers` counters, computed together in O(maxServers).
  public static func table(pool: ServicePool, maxServers: Int) -> [ErlangC] {
    precondition(maxServers >= 0, "maxServers must be >= 0")
    var blocking = 1.0
    var queues = [ErlangC(pool: pool, servers: 0, blocking: blocking)]
    queues.reserveCapacity(maxServers + 1)
    for s in stride(from: 1, through: maxServers, by: 1) {
      blocking = ErlangB.next(blocking, offeredLoad: pool.offeredLoad, servers: s)
      queues.append(ErlangC(pool: pool, servers: s, blocking: blocking))
    }
    return queues
  }
}
