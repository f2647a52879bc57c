import MotCuaDomain
import WaitPrediction

/// One branch's load as the city scheduler sees it: per service, people waiting, counters, predicted waits
/// now and ahead, and today's arrivals against the forecast. Waits are seconds; infinite where no counter
/// serves.
struct BranchLoadFigures: Sendable, Equatable {
  struct ServiceFigures: Sendable, Equatable {
    let service: ServiceID
    let waiting: Int
    let openCounters: Int
    let waitNowSeconds: Double
    let in30Minutes: QueueOutlook
    let in60Minutes: QueueOutlook
    let arrivalsPerHour30: Double
    let arrivalsPerHour60: Double
    let arrivalsToday: Int
    let forecastToday: Double

    var waitIn30Seconds: Double { self.in30Minutes.waitSeconds }
    /// The wait alerts read: the longer of now and in 30 minutes. A wait is infinite when no counter serves the
    /// queue (none open, none rostered): that is an overload while people wait (or are expected to), and
    /// nothing when the queue is empty (a desk closed for lunch with nobody waiting).
    var alertWait: Double {
      let worst = max(self.waitNowSeconds, self.waitIn30Seconds)
      guard worst.isInfinite else { return worst.isNaN ? 0 : worst }
      return self.waiting > 0 || self.in30Minutes.waiting > 0 ? .infinity : 0
    }
    var waitIn60Seconds: Double { self.in60Minutes.waitSeconds }
  }

  let branch: Branch
  let openNow: Bool
  let openCounters: Int
  /// Services with people waiting, open counters or arrivals today.
  let services: [ServiceFigures]
  /// The demand-weighted mean wait now over every service the branch offers (for coverage); nil when none can
  /// be served.
  let typicalWaitSeconds: Double?

  var waiting: Int { self.services.reduce(0) { $0 + $1.waiting } }
  var arrivalsToday: Int { self.services.reduce(0) { $0 + $1.arrivalsToday } }
  var forecastToday: Double { self.services.reduce(0) { $0 + $1.forecastToday } }

  /// The longest finite wait among the listed services by `wait`, and its service.
  func longest(_ wait: (ServiceFigures) -> Double) -> (seconds: Double, service: ServiceID?) {
    self.services.filter { wait($0).isFinite }.max { (wait($0), $1.service) < (wait($1), $0.service) }
      .map { (wait($0), $0.service) } ?? (0, nil)
  }

  /// The branch's busiest service by its wait now or in 30 minutes (see `ServiceFigures.alertWait`), with both
  /// waits.
  var busiest: (service: ServiceID?, nowSeconds: Double, in30Seconds: Double) {
    let worst = self.services.filter { $0.alertWait > 0 }.max { ($0.alertWait, $1.service) < ($1.alertWait, $0.service) }
    return (worst?.service, worst?.waitNowSeconds ?? 0, worst?.waitIn30Seconds ?? 0)
  }
}
