/// A civil day in the city's time zone, e.g. 2025-09-02.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let year: Int
  public let month: Int
  public let day: Int

  /// Creates a date; returns nil unless it exists in the proleptic Gregorian calendar.
  public init?(year: Int, month: Int, day: Int) {
    guard (1...12).contains(month), day >= 1, day <= LocalDate.daysIn(month: month, year: year) else {
      return nil
    }
    self.year = year
    self.month = month
    self.day = day
  }

  /// Parses "YYYY-MM-DD".
  public init?(_ text: String) {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
    else { return nil }
    self.init(year: y, month: m, day: d)
  }

  /// The date `daysSinceEpoch` days after 1970-01-01.
  public init(daysSinceEpoch: Int64) {
    // Howard Hinnant's civil_from_days.
    let z = daysSinceEpoch + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    self.year = Int(yoe + era * 400 + (m <= 2 ? 1 : 0))
    self.month = Int(m)
    self.day = Int(d)
  }

  /// Days since 1970-01-01.
  public var daysSinceEpoch: Int64 {
    // Howard Hinnant's days_from_civil.
    let y = Int64(self.month <= 2 ? self.year - 1 : self.year)
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let m = Int64(self.month)
    let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(self.day) - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  public var weekday: Weekday {
    // 1970-01-01 was a Thursday.
    let index = (self.daysSinceEpoch + 3).floorModulo(7)  // 0 = Monday
    return Weekday.allCases[Int(index)]
  }

  public func adding(days: Int64) -> LocalDate {
    LocalDate(daysSinceEpoch: self.daysSinceEpoch + days)
  }

  /// "YYYY-MM-DD".
  public var description: String {
    func pad(_ value: Int, _ width: Int) -> String {
      let text = String(value)
      return String(repeating: "0", count: max(0, width - text.count)) + text
    }
    return "\(pad(self.year, 4))-\(pad(self.month, 2))-\(pad(self.day, 2))"
  }

  public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
    (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
  }

  static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }
}

extension Int64 {
  func floorModulo(_ divisor: Int64) -> Int64 {
    let r = self % divisor
    return r < 0 ? r + divisor : r
  }
}
