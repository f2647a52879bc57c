import Foundation
import Testing

@testable import WaitPrediction

@Suite struct LogNormalEstimateTests {
  @Test func withoutObservationsItIsThePrior() {
    let p = LogNormalEstimate().posterior(priorMeanSeconds: 600, priorSigma: 0.5, priorWeight: 8)
    #expect(abs(exp(p.mu + p.sigma * p.sigma / 2) - 600) < 1e-6)
    #expect(p.sigma == 0.5)
  }

  @Test func manyObservationsOverrideThePrior() {
    var rng = SeededGenerator(seed: 11)
    var estimate = LogNormalEstimate()
    let (mu, sigma) = (log(300.0), 0.7)
    for _ in 0..<3000 {
      estimate.add(seconds: exp(mu + sigma * NormalDistribution.quantile(rng.uniform())))
    }
    let p = estimate.posterior(priorMeanSeconds: 900, priorSigma: 0.5, priorWeight: 8)
    #expect(abs(p.mu - mu) < 0.05)
    #expect(abs(p.sigma - sigma) < 0.05)
  }

  @Test func aFewObservationsAreShrunkTowardThePrior() {
    var estimate = LogNormalEstimate()
    for _ in 0..<4 { estimate.add(seconds: 200) }
    let p = estimate.posterior(priorMeanSeconds: 800, priorSigma: 0.5, priorWeight: 8)
    let median = exp(p.mu)
    #expect(median > 200 && median < 700)
  }
}

@Suite struct NormalDistributionTests {
  @Test(arguments: [(0.5, 0.0), (0.9, 1.2815516), (0.975, 1.9599640), (0.01, -2.3263479)])
  func quantileMatchesTables(p: Double, z: Double) {
    #expect(abs(NormalDistribution.quantile(p) - z) < 1e-6)
    #expect(abs(NormalDistribution.cdf(z) - p) < 1e-6)
  }
}
