public import MotCuaDomain

/// A branch a citizen could go to, with what the caller predicts for it.
public struct Candidate: Hashable, Sendable {
  public let branch: BranchID
  public let travelMinutes: Double
  public let distanceKm: Double
  /// The predicted wait if the citizen arrived after `travelMinutes`, before counting pending arrivals.
  public let predictedWaitAtArrivalMinutes: Double
  /// Tickets an hour the branch can take beyond its expected walk-ins; recommendations never exceed it.
  public let spareCapacityPerHour: Double
  /// The branch closes (or stops issuing) before the citizen would be served: never recommended.
  public let closesBeforeServed: Bool
  /// The wait each citizen already sent there (not yet arrived) adds: the service's typical minutes ÷ the
  /// counters serving it. Nil: the chooser's default (pending ÷ spare capacity per hour).
  public let minutesPerPending: Double?

  public init(
    branch: BranchID, travelMinutes: Double, distanceKm: Double, predictedWaitAtArrivalMinutes: Double,
    spareCapacityPerHour: Double, closesBeforeServed: Bool, minutesPerPending: Double? = nil
  ) {
    self.minutesPerPending = minutesPerPending
    self.branch = branch
    self.travelMinutes = travelMinutes
    self.distanceKm = distanceKm
    self.predictedWaitAtArrivalMinutes = predictedWaitAtArrivalMinutes
    self.spareCapacityPerHour = spareCapacityPerHour
    self.closesBeforeServed = closesBeforeServed
  }

  /// The same candidate with the wait `pending` recommended-but-not-arrived citizens will add: each takes
  /// `meanServiceMinutes` at one of `counters` counters.
  ///
  /// - Precondition: `pending >= 0`, `counters > 0`.
  public func addingWait(forPending pending: Int, meanServiceMinutes: Double, counters: Int) -> Candidate {
    precondition(pending >= 0 && counters > 0, "pending must be >= 0 and counters > 0")
    return self.addingWait(minutes: Double(pending) * meanServiceMinutes / Double(counters))
  }

  /// The same candidate with `minutes` more predicted wait.
  public func addingWait(minutes: Double) -> Candidate {
    Candidate(
      branch: self.branch, travelMinutes: self.travelMinutes, distanceKm: self.distanceKm,
      predictedWaitAtArrivalMinutes: self.predictedWaitAtArrivalMinutes + minutes,
      spareCapacityPerHour: self.spareCapacityPerHour, closesBeforeServed: self.closesBeforeServed,
      minutesPerPending: self.minutesPerPending)
  }
}
