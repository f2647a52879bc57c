/// The parameters of `DetourTravelModel`. Defaults are for Hanoi's streets at working hours.
public struct TravelSettings: Hashable, Sendable {
  /// Route length ÷ straight-line distance. 1.3 is the usual figure for a dense street grid.
  public var detourFactor: Double = 1.3
  /// Average door-to-door speeds in km/h: walking 4.5; motorbike 22; car 18 (slower than a motorbike in
  /// Hanoi traffic); bus 14 (stops included).
  public var speedKmPerHour: [TravelMode: Double] = [.walk: 4.5, .motorbike: 22, .car: 18, .bus: 14]
  /// Fixed minutes added per mode: 10 for the bus (walk to the stop and wait), 0 otherwise.
  public var fixedMinutes: [TravelMode: Double] = [.bus: 10]
  /// Origins outside these bounds are rejected.
  public var cityBounds: GeoBounds = .hanoi

  public init() {}

  /// The speed for `mode`; a mode missing from `speedKmPerHour` is a configuration bug.
  public func speed(_ mode: TravelMode) -> Double {
    guard let speed = self.speedKmPerHour[mode], speed > 0 else {
      preconditionFailure("TravelSettings: no positive speed for \(mode)")
    }
    return speed
  }
}
