/// Open intervals per weekday: a branch's opening hours or a counter's roster (a lunch break is the gap
/// between two intervals). A day without intervals is closed.
public struct WeeklySchedule: Hashable, Sendable {
  /// One open interval, `opens` inclusive, `closes` exclusive.
  public struct Interval: Hashable, Sendable {
    public let opens: ClockTime
    public let closes: ClockTime

    public init?(opens: ClockTime, closes: ClockTime) {
      guard opens < closes else { return nil }
      self.opens = opens
      self.closes = closes
    }

    func contains(minute: Int) -> Bool {
      minute >= self.opens.minuteOfDay && minute < self.closes.minuteOfDay
    }
  }

  public let days: [Weekday: [Interval]]

  /// Intervals are sorted; overlapping intervals are a seed error and rejected by the loader.
  public init(days: [Weekday: [Interval]]) {
    self.days = days.mapValues { $0.sorted { $0.opens < $1.opens } }
  }

  public func intervals(on weekday: Weekday) -> [Interval] {
    self.days[weekday] ?? []
  }

  /// Whether the schedule is open at `minute` of a day that is `weekday`.
  public func isOpen(on weekday: Weekday, minute: Int) -> Bool {
    self.intervals(on: weekday).contains { $0.contains(minute: minute) }
  }
}
