public import CityScheduler
public import MotCuaDomain

/// Simulates a city day under each policy on the same citizens.
///
/// The citizens (departure times, origins, services, compliance draws and service times) are drawn once from
/// the plan and the seed; each policy then runs its own day over them, so differences between policies come
/// from the choices alone.
public struct CitySimulator: Sendable {
  /// An ordinary Tuesday (2026-12-01), not a holiday: the default simulated date.
  public static let defaultDate = LocalDate(year: 2026, month: 12, day: 1)!

  public let plan: SimulationPlan
  public let seed: UInt64
  public let citizens: [Citizen]
  /// How every citizen travels (`DetourTravelModel` with its default settings).
  public let mode: TravelMode
  /// The chooser the `motcua` policy uses.
  public let chooser: BranchChooser
  let layout: CityLayout

  public init(
    plan: SimulationPlan, catalogue: Catalogue, seed: UInt64, mode: TravelMode = .motorbike,
    chooser: BranchChooser = BranchChooser()
  ) {
    self.plan = plan
    self.seed = seed
    self.mode = mode
    self.chooser = chooser
    self.layout = CityLayout(catalogue: catalogue, date: plan.date, mode: mode)
    self.citizens = CitizenGenerator.citizens(plan: plan, catalogue: catalogue, seed: seed)
  }

  /// Runs the day under `policy`.
  public func run(_ policy: Policy) -> PolicyRun {
    let start = Double(self.plan.firstHour) * 3600
    switch policy {
    case .nearest:
      var day = CityDay(
        layout: self.layout, plan: self.plan, citizens: self.citizens, policy: policy,
        choice: NearestChoice(layout: self.layout))
      return day.run()
    case .shortestPosted:
      var day = CityDay(
        layout: self.layout, plan: self.plan, citizens: self.citizens, policy: policy,
        choice: PostedWaitChoice(layout: self.layout, startSecond: start))
      return day.run()
    case .motcua:
      var day = CityDay(
        layout: self.layout, plan: self.plan, citizens: self.citizens, policy: policy,
        choice: MotCuaChoice(layout: self.layout, startSecond: start, seed: self.seed, chooser: self.chooser))
      return day.run()
    }
  }

  /// Runs every policy in `policies` and gathers the figures.
  public func report(_ policies: [Policy]) -> SimulationReport {
    SimulationReport(
      scenario: self.plan.name, seed: self.seed, citizens: self.citizens.count,
      rows: policies.map { ($0, self.run($0).metrics) })
  }
}
