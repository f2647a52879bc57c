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
