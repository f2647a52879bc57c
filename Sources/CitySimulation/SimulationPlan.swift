public import MotCuaDomain

/// A scenario resolved against the seeded catalogue: every default filled in, every value checked.
public struct SimulationPlan: Hashable, Sendable {
  /// One district's demand multiplied over `[fromHour, toHour)`.
  public struct Surge: Hashable, Sendable {
    public let branch: BranchID
    public let fromHour: Double
    public let toHour: Double
    public let multiplier: Double
  }

  /// A branch that stops taking citizens at `atHour`.
  public struct Closure: Hashable, Sendable {
    public let branch: BranchID
    public let atHour: Double
  }

  /// The default city-wide arrivals per hour are this fraction of the tickets the rostered counters can serve
  /// in that hour at the mix's mean typical service time.
  public static let defaultLoadFraction = 0.4
  public static let defaultCompliance = 0.6
  public static let defaultRefreshMinutes = 5.0

  public let name: String
  /// The simulated day: its weekday picks the rosters and opening hours (holidays are not consulted).
  public let date: LocalDate
  public let firstHour: Int
  public let endHour: Int
  /// City-wide citizens per hour before surges, one per hour from `firstHour`.
  public let arrivalsPerHour: [Double]
  /// Services with a positive share, in catalogue order, and their shares (summing to 1).
  public let services: [ServiceID]
  public let serviceShares: [Double]
  public let compliance: Double
  public let refreshMinutes: Double
  public let surges: [Surge]
  public let closures: [Closure]
  /// The scenario's seed, if it gave one.
  public let seed: UInt64?

  /// Resolves `scenario` against `catalogue` on `date`.
  ///
  /// - Throws: `ScenarioError` naming the field: an unknown branch or service (or one no counter serves), hours
  ///   outside 0–24 or not increasing, an `arrivals_per_hour` list of the wrong length or with a negative
  ///   entry, a negative share or multiplier, `compliance` outside [0, 1], `refresh_minutes` not positive.
  public init(scenario: Scenario, catalogue: Catalogue, date: LocalDate) throws(ScenarioError) {
    self.name = scenario.name ?? "unnamed"
    self.date = date
    self.seed = scenario.seed
    let weekday = date.weekday

    let (firstHour, endHour) = try Self.hours(scenario.hours, catalogue: catalogue, weekday: weekday)
    self.firstHour = firstHour
    self.endHour = endHour

    let served = Set(catalogue.counters.flatMap(\.serviceIDs))
    var shares: [(ServiceID, Double)] = []
    if let mix = scenario.serviceMix {
      for (id, share) in mix.sorted(by: { $0.key < $1.key }) {
        guard catalogue.service(ServiceID(id)) != nil else {
          throw ScenarioError(field: "service_mix.\(id)", "no such service in the catalogue")
        }
        guard served.contains(ServiceID(id)) else {
          throw ScenarioError(field: "service_mix.\(id)", "no counter of any branch serves it")
        }
        guard share.isFinite, share >= 0 else {
          throw ScenarioError(field: "service_mix.\(id)", "a share must be a number >= 0, got \(share)")
        }
      }
      shares = catalogue.services.compactMap { service in
        mix[service.id.rawValue].flatMap { $0 > 0 ? (service.id, $0) : nil }
      }
      guard !shares.isEmpty else { throw ScenarioError(field: "service_mix", "every share is 0") }
    } else {
      shares = catalogue.services.filter { served.contains($0.id) && $0.demandWeight > 0 }
        .map { ($0.id, Double($0.demandWeight)) }
      guard !shares.isEmpty else { throw ScenarioError(field: "service_mix", "the catalogue has no served demand") }
    }
    let total = shares.map(\.1).reduce(0, +)
    self.services = shares.map(\.0)
    self.serviceShares = shares.map { $0.1 / total }

    let hourCount = endHour - firstHour
    if let given = scenario.arrivalsPerHour {
      guard given.count == hourCount else {
        throw ScenarioError(
          field: "arrivals_per_hour",
          "needs one entry per hour of \(firstHour)–\(endHour) (\(hourCount)), got \(given.count)")
      }
      if let index = given.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
        throw ScenarioError(field: "arrivals_per_hour[\(index)]", "must be a number >= 0, got \(given[index])")
      }
      self.arrivalsPerHour = given
    } else {
      let meanServiceMinutes = zip(self.services, self.serviceShares).map { id, share in
        Double(catalogue.service(id)!.typicalServiceSeconds) / 60 * share
      }.reduce(0, +)
      self.arrivalsPerHour = (firstHour..<endHour).map { hour in
        let rosteredMinutes = catalogue.counters.map {
          Self.minutes(of: $0.roster, on: weekday, from: hour * 60, to: hour * 60 + 60)
        }.reduce(0, +)
        return Self.defaultLoadFraction * Double(rosteredMinutes) / meanServiceMinutes
      }
    }

    let compliance = scenario.compliance ?? Self.defaultCompliance
    guard compliance.isFinite, (0...1).contains(compliance) else {
      throw ScenarioError(field: "compliance", "must be between 0 and 1, got \(compliance)")
    }
    self.compliance = compliance
    let refresh = scenario.refreshMinutes ?? Self.defaultRefreshMinutes
    guard refresh.isFinite, refresh > 0, refresh <= 24 * 60 else {
      throw ScenarioError(field: "refresh_minutes", "must be > 0 and at most 1440, got \(refresh)")
    }
    self.refreshMinutes = refresh

    func branch(_ id: String, field: String) throws(ScenarioError) -> BranchID {
      guard catalogue.branch(BranchID(id)) != nil else {
        throw ScenarioError(field: field, "no branch '\(id)' in the catalogue")
      }
      return BranchID(id)
    }
    var surges: [Surge] = []
    for (index, surge) in (scenario.surges ?? []).enumerated() {
      let field = "surges[\(index)]"
      let id = try branch(surge.branch, field: field + ".branch")
      guard surge.fromHour.isFinite, (0...24).contains(surge.fromHour) else {
        throw ScenarioError(field: field + ".from_hour", "must be an hour in 0–24, got \(surge.fromHour)")
      }
      guard surge.toHour.isFinite, surge.toHour > surge.fromHour, surge.toHour <= 24 else {
        throw ScenarioError(field: field + ".to_hour", "must be after from_hour and at most 24, got \(surge.toHour)")
      }
      guard surge.multiplier.isFinite, surge.multiplier >= 0 else {
        throw ScenarioError(field: field + ".multiplier", "must be a number >= 0, got \(surge.multiplier)")
      }
      surges.append(Surge(branch: id, fromHour: surge.fromHour, toHour: surge.toHour, multiplier: surge.multiplier))
    }
    self.surges = surges
    var closures: [Closure] = []
    for (index, closure) in (scenario.closures ?? []).enumerated() {
      let field = "closures[\(index)]"
      let id = try branch(closure.branch, field: field + ".branch")
      guard closure.atHour.isFinite, (0...24).contains(closure.atHour) else {
        throw ScenarioError(field: field + ".at_hour", "must be an hour in 0–24, got \(closure.atHour)")
      }
      guard !closures.contains(where: { $0.branch == id }) else {
        throw ScenarioError(field: field + ".branch", "'\(id)' is already closed by an earlier entry")
      }
      closures.append(Closure(branch: id, atHour: closure.atHour))
    }
    self.closures = closures
  }

  /// The share multiplier of citizens from `district` at `hour` (fractional hours of the day).
  public func demandMultiplier(district: BranchID, hour: Double) -> Double {
    self.surges.filter { $0.branch == district && $0.fromHour <= hour && hour < $0.toHour }
      .map(\.multiplier).reduce(1, *)
  }

  private static func hours(_ given: [Int]?, catalogue: Catalogue, weekday: Weekday) throws(ScenarioError)
    -> (Int, Int)
  {
    if let given {
      guard given.count == 2 else { throw ScenarioError(field: "hours", "must be [first, end], got \(given)") }
      guard (0...23).contains(given[0]), given[1] > given[0], given[1] <= 24 else {
        throw ScenarioError(field: "hours", "must satisfy 0 <= first < end <= 24, got \(given)")
      }
      return (given[0], given[1])
    }
    let intervals = catalogue.branches.flatMap { $0.openingHours.intervals(on: weekday) }
    guard let opens = intervals.map(\.opens.minuteOfDay).min(), let closes = intervals.map(\.closes.minuteOfDay).max()
    else { throw ScenarioError(field: "hours", "no branch opens on the simulated day; give the hours") }
    return (opens / 60, (closes + 59) / 60)
  }

  /// Minutes of `schedule` open on `weekday` within `[from, to)` (minutes of the day).
  static func minutes(of schedule: WeeklySchedule, on weekday: Weekday, from: Int, to: Int) -> Int {
    schedule.intervals(on: weekday).map { max(0, min(to, $0.closes.minuteOfDay) - max(from, $0.opens.minuteOfDay)) }
      .reduce(0, +)
  }
}
