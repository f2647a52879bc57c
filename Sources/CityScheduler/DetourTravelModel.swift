public import MotCuaDomain

/// Travel time from the great-circle distance: route km = haversine km × detour factor; minutes = route km ÷
/// speed + the mode's fixed minutes (the bus wait).
public struct DetourTravelModel: TravelTimeModel {
  public let settings: TravelSettings
  public let branches: [BranchID: GeoPoint]

  public init(branches: [BranchID: GeoPoint], settings: TravelSettings = TravelSettings()) {
    self.branches = branches
    self.settings = settings
  }

  /// Every branch of the catalogue, at its recorded position.
  public init(catalogue: Catalogue, settings: TravelSettings = TravelSettings()) {
    self.init(
      branches: Dictionary(catalogue.branches.map { ($0.id, GeoPoint($0)) }, uniquingKeysWith: { a, _ in a }),
      settings: settings)
  }

  public func travel(from origin: GeoPoint, to branch: BranchID, mode: TravelMode) -> TravelEstimate? {
    guard origin.isInside(self.settings.cityBounds), let destination = self.branches[branch] else { return nil }
    let km = origin.distanceKm(to: destination) * self.settings.detourFactor
    let minutes = km / self.settings.speed(mode) * 60 + (self.settings.fixedMinutes[mode] ?? 0)
    return TravelEstimate(minutes: minutes, km: km)
  }
}
