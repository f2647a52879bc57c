/// One queue served by interchangeable counters: Poisson arrivals, exponential service times and, optionally,
/// exponential patience (customers who give up while waiting).
public struct ServicePool: Hashable, Sendable {
  /// λ: tickets an hour.
  public let arrivalsPerHour: Double
  /// 1/μ: the mean service time of one ticket, in minutes.
  public let meanServiceMinutes: Double
  /// θ: the rate, per hour, at which each waiting customer gives up (1/θ is the mean patience); 0: nobody does.
  public let abandonmentPerHour: Double

  /// - Precondition: `arrivalsPerHour >= 0`, `meanServiceMinutes > 0`, `abandonmentPerHour >= 0`, all finite.
  public init(arrivalsPerHour: Double, meanServiceMinutes: Double, abandonmentPerHour: Double = 0) {
    precondition(arrivalsPerHour >= 0 && arrivalsPerHour.isFinite, "arrivalsPerHour must be finite and >= 0")
    precondition(meanServiceMinutes > 0 && meanServiceMinutes.isFinite, "meanServiceMinutes must be finite and > 0")
    precondition(abandonmentPerHour >= 0 && abandonmentPerHour.isFinite, "abandonmentPerHour must be finite and >= 0")
    self.arrivalsPerHour = arrivalsPerHour
    self.meanServiceMinutes = meanServiceMinutes
    self.abandonmentPerHour = abandonmentPerHour
  }

  /// The offered load a = λ/μ in Erlangs: the counters busy on average if nobody gave up.
  public var offeredLoad: Double { self.arrivalsPerHour * self.meanServiceMinutes / 60 }

  /// λ per minute.
  var arrivalsPerMinute: Double { self.arrivalsPerHour / 60 }
  /// μ per minute.
  var servicesPerMinute: Double { 1 / self.meanServiceMinutes }
  /// θ per minute.
  var abandonmentPerMinute: Double { self.abandonmentPerHour / 60 }
}
