/// A service queue's expected state some minutes ahead, by a fluid approximation: the queue grows with the
/// forecast arrivals and shrinks at the counters' service rate, never below zero.
public struct QueueOutlook: Hashable, Sendable {
  /// Expected people waiting then.
  public let waiting: Double
  /// The expected wait of a ticket issued then: (waiting + 1) × mean service time ÷ counters.
  public let waitSeconds: Double

  /// - Parameters:
  ///   - arrivalsPerHour: forecast arrivals in the interval (all classes).
  ///   - counters: counters expected to serve the service over the interval (0: the queue only grows).
  public init(waiting: Int, arrivalsPerHour: Double, counters: Double, meanServiceSeconds: Double, minutes: Double) {
    let hours = minutes / 60
    let served = counters * hours * 3600 / max(1, meanServiceSeconds)
    let expected = max(0, Double(waiting) + arrivalsPerHour * hours - served)
    self.waiting = expected
    self.waitSeconds = counters > 0 ? (expected + 1) * meanServiceSeconds / counters : .infinity
  }
}
