/// A civil time of day, "HH:MM", as minutes since midnight (24:00 allowed as an end).
public struct ClockTime: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let minuteOfDay: Int

  public init?(minuteOfDay: Int) {
    guard (0...1440).contains(minuteOfDay) else { return nil }
    self.minuteOfDay = minuteOfDay
  }

  /// Parses "HH:MM".
  public init?(_ text: String) {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
      let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h), (0..<60).contains(m)
    else { return nil }
    self.init(minuteOfDay: h * 60 + m)
  }

  public var description: String {
    let h = self.minuteOfDay / 60
    let m = self.minuteOfDay % 60
    return (h < 10 ? "0\(h)" : "\(h)") + ":" + (m < 10 ? "0\(m)" : "\(m)")
  }

  public static func < (lhs: ClockTime, rhs: ClockTime) -> Bool { lhs.minuteOfDay < rhs.minuteOfDay }
}
