public import MotCuaDomain

/// A ticket's predicted wait until it is called: its mean and two quantiles, in seconds.
public struct WaitPrediction: Sendable, Hashable {
  public var meanSeconds: Double
  public var p50Seconds: Double
  public var p90Seconds: Double
  /// Waiting tickets that will be called before this one, as the queue stands (overtaking arrivals excluded).
  public var peopleAhead: Int
  /// Counters open now that serve the ticket's service.
  public var openCounters: Int

  public init(meanSeconds: Double, p50Seconds: Double, p90Seconds: Double, peopleAhead: Int, openCounters: Int) {
    self.meanSeconds = meanSeconds
    self.p50Seconds = p50Seconds
    self.p90Seconds = p90Seconds
    self.peopleAhead = peopleAhead
    self.openCounters = openCounters
  }

  /// The prediction as the domain's `WaitEstimate` (whole seconds), for replies such as IssueTicket's.
  public var estimate: WaitEstimate {
    WaitEstimate(
      meanSeconds: Int(self.meanSeconds.rounded()), p50Seconds: Int(self.p50Seconds.rounded()),
      p90Seconds: Int(self.p90Seconds.rounded()), peopleAhead: self.peopleAhead, openCounters: self.openCounters,
      assumesRosteredCounters: self.openCounters == 0, method: "simulation")
  }
}
