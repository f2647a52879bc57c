public import MotCuaDomain

/// What happened to one citizen under one policy.
public struct CitizenOutcome: Hashable, Sendable {
  /// The branch that served them; nil if no branch could (every one serving their service closed).
  public let servedAt: BranchID?
  /// How many times a counter called them: exactly 1 when the simulation conserves citizens.
  public let timesCalled: Int
  /// Every leg travelled, re-routes included, in minutes.
  public let travelMinutes: Double
  /// From setting out to being called, in minutes.
  public let totalMinutes: Double
  /// Times they found a branch closed or were turned out of one, and went elsewhere.
  public let reroutes: Int

  /// Time spent waiting at branches: total minus travel.
  public var waitMinutes: Double { max(0, self.totalMinutes - self.travelMinutes) }
}
