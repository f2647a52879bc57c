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
}
