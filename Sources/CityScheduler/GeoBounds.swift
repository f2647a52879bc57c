/// A latitude/longitude box, used to reject locations outside the city.
public struct GeoBounds: Hashable, Sendable {
  public let minLatitude: Double
  public let maxLatitude: Double
  public let minLongitude: Double
  public let maxLongitude: Double

  /// - Precondition: `minLatitude <= maxLatitude` and `minLongitude <= maxLongitude`.
  public init(minLatitude: Double, maxLatitude: Double, minLongitude: Double, maxLongitude: Double) {
    precondition(minLatitude <= maxLatitude && minLongitude <= maxLongitude, "empty bounds")
    self.minLatitude = minLatitude
    self.maxLatitude = maxLatitude
    self.minLongitude = minLongitude
    self.maxLongitude = maxLongitude
  }

  /// Hanoi since the 2008 expansion, rounded outwards: lat 20.5–21.45, lon 105.25–106.05.
  public static let hanoi = GeoBounds(minLatitude: 20.5, maxLatitude: 21.45, minLongitude: 105.25, maxLongitude: 106.05)
}
