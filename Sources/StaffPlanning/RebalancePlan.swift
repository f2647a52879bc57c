/// The planner's answer: the moves, what they buy, and (with a target) where the target is still missed.
public struct RebalancePlan: Hashable, Sendable {
  /// Sorted by origin, destination, then staff id.
  public let moves: [StaffMove]
  /// Σ_b λ_b·E[W_b] before the moves: waiting minutes accrued per hour (an unstable branch counts λ_b·10⁶).
  public let objectiveBefore: Double
  /// Σ_b λ_b·E[W_b] after the moves.
  public let objective: Double
  /// Every branch, in the problem's order.
  public let branches: [BranchOutcome]
  public let target: ServiceTarget?
  /// Whether the search was exhaustive, so no plan within the limits does better.
  public let provedOptimal: Bool

  public init(
    moves: [StaffMove], objectiveBefore: Double, objective: Double, branches: [BranchOutcome],
    target: ServiceTarget?, provedOptimal: Bool
  ) {
    self.moves = moves
    self.objectiveBefore = objectiveBefore
    self.objective = objective
    self.branches = branches
    self.target = target
    self.provedOptimal = provedOptimal
  }

  /// With a target: the branches that still miss it after the plan (empty without a target).
  public var shortfalls: [BranchOutcome] {
    guard let target = self.target else { return [] }
    return self.branches.filter { $0.shareShortfall(of: target) > 0 }
  }

  /// With a target: whether every branch meets it after the plan; nil without a target.
  public var targetMet: Bool? { self.target.map { _ in self.shortfalls.isEmpty } }
}
