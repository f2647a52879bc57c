public import MotCuaDomain

/// What an estimator sees of a queue when it estimates one ticket's wait.
public struct WaitQuery: Hashable, Sendable {
  public var branchID: BranchID
  public var serviceID: ServiceID
  /// Tickets that will be called before this one.
  public var peopleAhead: Int
  /// Counters open now that serve the service.
  public var openCounters: Int
  /// Counters whose roster has them at work now for the service (used when none is open).
  public var rosteredCounters: Int
  /// Mean service time of the service, in seconds.
  public var meanServiceSeconds: Int

  public init(
    branchID: BranchID, serviceID: ServiceID, peopleAhead: Int, openCounters: Int, rosteredCounters: Int,
    meanServiceSeconds: Int
  ) {
    self.branchID = branchID
    self.serviceID = serviceID
    self.peopleAhead = peopleAhead
    self.openCounters = openCounters
    self.rosteredCounters = rosteredCounters
    self.meanServiceSeconds = meanServiceSeconds
  }
}

/// Estimates a ticket's wait. One protocol, so the prediction issue's estimator replaces the queue-length one
/// without touching its callers.
public protocol WaitEstimator: Sendable {
  func estimate(_ query: WaitQuery) -> WaitEstimate
}
