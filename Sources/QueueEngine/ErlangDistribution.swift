import Foundation

/// The Erlang distribution: the sum of `shape` independent exponential times of rate `rate`.
public struct ErlangDistribution: Hashable, Sendable {
  public let shape: Int
  public let rate: Double

  /// - Precondition: `shape >= 1`, `rate > 0`.
  public init(shape: Int, rate: Double) {
    precondition(shape >= 1 && rate > 0)
    self.shape = shape
    self.rate = rate
  }

  public var mean: Double { Double(self.shape) / self.rate }

  /// P(X ≤ x) = 1 − Σ_{i<k} e^{−λx} (λx)^i / i!, summed in log space so large shapes do not underflow.
  public func cdf(_ x: Double) -> Double {
    guard x > 0 else { return 0 }
    let lx = self.rate * x
    let logLx = log(lx)
    var logTerm = -lx  // log of e^{−λx} (λx)^i / i!, i = 0
    var tail = exp(logTerm)
    for i in 1..<max(1, self.shape) {
      logTerm += logLx - log(Double(i))
      tail += exp(logTerm)
    }
    return max(0, min(1, 1 - tail))
  }

  /// The density at `x` (> 0), from its logarithm so large shapes do not overflow.
  public func density(_ x: Double) -> Double {
    guard x > 0 else { return 0 }
    let shape = Double(self.shape)
    return exp(shape * log(self.rate) + (shape - 1) * log(x) - self.rate * x - lgamma(shape))
  }

  /// The `p`-quantile, to a millisecond: Newton's method on the CDF from the mean, kept inside a bracket that
  /// every step narrows (a step that would leave it bisects instead). Each CDF costs O(shape), and Newton needs
  /// a handful of them where bisection from the mean needed 25 or more.
  public func quantile(_ p: Double) -> Double {
    precondition(p > 0 && p < 1)
    var low = 0.0
    var high = self.mean
    var excess = self.cdf(high) - p
    while excess < 0 {
      low = high
      high *= 2
      excess = self.cdf(high) - p
    }
    var x = high  // each CDF is computed once: `excess` is the CDF at `x`, less p
    for _ in 0..<200 where high - low > 1e-3 {
      let slope = self.density(x)
      var next = slope > 0 ? x - excess / slope : (low + high) / 2
      if !(next > low && next < high) { next = (low + high) / 2 }
      if abs(next - x) < 1e-4 { return next }
      x = next
      excess = self.cdf(x) - p
      if excess < 0 { low = x } else { high = x }
    }
    return (low + high) / 2
  }
}
