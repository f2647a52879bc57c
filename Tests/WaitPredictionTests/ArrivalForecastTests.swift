import MotCuaDomain
import Testing
import WaitPrediction

@Suite struct ArrivalForecastTests {
  static let branch = BranchID("b")
  static let service = ServiceID("s")
  static let walkIns = ArrivalForecast.Series(branchID: branch, serviceID: service, arrivalClass: .walkIn)
  static let appointments = ArrivalForecast.Series(branchID: branch, serviceID: service, arrivalClass: .appointment)
  static let civil = CivilTime.vietnam

  static func at(_ date: String, _ hour: Int, _ minute: Int = 0) -> Instant {
    civil.instant(on: LocalDate(date)!, minute: hour * 60 + minute)
  }

  /// Four Mondays (and Tuesdays) of history: 10 walk-ins between 08:00 and 09:00, 2 between 14:00 and 15:00.
  static func learned(default value: Double = 3) -> ArrivalForecast {
    var forecast = ArrivalForecast(civilTime: civil, defaults: { _, _ in value })
    for week in 0..<4 {
      for dayOffset in 0..<2 {
        let date = LocalDate("2026-11-02")!.adding(days: Int64(week * 7 + dayOffset)).description
        for n in 0..<10 { forecast.record(walkIns, at: at(date, 8, n * 5)) }
        for n in 0..<2 { forecast.record(walkIns, at: at(date, 14, n * 20)) }
      }
    }
    return forecast
  }

  @Test func withoutHistoryTheSeedDefaultIsUsed() {
    let forecast = ArrivalForecast(civilTime: Self.civil, defaults: { _, hour in hour.hour == 9 ? 7 : 1 })
    #expect(forecast.rate(Self.walkIns, HourOfWeek(weekday: .monday, hour: 9)) == 7)
    #expect(forecast.rate(Self.walkIns, HourOfWeek(weekday: .monday, hour: 10)) == 1)
  }

  @Test func historyPullsTheForecastToWhatWasObserved() {
    let forecast = Self.learned()
    let morning = forecast.rate(Self.walkIns, HourOfWeek(weekday: .monday, hour: 8))
    let afternoon = forecast.rate(Self.walkIns, HourOfWeek(weekday: .monday, hour: 14))
    let night = forecast.rate(Self.walkIns, HourOfWeek(weekday: .monday, hour: 22))
    // 4 days observed against a prior of 2 days at 3/hour: (10 × 4 + 3 × 2) / 6 ≈ 7.7.
    #expect(abs(morning - 46.0 / 6) < 0.01)
    #expect(afternoon < morning && afternoon > 1.5)
    #expect(night < 1.01)  // nothing observed at night: only the prior's third remains
  }

  @Test func aWeekdayWithLittleDataBorrowsTheHourOfDayShape() {
    var forecast = Self.learned(default: 0)
    // One Wednesday with 6 arrivals spread over 08:00–14:00: the shape of the other days puts most at 08:00.
    for n in 0..<6 { forecast.record(Self.walkIns, at: Self.at("2026-11-04", 8 + n)) }
    let eight = forecast.rate(Self.walkIns, HourOfWeek(weekday: .wednesday, hour: 8))
    let eleven = forecast.rate(Self.walkIns, HourOfWeek(weekday: .wednesday, hour: 11))
    #expect(eight > eleven)
  }

  @Test func bookingsAlreadyMadeAreAFloorForAppointments() {
    let forecast = ArrivalForecast(civilTime: Self.civil, defaults: { _, _ in 1 })
    let booked = [Self.at("2026-11-30", 9, 0), Self.at("2026-11-30", 9, 15), Self.at("2026-11-30", 9, 30),
      Self.at("2026-11-30", 10, 0)]
    let hours = forecast.forecast(Self.appointments, from: Self.at("2026-11-30", 9, 10), hours: 3, booked: booked)
    #expect(hours == [3, 1, 1])
    #expect(forecast.forecast(Self.walkIns, from: Self.at("2026-11-30", 9), hours: 1, booked: booked) == [1])
  }

  @Test func theQueueOutlookGrowsWithArrivalsAndDrainsAtTheServiceRate() {
    let growing = QueueOutlook(waiting: 10, arrivalsPerHour: 30, counters: 2, meanServiceSeconds: 600, minutes: 30)
    // +15 arrivals, −6 served in 30 minutes.
    #expect(abs(growing.waiting - 19) < 1e-9 && abs(growing.waitSeconds - 6000) < 1e-6)
    let draining = QueueOutlook(waiting: 3, arrivalsPerHour: 0, counters: 2, meanServiceSeconds: 600, minutes: 60)
    #expect(draining.waiting == 0)
  }

  @Test func catalogueDefaultsFollowTheRosteredCounters() {
    let hours = WeeklySchedule(days: [.monday: [.init(opens: ClockTime("08:00")!, closes: ClockTime("12:00")!)!]])
    let catalogue = Catalogue(
      cityID: "t", cityName: "T", civilTime: .vietnam,
      services: [Service(id: Self.service, nameVi: "", nameEn: "", field: .land, prefix: "A", typicalServiceSeconds: 600,
        demandWeight: 1)],
      branches: [], counters: [Counter(id: CounterID("c"), branchID: Self.branch, name: "1", serviceIDs: [Self.service],
        roster: hours)],
      holidays: [], defaultPriorityPolicy: PriorityPolicy(honoured: []), branchPriorityPolicies: [:])
    let demand = CatalogueDemand(catalogue: catalogue)
    // 6 tickets an hour × 0.75 × 60% walk-ins × 90% non-priority.
    #expect(abs(demand.rate(Self.walkIns, HourOfWeek(weekday: .monday, hour: 9)) - 2.43) < 1e-9)
    #expect(demand.rate(Self.walkIns, HourOfWeek(weekday: .monday, hour: 13)) == 0)
  }
}
