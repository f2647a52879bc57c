public import MotCuaDomain

/// Arrivals per branch × service × class × hour of the week, learned from the recorded history.
///
/// Each series keeps its counts per hour of the week and how many days of each weekday were observed. A rate
/// is estimated in three layers, so that a few days of data are usable and many days are trusted:
/// 1. the raw mean of the cell (arrivals in that hour ÷ days of that weekday observed);
/// 2. a smoothed value from day-of-week and hour-of-day effects — the cell's weekday total times the share of
///    the series that falls in that hour of the day (rows × columns ÷ total) — blended with the raw mean by
///    `smoothingDays`;
/// 3. shrinkage toward the seed default (`defaults`, per hour of week) by `priorDays`.
/// Bookings already made for the horizon are a floor for the appointment class.
public struct ArrivalForecast: Sendable {
  public struct Series: Hashable, Sendable {
    public let branchID: BranchID
    public let serviceID: ServiceID
    public let arrivalClass: ArrivalClass

    public init(branchID: BranchID, serviceID: ServiceID, arrivalClass: ArrivalClass) {
      self.branchID = branchID
      self.serviceID = serviceID
      self.arrivalClass = arrivalClass
    }
  }

  private struct Counts: Sendable {
    var cells = [Double](repeating: 0, count: 168)
  }

  public let civilTime: CivilTime
  /// The weight of the seed default, in days of observation.
  public let priorDays: Double
  /// The weight of the day-of-week × hour-of-day fit against a cell's own mean, in days.
  public let smoothingDays: Double
  private let defaults: @Sendable (Series, HourOfWeek) -> Double
  private var counts: [Series: Counts] = [:]
  /// Open days observed per branch and weekday.
  private var observedDays: [BranchID: [Weekday: Set<LocalDate>]] = [:]

  /// - Parameter defaults: arrivals per hour to assume with no history (see `CatalogueDemand`).
  public init(
    civilTime: CivilTime, priorDays: Double = 2, smoothingDays: Double = 4,
    defaults: @escaping @Sendable (Series, HourOfWeek) -> Double
  ) {
    self.civilTime = civilTime
    self.priorDays = priorDays
    self.smoothingDays = smoothingDays
    self.defaults = defaults
  }

  /// Records one arrival.
  public mutating func record(_ series: Series, at instant: Instant) {
    self.counts[series, default: Counts()].cells[HourOfWeek(instant, civilTime: self.civilTime).index] += 1
    self.recordOpenDay(series.branchID, self.civilTime.date(of: instant))
  }

  /// Records that a branch was open (and observed) on a day, even if a series had no arrival then.
  public mutating func recordOpenDay(_ branch: BranchID, _ date: LocalDate) {
    self.observedDays[branch, default: [:]][date.weekday, default: []].insert(date)
  }

  /// Forecast arrivals per hour of `series` in `hour`.
  public func rate(_ series: Series, _ hour: HourOfWeek) -> Double {
    let prior = max(0, self.defaults(series, hour))
    let days = Double(self.observedDays[series.branchID]?[hour.weekday]?.count ?? 0)
    guard days > 0, let counts = self.counts[series] else { return prior }
    let raw = counts.cells[hour.index] / days
    let smoothed = (raw * days + self.fitted(counts, series.branchID, hour) * self.smoothingDays)
      / (days + self.smoothingDays)
    return (smoothed * days + prior * self.priorDays) / (days + self.priorDays)
  }

  /// Forecast arrivals per hour for `hours` hours from the hour containing `start`; for the appointment class,
  /// at least the bookings already made (`booked`: slot starts).
  public func forecast(_ series: Series, from start: Instant, hours: Int, booked: [Instant] = []) -> [Double] {
    (0..<hours).map { offset in
      let at = start.adding(seconds: Int64(offset) * 3600)
      let hour = HourOfWeek(at, civilTime: self.civilTime)
      let learned = self.rate(series, hour)
      guard series.arrivalClass == .appointment else { return learned }
      let slotHourStart = at.adding(seconds: -Int64(self.civilTime.minuteOfDay(of: at) % 60) * 60)
      let bookedHere = booked.count { $0 >= slotHourStart && $0 < slotHourStart.adding(seconds: 3600) }
      return max(learned, Double(bookedHere))
    }
  }

  /// The day-of-week × hour-of-day fit of a cell: its weekday's mean daily total × the share of the series'
  /// arrivals in that hour of the day.
  private func fitted(_ counts: Counts, _ branch: BranchID, _ hour: HourOfWeek) -> Double {
    let days = self.observedDays[branch] ?? [:]
    var hourTotals = [Double](repeating: 0, count: 24)
    var total = 0.0
    for index in 0..<168 {
      hourTotals[index % 24] += counts.cells[index]
      total += counts.cells[index]
    }
    guard total > 0 else { return 0 }
    let weekdayDays = Double(days[hour.weekday]?.count ?? 0)
    guard weekdayDays > 0 else { return 0 }
    let weekdayTotal = (0..<24).reduce(0.0) { $0 + counts.cells[HourOfWeek(weekday: hour.weekday, hour: $1).index] }
    return weekdayTotal / weekdayDays * hourTotals[hour.hour] / total
  }
}
