/// How long a trip takes and how far it goes along the way.
public struct TravelEstimate: Hashable, Sendable {
  public let minutes: Double
  /// Distance travelled (the route, not the straight line).
  public let km: Double

  public init(minutes: Double, km: Double) {
    self.minutes = minutes
    self.km = km
  }
}
