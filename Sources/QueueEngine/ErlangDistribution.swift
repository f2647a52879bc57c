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

  /// The `p`-quantile, by bisection on the CDF (to a millisecond).
  public func quantile(_ p: Double) -> Double {
    precondition(p > 0 && p < 1)
    var low = 0.0
    var high = self.mean
    while self.cdf(high) < p { high *= 2 }
    while high - low > 1e-3 {
      let mid = (low + high) / 2
      if self.cdf(mid) < p { low = mid } else { high = mid }
    }
    return (low + high) / 2
  }
}
