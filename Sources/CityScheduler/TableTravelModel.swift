public import MotCuaDomain

/// Measured travel times (origin zone × branch × mode → minutes) that override another model; trips the
/// table does not cover fall back to it.
///
/// An origin belongs to the zone whose centroid is nearest, if within `zoneRadiusKm`. The fallback also
/// supplies the distance and decides what is rejected: an origin it rejects is rejected here too.
public struct TableTravelModel: TravelTimeModel {
  /// An origin zone: an id and its centroid.
  public struct Zone: Hashable, Sendable {
    public let id: String
    public let centroid: GeoPoint

    public init(id: String, centroid: GeoPoint) {
      self.id = id
      self.centroid = centroid
    }
  }

  /// One measured trip.
  public struct Entry: Hashable, Sendable {
    public let zoneID: String
    public let branch: BranchID
    public let mode: TravelMode
    public let minutes: Double

    public init(zoneID: String, branch: BranchID, mode: TravelMode, minutes: Double) {
      self.zoneID = zoneID
      self.branch = branch
      self.mode = mode
      self.minutes = minutes
    }
  }

  private struct Key: Hashable {
    let zoneID: String
    let branch: BranchID
    let mode: TravelMode
  }

  public let zones: [Zone]
  public let zoneRadiusKm: Double
  public let fallback: any TravelTimeModel
  private let minutes: [Key: Double]

  /// - Precondition: every entry names a zone in `zones`.
  public init(zones: [Zone], entries: [Entry], zoneRadiusKm: Double = 2, fallback: any TravelTimeModel) {
    let zoneIDs = Set(zones.map(\.id))
    precondition(entries.allSatisfy { zoneIDs.contains($0.zoneID) }, "TableTravelModel: entry for an unknown zone")
    self.zones = zones
    self.zoneRadiusKm = zoneRadiusKm
    self.fallback = fallback
    self.minutes = Dictionary(
      entries.map { (Key(zoneID: $0.zoneID, branch: $0.branch, mode: $0.mode), $0.minutes) },
      uniquingKeysWith: { _, last in last })
  }

  /// The zone whose centroid is nearest to `point`, if within the radius.
  public func zone(containing point: GeoPoint) -> Zone? {
    let nearest = self.zones.min { point.distanceKm(to: $0.centroid) < point.distanceKm(to: $1.centroid) }
    guard let nearest, point.distanceKm(to: nearest.centroid) <= self.zoneRadiusKm else { return nil }
    return nearest
  }

  public func travel(from origin: GeoPoint, to branch: BranchID, mode: TravelMode) -> TravelEstimate? {
    guard let estimate = self.fallback.travel(from: origin, to: branch, mode: mode) else { return nil }
    guard let zone = self.zone(containing: origin),
      let minutes = self.minutes[Key(zoneID: zone.id, branch: branch, mode: mode)]
    else { return estimate }
    return TravelEstimate(minutes: minutes, km: estimate.km)
  }
}
