public import CityScheduler
public import MotCuaDomain

/// One simulated citizen: everything drawn for them before any policy runs, so that every policy sees the same
/// people, origins, services, compliance and service times.
public struct Citizen: Hashable, Sendable {
  /// Position in departure order, from 0.
  public let id: Int
  /// When they set out, in seconds after local midnight of the simulated day.
  public let departureSecond: Double
  /// The branch whose district they live in.
  public let district: BranchID
  public let origin: GeoPoint
  public let service: ServiceID
  /// Whether they follow the policy; otherwise they go to the nearest open branch (as `nearest` would).
  public let follows: Bool
  /// Their time at the counter once called, whichever branch serves them.
  public let serviceSeconds: Double
}
