public import MotCuaDomain

/// One of the 168 hours of a week, in civil time: Monday 00:00–01:00 is 0.
public struct HourOfWeek: Hashable, Sendable, Comparable {
  public let index: Int

  public init(weekday: Weekday, hour: Int) {
    precondition((0..<24).contains(hour))
    self.index = (weekday.rawValue - 1) * 24 + hour
  }

  public init(_ instant: Instant, civilTime: CivilTime) {
    self.init(weekday: civilTime.date(of: instant).weekday, hour: civilTime.minuteOfDay(of: instant) / 60)
  }

  public var weekday: Weekday { Weekday(rawValue: self.index / 24 + 1)! }
  public var hour: Int { self.index % 24 }

  public static func < (a: HourOfWeek, b: HourOfWeek) -> Bool { a.index < b.index }
}
