import Foundation

/// One prediction's Monte-Carlo model of the queue ahead of a target ticket, in seconds from now.
///
/// Counters call, whenever they are free and inside a working window, the first waiting ticket they serve in
/// rank order (0 priority, 1 due appointment, 2 walk-in), FIFO within a rank. Tickets ranked below the target,
/// or behind it in its rank, can never delay it and are left out. Overtaking tickets join later: appointments
/// that become due (`pending`) and Poisson arrivals of higher ranks (`streams`). A called ticket keeps its
/// counter for a sampled service time (a no-show for a short one); tickets already at a counter keep it for a
/// residual time conditioned on their elapsed time.
struct QueueSimulation: Sendable {
  /// A counter that is open now or will open later today.
  struct Counter: Sendable {
    var mask: UInt64
    /// The service of the ticket at the counter now, or nil when it is idle.
    var busyService: Int?
    var elapsed: Double = 0
    var started = false
    /// Intervals (start, end) in which it calls tickets, sorted; an end of `.infinity` never closes.
    var windows: [(start: Double, end: Double)]
  }

  /// A ticket that joins the queue at `time` (an appointment becoming due, or the target itself).
  struct Pending: Sendable {
    var time: Double
    var rank: Int
    var service: Int
    var isTarget = false
  }

  /// A Poisson stream of overtaking arrivals with hourly rates.
  struct ArrivalStream: Sendable {
    var rank: Int
    /// Rates per second for consecutive segments: the rest of the current hour, then whole hours.
    var rates: [Double]
    /// Seconds from now to the end of the current hour.
    var firstSegmentEnd: Double
    /// Services of arrivals and their cumulative probabilities.
    var services: [Int]
    var cumulative: [Double]
  }

  var services: [ServiceTimeDistribution]
  var counters: [Counter]
  /// Per rank 0...2, the services of the tickets waiting ahead of the target (target excluded).
  var queue: [[Int]]
  var targetRank: Int
  /// Sorted by time; contains the target exactly once.
  var pending: [Pending]
  var streams: [ArrivalStream]
  var horizon: Double

  static func bit(_ service: Int) -> UInt64 { service < 63 ? 1 << UInt64(service) : 1 << 63 }

  /// Simulated waits of the target, sorted ascending, one per replication.
  func run(samples: Int, seed: UInt64) -> [Double] {
    var rng = SeededGenerator(seed: seed)
    let targetMask = self.targetMask
    var waits = [Double]()
    waits.reserveCapacity(samples)
    var lists: [[Int]] = [[], [], []]
    var heads = [0, 0, 0]
    var nextCall = [Double](repeating: .infinity, count: self.counters.count)
    var nextArrival = [Double](repeating: .infinity, count: self.streams.count)
    for r in 0..<3 { lists[r].reserveCapacity(self.queue[r].count + 32) }

    for _ in 0..<samples {
      for r in 0..<3 {
        lists[r].removeAll(keepingCapacity: true)
        if r <= self.targetRank { lists[r].append(contentsOf: self.queue[r]) }
        heads[r] = 0
      }
      var targetPosition = -1
      for k in self.counters.indices {
        let c = self.counters[k]
        let busyUntil: Double =
          if let s = c.busyService {
            self.services[s].sampleRemaining(elapsed: c.elapsed, started: c.started, &rng)
          } else { 0 }
        nextCall[k] = Self.available(c.windows, at: busyUntil)
      }
      for j in self.streams.indices {
        nextArrival[j] = Self.nextArrival(self.streams[j], after: 0, &rng)
      }
      var pendingIndex = 0
      var wait = self.horizon

      while true {
        var insertion = Double.infinity
        var insertionSource = -1  // -1 pending, else stream index
        if pendingIndex < self.pending.count { insertion = self.pending[pendingIndex].time }
        for j in self.streams.indices where nextArrival[j] < insertion {
          insertion = nextArrival[j]
          insertionSource = j
        }
        var counter = -1
        var callTime = Double.infinity
        for k in self.counters.indices where nextCall[k] < callTime {
          callTime = nextCall[k]
          counter = k
        }
        if insertion <= callTime {
          if insertion >= self.horizon { break }
          if insertionSource < 0 {
            let p = self.pending[pendingIndex]
            pendingIndex += 1
            if p.rank > self.targetRank || targetPosition >= 0 && p.rank == self.targetRank { continue }
            if p.isTarget {
              targetPosition = lists[p.rank].count
              lists[p.rank].append(Int.max)
            } else {
              lists[p.rank].append(p.service)
            }
          } else {
            let stream = self.streams[insertionSource]
            let u = rng.uniform()
            var pick = 0
            while pick < stream.cumulative.count - 1 && stream.cumulative[pick] < u { pick += 1 }
            lists[stream.rank].append(stream.services[pick])
            nextArrival[insertionSource] = Self.nextArrival(stream, after: insertion, &rng)
          }
          continue
        }
        if counter < 0 || callTime >= self.horizon { break }
        // The counter calls the first ticket it serves, in rank order.
        let mask = self.counters[counter].mask
        var called: Int? = nil
        var isTarget = false
        search: for r in 0...self.targetRank {
          var i = heads[r]
          while i < lists[r].count {
            let s = lists[r][i]
            if s < 0 {
              if i == heads[r] { heads[r] += 1 }
              i += 1
              continue
            }
            if s == Int.max {
              if r == self.targetRank && i == targetPosition && (mask & targetMask) != 0 {
                isTarget = true
                break search
              }
              i += 1
              continue
            }
            if mask & Self.bit(s) != 0 {
              lists[r][i] = -1
              if i == heads[r] { heads[r] += 1 }
              called = s
              break search
            }
            i += 1
          }
        }
        if isTarget {
          wait = callTime
          break
        }
        if let s = called {
          let duration = self.services[s].sample(&rng)
          nextCall[counter] = Self.available(self.counters[counter].windows, at: callTime + duration)
        } else {
          // Nothing it serves is waiting: it idles until the next ticket joins.
          nextCall[counter] =
            insertion.isFinite ? Self.available(self.counters[counter].windows, at: insertion) : .infinity
        }
      }
      waits.append(min(wait, self.horizon))
    }
    waits.sort()
    return waits
  }

  /// The bit of the target's service.
  var targetMask: UInt64 {
    guard let target = self.pending.first(where: \.isTarget) else { return 0 }
    return Self.bit(target.service)
  }

  /// The first time at or after `t` inside a window, or infinity.
  static func available(_ windows: [(start: Double, end: Double)], at t: Double) -> Double {
    for w in windows where w.end > t { return max(t, w.start) }
    return .infinity
  }

  /// The next arrival of a piecewise-constant Poisson process after `t`.
  static func nextArrival(_ stream: ArrivalStream, after t: Double, _ rng: inout SeededGenerator) -> Double {
    var e = -log(rng.uniform())
    var now = t
    var segment = now < stream.firstSegmentEnd ? 0 : 1 + Int((now - stream.firstSegmentEnd) / 3600)
    while segment < stream.rates.count {
      let end = stream.firstSegmentEnd + Double(segment) * 3600
      let rate = stream.rates[segment]
      let capacity = rate * (end - now)
      if e <= capacity { return now + e / rate }
      e -= capacity
      now = end
      segment += 1
    }
    return .infinity
  }
}
