import Foundation

/// How long a called ticket keeps its counter busy: a no-show with probability `noShowShare` (a short,
/// log-normal time until it is marked absent), otherwise a served citizen (log-normal, or exponential in tests).
struct ServiceTimeDistribution: Sendable, Hashable {
  enum Shape: Sendable, Hashable {
    case logNormal(mu: Double, sigma: Double)
    case exponential(mean: Double)
  }

  var served: Shape
  var noShowShare: Double
  var noShowMu: Double
  var noShowSigma: Double

  init(served: Shape, noShowShare: Double = 0, noShowMu: Double = log(120.0), noShowSigma: Double = 0.5) {
    self.served = served
    self.noShowShare = noShowShare
    self.noShowMu = noShowMu
    self.noShowSigma = noShowSigma
  }

  /// The mean time a served citizen takes.
  var servedMean: Double {
    switch self.served {
    case .logNormal(let mu, let sigma): exp(mu + sigma * sigma / 2)
    case .exponential(let mean): mean
    }
  }

  /// The mean counter time of a called ticket, no-shows included.
  var meanCounterSeconds: Double {
    (1 - self.noShowShare) * self.servedMean + self.noShowShare * exp(self.noShowMu + self.noShowSigma * self.noShowSigma / 2)
  }

  /// The counter time of a newly called ticket.
  func sample(_ rng: inout SeededGenerator) -> Double {
    if self.noShowShare > 0 && rng.uniform() < self.noShowShare {
      return exp(self.noShowMu + self.noShowSigma * NormalDistribution.quantile(rng.uniform()))
    }
    return self.sampleServed(above: 0, &rng)
  }

  /// The remaining counter time of a ticket called `elapsed` seconds ago; `started` rules out a no-show.
  func sampleRemaining(elapsed: Double, started: Bool, _ rng: inout SeededGenerator) -> Double {
    guard elapsed > 0 else { return started ? self.sampleServed(above: 0, &rng) : self.sample(&rng) }
    if !started && self.noShowShare > 0 {
      // P(no-show | still at the counter after `elapsed`), by Bayes on the two survival functions.
      let zNoShow = (log(elapsed) - self.noShowMu) / self.noShowSigma
      let survivalNoShow = 1 - NormalDistribution.cdf(zNoShow)
      let weightNoShow = self.noShowShare * survivalNoShow
      let weightServed = (1 - self.noShowShare) * self.survivalServed(elapsed)
      if weightNoShow + weightServed > 0 && rng.uniform() * (weightNoShow + weightServed) < weightNoShow {
        let u0 = 1 - survivalNoShow
        let u = u0 + (1 - u0) * rng.uniform()
        return max(0, exp(self.noShowMu + self.noShowSigma * NormalDistribution.quantile(u)) - elapsed)
      }
    }
    return self.sampleServed(above: elapsed, &rng) - elapsed
  }

  private func survivalServed(_ t: Double) -> Double {
    switch self.served {
    case .logNormal(let mu, let sigma): 1 - NormalDistribution.cdf((log(t) - mu) / sigma)
    case .exponential(let mean): exp(-t / mean)
    }
  }

  /// A served time conditioned on exceeding `floor` (inverse CDF on the upper tail).
  private func sampleServed(above floor: Double, _ rng: inout SeededGenerator) -> Double {
    switch self.served {
    case .exponential(let mean):
      return floor - mean * log(rng.uniform())
    case .logNormal(let mu, let sigma):
      guard floor > 0 else { return exp(mu + sigma * NormalDistribution.quantile(rng.uniform())) }
      let u0 = NormalDistribution.cdf((log(floor) - mu) / sigma)
      if u0 > 0.995 {
        // Far in the tail: the log-normal's residual life is long and uncertain; keep it bounded.
        return floor - 0.25 * exp(mu) * log(rng.uniform())
      }
      let u = u0 + (1 - u0) * rng.uniform()
      return max(floor, exp(mu + sigma * NormalDistribution.quantile(u)))
    }
  }
}
