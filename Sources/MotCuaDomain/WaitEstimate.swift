/// How long a ticket is expected to wait before it is called, in seconds.
public struct WaitEstimate: Hashable, Sendable {
  public var meanSeconds: Int
  public var p50Seconds: Int
  public var p90Seconds: Int
  public var peopleAhead: Int
  public var openCounters: Int
  /// True when no counter serving the service is open and the estimate assumes the rostered ones.
  public var assumesRosteredCounters: Bool
  /// The estimator's name, e.g. "queue-length".
  public var method: String

  public init(
    meanSeconds: Int, p50Seconds: Int, p90Seconds: Int, peopleAhead: Int, openCounters: Int,
    assumesRosteredCounters: Bool, method: String
  ) {
    self.meanSeconds = meanSeconds
    self.p50Seconds = p50Seconds
    self.p90Seconds = p90Seconds
    self.peopleAhead = peopleAhead
    self.openCounters = openCounters
    self.assumesRosteredCounters = assumesRosteredCounters
    self.method = method
  }
}
