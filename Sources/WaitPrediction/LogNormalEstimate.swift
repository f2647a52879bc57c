import Foundation

/// Running statistics of log durations, combined with a prior into a log-normal distribution.
///
/// The posterior is the normal–inverse-gamma update of the log mean and variance, with the prior counting as
/// `priorWeight` observations, so a service seen a few times stays close to its catalogue time.
struct LogNormalEstimate: Sendable, Hashable {
  private(set) var count = 0.0
  private var meanLog = 0.0
  private var sumSquares = 0.0

  /// Observations older than this many (in effective count) fade out, so the estimate follows drift.
  static let memory = 3000.0

  mutating func add(seconds: Double) {
    let x = log(max(seconds, 3))
    if self.count >= Self.memory {
      let keep = (Self.memory - 1) / Self.memory
      self.count *= keep
      self.sumSquares *= keep
    }
    self.count += 1
    let delta = x - self.meanLog
    self.meanLog += delta / self.count
    self.sumSquares += delta * (x - self.meanLog)
  }

  /// The log-normal (μ, σ) given a prior with mean `priorMeanSeconds` and log standard deviation `priorSigma`.
  func posterior(priorMeanSeconds: Double, priorSigma: Double, priorWeight: Double) -> (mu: Double, sigma: Double) {
    let mu0 = log(max(priorMeanSeconds, 3)) - priorSigma * priorSigma / 2
    guard self.count > 0 else { return (mu0, priorSigma) }
    let n = self.count
    let k = priorWeight
    let mu = (k * mu0 + n * self.meanLog) / (k + n)
    let shift = self.meanLog - mu0
    let variance = (k * priorSigma * priorSigma + self.sumSquares + k * n / (k + n) * shift * shift) / (k + n)
    return (mu, min(max(variance.squareRoot(), 0.05), 2.5))
  }
}
