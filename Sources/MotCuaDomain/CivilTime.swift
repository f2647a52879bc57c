/// Converts instants to the city's civil time: its day, weekday and minute of the day.
///
/// Vietnam (Asia/Ho_Chi_Minh) is UTC+7 all year with no daylight saving, so a fixed offset is exact.
public struct CivilTime: Sendable, Hashable {
  /// The IANA name, for clients.
  public let timeZoneName: String
  public let utcOffsetSeconds: Int64

  public init(timeZoneName: String, utcOffsetSeconds: Int64) {
    self.timeZoneName = timeZoneName
    self.utcOffsetSeconds = utcOffsetSeconds
  }

  /// Hanoi and the rest of Vietnam.
  public static let vietnam = CivilTime(timeZoneName: "Asia/Ho_Chi_Minh", utcOffsetSeconds: 7 * 3600)

  private func localSeconds(_ instant: Instant) -> Int64 {
    instant.secondsSinceEpoch + self.utcOffsetSeconds
  }

  /// The civil day `instant` falls on; it changes at local midnight.
  public func date(of instant: Instant) -> LocalDate {
    LocalDate(daysSinceEpoch: self.localSeconds(instant).floorDivided(by: 86_400))
  }

  /// Minutes since local midnight, 0..<1440.
  public func minuteOfDay(of instant: Instant) -> Int {
    Int(self.localSeconds(instant).floorModulo(86_400) / 60)
  }

  /// "YYYY-MM-DD HH:MM" in civil time, for messages people read.
  public func dateTimeText(_ instant: Instant) -> String {
    "\(self.date(of: instant)) \(ClockTime(minuteOfDay: self.minuteOfDay(of: instant))?.description ?? "?")"
  }

  /// The instant at `minute` minutes after local midnight of `date`.
  public func instant(on date: LocalDate, minute: Int) -> Instant {
    Instant(secondsSinceEpoch: date.daysSinceEpoch * 86_400 + Int64(minute) * 60 - self.utcOffsetSeconds)
  }
}
