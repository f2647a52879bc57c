/// A self-contained rebalancing instance: branches, services, demand, staff and the limits on moves.
///
/// Each branch is one M/M/s pool: λ is its total arrivals an hour, 1/μ the arrival-weighted mean service time,
/// s the staff placed there. Validated by `StaffPlanner.plan(_:)`, not here, so that errors name the field.
public struct RebalanceProblem: Hashable, Sendable {
  /// At most this many people move (≥ 1).
  public var maxMoves: Int
  /// A person moves only to a branch within this great-circle distance of where they are, in km (> 0).
  public var maxDistanceKm: Double
  public var branches: [PlanningBranch]
  public var services: [PlanningService]
  public var demand: [BranchDemand]
  public var staff: [PlanningStaff]
  /// When set, the plan reports each branch's share of tickets called within the target and any shortfall.
  public var target: ServiceTarget?

  public init(
    maxMoves: Int, maxDistanceKm: Double, branches: [PlanningBranch], services: [PlanningService],
    demand: [BranchDemand], staff: [PlanningStaff], target: ServiceTarget? = nil
  ) {
    self.maxMoves = maxMoves
    self.maxDistanceKm = maxDistanceKm
    self.branches = branches
    self.services = services
    self.demand = demand
    self.staff = staff
    self.target = target
  }
}
