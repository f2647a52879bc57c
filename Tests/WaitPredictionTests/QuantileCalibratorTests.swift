import Foundation
import Testing

@testable import WaitPrediction

@Suite struct QuantileCalibratorTests {
  @Test func withoutHistoryItChangesNothing() {
    let raw = QuantileCalibrator.Raw(mean: 600, p50: 500, p90: 1200)
    #expect(QuantileCalibrator(window: 100).correct(raw, ticketClass: 2) == raw)
  }

  @Test func aSimulationThatIsTooNarrowIsWidenedToNinetyPercentCoverage() {
    var c = QuantileCalibrator(window: 400)
    var rng = SeededGenerator(seed: 3)
    let raw = QuantileCalibrator.Raw(mean: 1200, p50: 1200, p90: 1300)
    // Actual waits: log-normal around 1200 s with σ = 0.5, far wider than the raw p90 says.
    var actuals: [Double] = []
    for _ in 0..<2000 {
      let y = 1200 * exp(0.5 * NormalDistribution.quantile(rng.uniform()))
      actuals.append(y)
      c.record(raw, ticketClass: 2, actual: y)
    }
    let corrected = c.correct(raw, ticketClass: 2)
    let coverage = Double(actuals.suffix(400).count { $0 <= corrected.p90 }) / 400
    #expect(coverage > 0.86 && coverage < 0.94)
    #expect(abs(corrected.p50 - 1200) < 150)  // the median of the last 400 ratios
  }
}
