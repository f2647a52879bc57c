import Foundation
import MotCuaDomain
import QueueEngine
import Testing

@Suite struct ErlangDistributionTests {
  @Test func shapeOneIsExponential() {
    let d = ErlangDistribution(shape: 1, rate: 1)
    #expect(abs(d.quantile(0.5) - log(2)) < 0.01)
    #expect(abs(d.quantile(0.9) - log(10)) < 0.01)
  }

  @Test func shapeFiveMatchesTabulatedQuantiles() {
    // Gamma(5, 1): median 4.6709, 90th percentile 7.9936 (chi-squared with 10 d.f. halved).
    let d = ErlangDistribution(shape: 5, rate: 1)
    #expect(abs(d.quantile(0.5) - 4.6709) < 0.01)
    #expect(abs(d.quantile(0.9) - 7.9936) < 0.01)
  }

  /// Newton's steps land where bisection on the CDF does, to a millisecond, over shapes from 1 to 1,000, rates
  /// of a fast and a slow desk, and quantiles from the 1st to the 99th.
  @Test func quantilesAgreeWithBisection() {
    func bisected(_ d: ErlangDistribution, _ p: Double) -> Double {
      var low = 0.0
      var high = d.mean
      while d.cdf(high) < p { high *= 2 }
      while high - low > 1e-4 {
        let mid = (low + high) / 2
        if d.cdf(mid) < p { low = mid } else { high = mid }
      }
      return (low + high) / 2
    }
    for shape in [1, 2, 5, 20, 101, 400, 1_000] {
      for rate in [1.0, 1.0 / 600, 3.0 / 900] {
        let d = ErlangDistribution(shape: shape, rate: rate)
        for p in [0.01, 0.5, 0.9, 0.99] {
          #expect(abs(d.quantile(p) - bisected(d, p)) < 1e-3, "shape \(shape), rate \(rate), p \(p)")
        }
      }
    }
  }

  @Test func theDensityIsTheCDFsSlope() {
    let d = ErlangDistribution(shape: 30, rate: 1.0 / 300)
    for x in [3_000.0, 9_000, 15_000] {
      let slope = (d.cdf(x + 0.5) - d.cdf(x - 0.5)) / 1.0
      #expect(abs(d.density(x) - slope) < 1e-3 * slope)
    }
  }

  @Test func largeShapesDoNotUnderflow() {
    let d = ErlangDistribution(shape: 800, rate: 0.01)
    let p50 = d.quantile(0.5)
    #expect(p50 > 79_000 && p50 < 80_100)
    #expect(d.quantile(0.9) > p50)
  }
}

@Suite struct QueueLengthEstimatorTests {
  func query(ahead: Int, open: Int, rostered: Int = 0, mean: Int = 600) -> WaitQuery {
    WaitQuery(
      branchID: Fixture.branch, serviceID: Fixture.serviceA, peopleAhead: ahead, openCounters: open,
      rosteredCounters: rostered, meanServiceSeconds: mean)
  }

  @Test func meanIsPeopleAheadPlusOneTimesServiceTimeOverCounters() {
    let e = QueueLengthEstimator().estimate(self.query(ahead: 9, open: 2))
    #expect(e.meanSeconds == 3000)
    #expect(e.p50Seconds < e.meanSeconds && e.meanSeconds < e.p90Seconds)
    #expect(e.openCounters == 2 && e.peopleAhead == 9 && !e.assumesRosteredCounters)
  }

  @Test func withNoCounterOpenItAssumesTheRosteredOnes() {
    let e = QueueLengthEstimator().estimate(self.query(ahead: 3, open: 0, rostered: 4))
    #expect(e.assumesRosteredCounters && e.meanSeconds == 600)
  }

  @Test func moreCountersShortenTheWait() {
    let one = QueueLengthEstimator().estimate(self.query(ahead: 10, open: 1))
    let three = QueueLengthEstimator().estimate(self.query(ahead: 10, open: 3))
    #expect(three.p90Seconds < one.p90Seconds)
  }
}
