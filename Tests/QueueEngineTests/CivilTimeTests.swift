import MotCuaDomain
import Testing

@Suite struct CivilTimeTests {
  let hanoi = CivilTime.vietnam

  @Test func theDayChangesAtLocalMidnightNotUTC() {
    // 2026-11-27T16:59:59Z is 23:59:59 in Hanoi; one second later it is the 28th there.
    let before = Instant(secondsSinceEpoch: LocalDate(year: 2026, month: 11, day: 27)!.daysSinceEpoch * 86_400 + 16 * 3600 + 3599)
    #expect(self.hanoi.date(of: before).description == "2026-11-27")
    #expect(self.hanoi.date(of: before.adding(seconds: 1)).description == "2026-11-28")
    #expect(self.hanoi.minuteOfDay(of: before) == 1439)
  }

  @Test func instantOfLocalTimeRoundTrips() {
    let date = LocalDate("2025-02-03")!
    let instant = self.hanoi.instant(on: date, minute: 8 * 60)
    #expect(self.hanoi.date(of: instant) == date)
    #expect(self.hanoi.minuteOfDay(of: instant) == 480)
  }

  @Test(arguments: ["2024-02-29", "1970-01-01", "2027-12-31", "2000-03-01"])
  func datesRoundTripThroughDaysSinceEpoch(text: String) {
    let date = LocalDate(text)!
    #expect(LocalDate(daysSinceEpoch: date.daysSinceEpoch) == date)
    #expect(date.description == text)
  }

  @Test(arguments: ["2025-02-29", "2025-13-01", "25-01-01", "2025-1-1", ""])
  func invalidDatesAreRejected(text: String) {
    #expect(LocalDate(text) == nil)
  }

  @Test func weekdays() {
    #expect(LocalDate("2026-11-27")!.weekday == .friday)
    #expect(LocalDate("1970-01-01")!.weekday == .thursday)
    #expect(LocalDate("2025-01-29")!.weekday == .wednesday)
  }
}

@Suite struct OpeningHoursTests {
  static let hours = WeeklySchedule(days: [
    .monday: [.init(opens: ClockTime("08:00")!, closes: ClockTime("12:00")!)!,
              .init(opens: ClockTime("13:00")!, closes: ClockTime("17:00")!)!],
    .saturday: [.init(opens: ClockTime("08:00")!, closes: ClockTime("12:00")!)!],
  ])
  static let catalogue = Catalogue(
    cityID: "test", cityName: "Test", civilTime: .vietnam, services: [], branches: [], counters: [],
    holidays: [Holiday(date: LocalDate("2026-11-30")!, nameVi: "Nghỉ", nameEn: "Holiday", provisional: false)],
    defaultPriorityPolicy: PriorityPolicy(honoured: []), branchPriorityPolicies: [:])

  func at(_ date: String, _ time: String) -> Instant {
    CivilTime.vietnam.instant(on: LocalDate(date)!, minute: ClockTime(time)!.minuteOfDay)
  }

  @Test func openInsideIntervalsClosedAtLunchAndOnHolidays() {
    let c = Self.catalogue
    #expect(c.isOpen(Self.hours, at: self.at("2026-11-23", "08:00")))  // Monday
    #expect(!c.isOpen(Self.hours, at: self.at("2026-11-23", "12:30")))  // lunch
    #expect(!c.isOpen(Self.hours, at: self.at("2026-11-23", "17:00")))  // closing time is exclusive
    #expect(!c.isOpen(Self.hours, at: self.at("2026-11-30", "09:00")))  // a Monday holiday
  }

  @Test func nextOpeningSkipsLunchClosedDaysAndHolidays() {
    let c = Self.catalogue
    #expect(c.nextOpening(of: Self.hours, after: self.at("2026-11-23", "12:10")) == self.at("2026-11-23", "13:00"))
    #expect(c.nextOpening(of: Self.hours, after: self.at("2026-11-23", "18:00")) == self.at("2026-11-28", "08:00"))
    // Saturday afternoon → the next Monday is a holiday → the Saturday after.
    #expect(c.nextOpening(of: Self.hours, after: self.at("2026-11-28", "12:00")) == self.at("2026-12-05", "08:00"))
    #expect(c.nextOpening(of: Self.hours, after: self.at("2026-11-23", "09:00")) == self.at("2026-11-23", "09:00"))
  }
}
