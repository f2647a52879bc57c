public import MotCuaDomain

/// A position on the Earth: latitude and longitude in decimal degrees (WGS 84).
public struct GeoPoint: Hashable, Sendable {
  public let latitude: Double
  public let longitude: Double

  public init(latitude: Double, longitude: Double) {
    self.latitude = latitude
    self.longitude = longitude
  }

  /// The branch's position as the catalogue records it (also its district's centroid).
  public init(_ branch: Branch) {
    self.init(latitude: branch.latitude, longitude: branch.longitude)
  }

  /// The mean Earth radius (IUGG), in kilometres.
  public static let earthRadiusKm = 6371.0088

  /// The great-circle distance to `other` in kilometres (haversine formula).
  public func distanceKm(to other: GeoPoint) -> Double {
    let toRadians = Double.pi / 180
    let phi1 = self.latitude * toRadians
    let phi2 = other.latitude * toRadians
    let deltaPhi = phi2 - phi1
    let deltaLambda = (other.longitude - self.longitude) * toRadians
    let sinPhi = (deltaPhi / 2).sine
    let sinLambda = (deltaLambda / 2).sine
    let a = sinPhi * sinPhi + phi1.cosine * phi2.cosine * sinLambda * sinLambda
    return 2 * Self.earthRadiusKm * min(1, a.squareRoot()).arcsine
  }

  /// Whether the point is a finite coordinate inside `bounds` (edges included).
  public func isInside(_ bounds: GeoBounds) -> Bool {
    self.latitude.isFinite && self.longitude.isFinite
      && (bounds.minLatitude...bounds.maxLatitude).contains(self.latitude)
      && (bounds.minLongitude...bounds.maxLongitude).contains(self.longitude)
  }
}
