/// The M/M/s+M queue (Erlang A): Erlang C plus exponential patience, each waiting customer giving up at rate θ.
///
/// Computed exactly from the birth–death chain of the number in the branch (birth λ, death min(n, s)·μ +
/// max(n − s, 0)·θ). The chain is infinite but its probabilities fall geometrically once the death rate passes
/// λ; it is cut where a state's probability drops below 10⁻¹⁷ of the total (the dropped tail is smaller than
/// double-precision rounding), or at `maxStates`. An arrival that finds j others waiting is called after j + 1
/// stages, the k-th from the end lasting Exp(sμ + kθ) given it does not give up first; it is served with
/// probability sμ / (sμ + (j + 1)θ). Waiting-time distributions come from that phase-type chain by
/// uniformisation. Cost: O(states) to build, O(states · (Λt + √Λt)) per share, Λ = sμ + (states − s)θ.
/// With θ = 0 the chain need not settle: use `ErlangC`.
public struct ErlangA: Hashable, Sendable {
  public let pool: ServicePool
  public let servers: Int
  /// P(wait): the probability that an arrival finds every counter busy.
  public let probabilityOfWaiting: Double
  /// P(abandon): the probability that an arrival gives up before being called.
  public let probabilityOfAbandoning: Double
  /// E[W | served]: the mean wait of those who are called, in minutes.
  public let meanWaitMinutesOfServed: Double
  /// E[min(V, patience)]: the mean time spent waiting by every arrival (called or not), in minutes.
  public let meanWaitMinutesOfAll: Double
  /// The states of the truncated chain kept beyond the counters: π(s + j), j ≥ 0, normalised.
  private let waitingStates: [Double]

  /// The longest chain kept; beyond it the tail is dropped (only reached with θ tiny and λ far above sμ).
  public static let maxStates = 2_000_000

  /// - Precondition: `servers >= 0`, `pool.abandonmentPerHour > 0`.
  public init(pool: ServicePool, servers: Int) {
    precondition(servers >= 0, "servers must be >= 0")
    precondition(pool.abandonmentPerHour > 0, "Erlang A needs abandonment > 0; use ErlangC")
    self.pool = pool
    self.servers = servers
    let lambda = pool.arrivalsPerMinute
    let mu = pool.servicesPerMinute
    let theta = pool.abandonmentPerMinute
    let s = Double(servers)

    // Unnormalised π(n), rescaled when large; π(n + 1) = π(n)·λ / death(n + 1).
    var weights: [Double] = [1]
    var total = 1.0
    var n = 0
    while n < Self.maxStates {
      let next = n + 1
      let death = Double(min(next, servers)) * mu + Double(max(next - servers, 0)) * theta
      let weight = weights[n] * lambda / death
      if next > servers && death > lambda && weight < 1e-17 * total { break }
      weights.append(weight)
      total += weight
      n = next
      if total > 1e250 {
        for index in weights.indices { weights[index] *= 1e-250 }
        total *= 1e-250
      }
    }
    let probabilities = weights.map { $0 / total }
    let waiting = servers < probabilities.count ? Array(probabilities[servers...]) : []
    self.waitingStates = waiting

    var pWait = 0.0
    var pAbandon = 0.0
    var servedWait = 0.0
    var allWait = 0.0
    var stageSum = 0.0  // Σ_{i=0}^{j} 1 / (sμ + (i + 1)θ)
    var reachSum = 0.0  // Σ_{i=0}^{j} q_i / (sμ + (i + 1)θ), q_i = sμ / (sμ + iθ)
    for (j, probability) in waiting.enumerated() {
      let i = Double(j)
      let stage = s * mu + (i + 1) * theta
      let reach = j == 0 ? 1 : s * mu / (s * mu + i * theta)
      stageSum += 1 / stage
      reachSum += reach / stage
      let served = s * mu / stage
      pWait += probability
      pAbandon += probability * (1 - served)
      servedWait += probability * served * stageSum
      allWait += probability * reachSum
    }
    self.probabilityOfWaiting = pWait
    self.probabilityOfAbandoning = pAbandon
    self.meanWaitMinutesOfServed = pAbandon < 1 ? servedWait / (1 - pAbandon) : 0
    self.meanWaitMinutesOfAll = allWait
  }

  /// The share of all arrivals called within `minutes`: those who give up count as not called.
  public func shareOfAllCalledWithin(minutes: Double) -> Double {
    (1 - self.probabilityOfWaiting) + self.probabilityCalledAfterWaiting(within: minutes)
  }

  /// The share of called (served) customers whose wait was at most `minutes`.
  public func shareServedWithin(minutes: Double) -> Double {
    let served = 1 - self.probabilityOfAbandoning
    guard served > 0 else { return 0 }
    return min(1, self.shareOfAllCalledWithin(minutes: minutes) / served)
  }

  /// P(the arrival waits, is called, and within t).
  ///
  /// Conditioned on being served, the k-th last stage lasts Exp(c_k), c_k = sμ + kθ; starting with j ahead
  /// there are k = j + 1 stages. Uniformise at Λ = max c_k and sum the absorbed mass over Poisson(Λt) steps.
  private func probabilityCalledAfterWaiting(within minutes: Double) -> Double {
    let stages = self.waitingStates.count
    guard stages > 0, minutes > 0 else { return 0 }
    let sMu = Double(self.servers) * self.pool.servicesPerMinute
    let theta = self.pool.abandonmentPerMinute
    guard sMu > 0 else { return 0 }  // no counters: nobody is ever called
    // mass[k]: probability of k stages remaining and still to be served; index 0 absorbs (called).
    var mass = [Double](repeating: 0, count: stages + 1)
    var leave = [Double](repeating: 0, count: stages + 1)
    let uniform = sMu + Double(stages) * theta
    for k in 1...stages {
      let rate = sMu + Double(k) * theta
      mass[k] = self.waitingStates[k - 1] * sMu / rate
      leave[k] = rate / uniform
    }
    let mean = uniform * minutes
    let steps = Int((mean + 12 * mean.squareRoot() + 30).rounded(.up))
    let logMean = mean.logarithm
    var called = 0.0
    for step in 0...steps {
      let poisson = (-mean + Double(step) * logMean - Double(step + 1).logGamma).exponential
      called += poisson * mass[0]
      // One uniformised step: from k, move to k − 1 with probability leave[k].
      for k in 1...stages {
        let moving = mass[k] * leave[k]
        mass[k] -= moving
        mass[k - 1] += moving
      }
    }
    return called
  }
}
