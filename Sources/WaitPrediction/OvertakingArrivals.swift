/// Learned hourly rates of the tickets that overtake walk-ins: priority tickets (by local hour of issue) and
/// appointments (by local hour they become due), averaged over past days with exponential forgetting.
struct OvertakingArrivals: Sendable {
  enum Stream: Int, CaseIterable {
    case priority = 0
    case appointment = 1
  }

  /// Each past day's weight is multiplied by this at the end of every day.
  static let dayDecay = 0.97

  private var pastCounts = [[Double]](repeating: [Double](repeating: 0, count: 24), count: 2)
  private var todayCounts = [[Double]](repeating: [Double](repeating: 0, count: 24), count: 2)
  private var serviceCounts: [[Int: Double]] = [[:], [:]]
  private var pastDays = 0.0

  mutating func record(_ stream: Stream, hour: Int, service: Int) {
    self.todayCounts[stream.rawValue][hour] += 1
    self.serviceCounts[stream.rawValue][service, default: 0] += 1
  }

  /// Folds today's counts into the past days' average.
  mutating func closeDay() {
    let today = self.todayCounts.reduce(0) { $0 + $1.reduce(0, +) }
    guard today > 0 else { return }
    for s in 0..<2 {
      for h in 0..<24 {
        self.pastCounts[s][h] = self.pastCounts[s][h] * Self.dayDecay + self.todayCounts[s][h]
        self.todayCounts[s][h] = 0
      }
    }
    self.pastDays = self.pastDays * Self.dayDecay + 1
  }

  /// Arrivals per second in local hour `hour` (0 before a whole day has been seen).
  func rate(_ stream: Stream, hour: Int) -> Double {
    guard self.pastDays > 0 else { return 0 }
    return self.pastCounts[stream.rawValue][hour] / self.pastDays / 3600
  }

  /// The services of the stream's arrivals with cumulative probabilities.
  func serviceMix(_ stream: Stream) -> (services: [Int], cumulative: [Double]) {
    let counts = self.serviceCounts[stream.rawValue].sorted { $0.key < $1.key }
    let total = counts.reduce(0) { $0 + $1.value }
    guard total > 0 else { return ([], []) }
    var running = 0.0
    return (counts.map(\.key), counts.map { running += $0.value; return running / total })
  }
}
