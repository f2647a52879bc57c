public import MotCuaDomain

/// Estimates the trip from a location to a branch; a routing engine can replace the built-in models.
public protocol TravelTimeModel: Sendable {
  /// The trip from `origin` to `branch` by `mode`; nil when it cannot be estimated (unknown branch, or an
  /// origin outside the city).
  func travel(from origin: GeoPoint, to branch: BranchID, mode: TravelMode) -> TravelEstimate?
}
