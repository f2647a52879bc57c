import Foundation

/// Corrects simulated waits with the errors of past predictions (a split-conformal style correction).
///
/// For every called ticket it keeps the ratios (actual + a) / (predicted + a) of its at-issue prediction, per
/// ticket class (priority, appointment, walk-in) and size of the predicted p90; the corrected p50 and p90 are the
/// raw ones scaled by the ratios' 50th and 90th percentiles, and the mean by the ratio of the sums. A sparse cell
/// borrows from the same size of prediction in all classes, and that from all tickets, so a new branch starts
/// from the uncorrected simulation.
struct QuantileCalibrator: Sendable {
  /// Uncorrected quantiles from the simulation.
  struct Raw: Sendable, Hashable {
    var mean: Double
    var p50: Double
    var p90: Double
  }

  private struct Cell: Sendable {
    var actuals: [Double] = []
    var means: [Double] = []
    var ratios50: [Double] = []
    var ratios90: [Double] = []
    var next = 0
    var sinceRefresh = 0
    var logFactors = (mean: 0.0, p50: 0.0, p90: 0.0)
    var count: Int { self.ratios90.count }
  }

  static let offset = 60.0
  static let classes = 3
  static let bucketEdges: [Double] = [240, 900, 1800, 3600]
  /// Observations at which a cell's own correction and its parent's weigh the same.
  static let shrinkage = 40.0

  private let window: Int
  private var cells: [Cell]

  init(window: Int) {
    self.window = max(20, window)
    self.cells = Array(repeating: Cell(), count: 1 + (Self.classes + 1) * (Self.bucketEdges.count + 1))
  }

  private static func bucket(_ raw: Raw) -> Int {
    Self.bucketEdges.firstIndex { raw.p90 < $0 } ?? Self.bucketEdges.count
  }

  private static func cellIndices(_ raw: Raw, ticketClass: Int) -> [Int] {
    let buckets = Self.bucketEdges.count + 1
    let bucket = Self.bucket(raw)
    return [0, 1 + bucket, 1 + buckets * (1 + ticketClass) + bucket]
  }

  mutating func record(_ raw: Raw, ticketClass: Int, actual: Double) {
    let a = Self.offset
    for index in Self.cellIndices(raw, ticketClass: ticketClass) {
      var cell = self.cells[index]
      let values = (actual + a, (actual + a) / (raw.p50 + a), (actual + a) / (raw.p90 + a))
      if cell.count < self.window {
        cell.actuals.append(values.0)
        cell.means.append(raw.mean + a)
        cell.ratios50.append(values.1)
        cell.ratios90.append(values.2)
      } else {
        cell.actuals[cell.next] = values.0
        cell.means[cell.next] = raw.mean + a
        cell.ratios50[cell.next] = values.1
        cell.ratios90[cell.next] = values.2
        cell.next = (cell.next + 1) % self.window
      }
      cell.sinceRefresh += 1
      if cell.sinceRefresh >= (cell.count < 100 ? 1 : 8) {
        cell.sinceRefresh = 0
        cell.logFactors = (
          log(cell.actuals.reduce(0, +) / cell.means.reduce(0, +)),
          log(Self.quantile(cell.ratios50, 0.5)), log(Self.quantile(cell.ratios90, 0.9))
        )
      }
      self.cells[index] = cell
    }
  }

  func correct(_ raw: Raw, ticketClass: Int) -> Raw {
    var factors = (mean: 0.0, p50: 0.0, p90: 0.0)
    for index in Self.cellIndices(raw, ticketClass: ticketClass) {
      let cell = self.cells[index]
      let w = Double(cell.count) / (Double(cell.count) + Self.shrinkage)
      factors.mean = w * cell.logFactors.mean + (1 - w) * factors.mean
      factors.p50 = w * cell.logFactors.p50 + (1 - w) * factors.p50
      factors.p90 = w * cell.logFactors.p90 + (1 - w) * factors.p90
    }
    let a = Self.offset
    let p50 = max(0, (raw.p50 + a) * exp(factors.p50) - a)
    let p90 = max(p50, (raw.p90 + a) * exp(factors.p90) - a)
    let mean = max(0, (raw.mean + a) * exp(factors.mean) - a)
    return Raw(mean: mean, p50: p50, p90: p90)
  }

  /// The empirical `p`-quantile (linear interpolation).
  static func quantile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard sorted.count > 1 else { return sorted.first ?? 1 }
    let position = p * Double(sorted.count - 1)
    let low = Int(position)
    let high = min(low + 1, sorted.count - 1)
    return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
  }
}
